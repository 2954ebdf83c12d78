"""Site-generator syntax never reaches an answer; the content around it does."""

from __future__ import annotations

from smartops.answers import clean_markdown, leaks

HUGO = """---
title: Configure probes
weight: 20
---
<!-- overview -->
## Before you begin {#before-you-begin}

{{< note >}}
A {{< glossary_tooltip text="Pod" term_id="pod" >}} restarts its containers.
{{< /note >}}
{{% heading "whatsnext" %}}
"""

MKDOCS = """!!! note "Before you start"
    Install `kn` first.

=== "kn"

    ```bash
    kn service update hello --scale-min 1
    ```

--8<-- "about-revisions.md"
"""

DOCUSAURUS = """import Tabs from '@theme/Tabs';
import TabItem from '@theme/TabItem';

:::tip[Expected Output]
The model is ready.
:::

<Tabs groupId="deployment-type">
<TabItem value="raw" label="Standard Deployment">
Set `canaryTrafficPercent` to 10.
</TabItem>
</Tabs>
"""


def test_hugo_front_matter_shortcodes_and_anchors() -> None:
    out = clean_markdown(HUGO)
    assert leaks(HUGO) and leaks(out) == []
    assert "## Before you begin" in out and "{#" not in out
    assert "A Pod restarts its containers." in out
    assert "title:" not in out and "<!--" not in out


def test_mkdocs_admonitions_tabs_and_snippets() -> None:
    out = clean_markdown(MKDOCS)
    assert leaks(MKDOCS) and leaks(out) == []
    assert "Install `kn` first." in out.splitlines()
    assert "```bash\nkn service update hello --scale-min 1\n```" in out
    assert "--8<--" not in out and "===" not in out


def test_docusaurus_imports_admonitions_and_jsx() -> None:
    out = clean_markdown(DOCUSAURUS)
    assert leaks(DOCUSAURUS) and leaks(out) == []
    assert "The model is ready." in out
    assert "Set `canaryTrafficPercent` to 10." in out
    assert "import" not in out and "<Tab" not in out


def test_python_imports_inside_code_are_kept() -> None:
    text = "```python\nimport kserve\nfrom kserve import Model\n```"
    assert clean_markdown(text) == text


def test_html_code_and_escapes_become_markdown() -> None:
    text = '| <code class="text-nowrap">--storage.tsdb.retention.time</code> | keep <b>15d</b> |'
    out = clean_markdown(text)
    assert "`--storage.tsdb.retention.time`" in out and "<code" not in out and "<b>" not in out
