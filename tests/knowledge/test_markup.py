"""Site-generator syntax (Hugo, MkDocs Material, Docusaurus) read as plain text at ingest."""

from __future__ import annotations

from smartops.knowledge.alert_rules import chunk_alert_rules, metrics, readable
from smartops.knowledge.chunking import chunk_markdown
from smartops.knowledge.markup import heading_text, plain

HUGO = """---
title: Debug Pods
---
<!-- overview -->
## {{% heading "prerequisites" %}}

A {{< glossary_tooltip text="node" term_id="node" >}} runs the
{{< glossary_tooltip term_id="kube-proxy" >}}.

{{< note >}}
Read the [logs
first](/docs/logs/).
{{< /note >}}

## Examining pod logs {#examine-pod-logs}

{{< codenew file="pods/probe/exec-liveness.yaml" >}}

```shell
kubectl logs <POD> {{ not a shortcode }} [x](y)
```
"""

MKDOCS = """# Configuring scale to zero

!!! note "Before you start"
    Scale to zero needs the KPA.

=== "kubectl"

--8<-- "scale-to-zero-note.md"
"""

DOCUSAURUS = """---
title: Autoscaling with KEDA
---
import Tabs from '@theme/Tabs';

:::tip Faster path
Use the <TabItem value="yaml" label="YAML"> tab.
:::
"""


def test_hugo_shortcodes_and_anchors() -> None:
    text = plain(HUGO.split("---", 2)[2])
    assert "## Before you begin" in text
    assert "A node runs the\nkube proxy." in text
    assert "{{" not in text.split("```")[0] and "<!--" not in text
    assert "Read the logs\nfirst." in text  # a link across lines keeps its text
    assert "## Examining pod logs\n" in text
    assert "pods/probe/exec-liveness.yaml" in text
    assert "kubectl logs <POD> {{ not a shortcode }} [x](y)" in text  # code is untouched


def test_a_diagram_source_is_dropped_as_a_shortcode_or_a_fenced_block() -> None:
    text = plain(
        "Intro.\n{{< mermaid >}}\ngraph BT\nhpa --> scale\n{{< /mermaid >}}\n"
        "Between.\n```mermaid\nsequenceDiagram\n```\nAfter.\n```yaml\nkind: Pod\n```\n"
    )
    assert "graph BT" not in text and "sequenceDiagram" not in text
    assert "Intro." in text and "Between." in text and "After." in text
    assert "kind: Pod" in text  # other code stays


def test_mkdocs_admonitions_tabs_and_snippets() -> None:
    text = plain(MKDOCS)
    assert "Note: Before you start\n    Scale to zero needs the KPA." in text
    assert "kubectl:" in text and "=== " not in text
    assert "--8<--" not in text and "scale-to-zero-note" not in text


def test_docusaurus_imports_admonitions_and_components() -> None:
    text = plain(DOCUSAURUS.split("---", 2)[2])
    assert "import" not in text and ":::" not in text
    assert "Tip: Faster path" in text
    assert "Use the YAML tab." in text


def test_chunk_headings_are_clean() -> None:
    chunks = chunk_markdown(HUGO, "docs/debug.md", max_words=200, model="m")
    assert [c.heading for c in chunks] == [
        "Debug Pods > Before you begin",
        "Debug Pods > Examining pod logs",
    ]
    assert heading_text("`<kubernetes_sd_config>` {#k8s}") == "<kubernetes_sd_config>"


RULES = """
groups:
- name: kubernetes-storage
  rules:
  - alert: KubePersistentVolumeFillingUp
    annotations:
      description: The volume {{ $labels.pvc }} is only {{ $value | humanizePercentage }} free.
      summary: PersistentVolume is filling up.
    expr: |
      # a comment about kubelet_fake_metric_total
      kubelet_volume_stats_available_bytes{job="kubelet"}
        / kubelet_volume_stats_capacity_bytes{job="kubelet"} < 0.03
      and max_over_time(kube_pvc_info{label_excluded="true"}[5m]) == 1
    for: 1m
    labels:
      severity: critical
"""


def test_alert_rule_text_names_metrics_thresholds_and_placeholders() -> None:
    (chunk,) = chunk_alert_rules(RULES, "alerts/rules.yaml", model="m")
    assert chunk.kind == "alert" and chunk.title == "KubePersistentVolumeFillingUp"
    assert "The volume {pvc} is only {value} free." in chunk.text
    facts = next(line for line in chunk.text.splitlines() if line.startswith("Fires when"))
    assert "for 1m" in facts and "threshold: < 0.03, == 1" in facts
    assert "kubelet_volume_stats_available_bytes, kubelet_volume_stats_capacity_bytes" in facts
    assert "kubelet_fake_metric_total" not in facts  # comments are not read
    assert metrics('max_over_time(up_total{label_x="1"}[5m])') == ["up_total"]
    assert readable("{{ with $labels.cluster -}} on {{ . }} {{- end }}") == "on"
