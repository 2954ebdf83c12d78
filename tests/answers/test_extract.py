"""The extract over real corpus files: alert facts, the lead, commands, citations."""

from __future__ import annotations

from smartops.answers import Evidence, extract, leaks
from tests.answers.conftest import SHARED, corpus_file, markdown_evidence, rule_evidence


def test_alert_question_gets_the_rules_expression_for_and_severity(
    crashloop_runbook: list[Evidence], crashloop_rule: list[Evidence]
) -> None:
    evidence = [*crashloop_runbook, *crashloop_rule]
    result = extract("When does KubePodCrashLooping fire and how severe is it?", None, evidence)
    assert result.alert is not None
    assert result.alert.name == "KubePodCrashLooping"
    assert result.alert.for_ == "15m"
    assert result.alert.severity == "warning"
    assert "kube_pod_container_status_waiting_reason" in result.alert.expr
    assert ">= 1" in result.alert.thresholds
    assert "[5m]" in result.alert.thresholds
    md = result.markdown
    assert "`15m`" in md and "`warning`" in md
    assert "```promql\nmax_over_time(kube_pod_container_status_waiting_reason" in md
    assert any("prometheusRule" in c.source or "rules" in c.source for c in result.citations)


def test_a_rule_file_with_many_alerts_picks_the_named_one() -> None:
    path = corpus_file(
        "alerts/manifests/nodeExporter-prometheusRule.yaml", "alerts/example-rules.yaml"
    )
    evidence = rule_evidence(path)
    assert len(evidence) > 1
    name = evidence[-1].title
    result = extract(f"What is the threshold of the {name} alert?", None, evidence)
    assert result.alert is not None and result.alert.name == name


def test_meaning_question_leads_with_the_meaning_section(
    crashloop_runbook: list[Evidence],
) -> None:
    result = extract("What does KubePodCrashLooping mean?", None, crashloop_runbook)
    assert result.grounding.ok
    assert "CrashLoop" in result.lead[0].text
    assert result.citations[0].heading.endswith("Meaning")
    assert result.markdown.startswith("Pod is in CrashLoop")
    assert "[1]" in result.markdown


def test_diagnosis_question_shows_the_runbooks_commands(
    crashloop_runbook: list[Evidence],
) -> None:
    result = extract("How do I diagnose a pod in CrashLoop?", None, crashloop_runbook)
    assert any(c.startswith("kubectl -n $NAMESPACE describe pod") for c in result.commands)
    assert "```bash\nkubectl" in result.markdown
    assert any(c.heading.endswith("Diagnosis") for c in result.citations)


def test_extract_of_site_generator_pages_is_clean() -> None:
    pages = [
        "kubernetes/content/en/docs/tasks/run-application/configure-pdb.md",
        "knative/docs/versioned/serving/autoscaling/scale-to-zero.md",
        "kserve/docs/model-serving/predictive-inference/rollout-strategies/canary-example.md",
    ]
    files = [SHARED / p for p in pages if (SHARED / p).is_file()]
    if not files:  # the sample corpus holds runbooks only
        files = [corpus_file("", "runbooks/etcdNoLeader.md")]
    for file in files:
        evidence = markdown_evidence(file)
        for question in ("How do I configure this?", "What is the default value?"):
            result = extract(question, None, evidence)
            assert leaks(result.markdown) == [], (file, result.markdown)


def test_no_evidence_is_not_grounded() -> None:
    result = extract("What does KubePodCrashLooping mean?", None, [])
    assert not result.grounding.ok
    assert result.markdown == ""
    assert result.citations == ()


def test_russian_question_gets_russian_labels(crashloop_runbook: list[Evidence]) -> None:
    result = extract("Как диагностировать KubePodCrashLooping?", None, crashloop_runbook)
    assert result.language == "ru"
    assert result.markdown.startswith("Из документации:")
    assert "**Источники**" in result.markdown and "**Sources**" not in result.markdown


def test_the_settings_a_question_names_are_its_key_values() -> None:
    canary = Evidence(
        text=(
            "Update the InferenceService with the canary rollout strategy.\n\n"
            "```yaml\nspec:\n  predictor:\n    canaryTrafficPercent: 10\n"
            "    model:\n      storageUri: gs://models/v2\n```\n"
        ),
        source="kserve/docs/rollout-strategies/canary.md",
        title="Canary rollout",
        heading="Canary rollout > Update the InferenceService",
    )
    result = extract("How do I send only part of the traffic to a new revision?", None, [canary])
    assert result.values[0] == "canaryTrafficPercent: 10"
    assert "storageUri" not in " ".join(result.values)  # made of none of its words
