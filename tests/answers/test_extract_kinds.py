"""What kind of answer a question wants, over small evidence written for each behaviour:
a quantity or default, a yes/no with its reason, the command that matches, the list or
code a sentence introduces; and the shown alert rule's summary left out of the lead."""

from __future__ import annotations

from smartops.answers import Evidence, extract
from smartops.answers.parse import Parsed, parse_evidence
from smartops.answers.score import query_of, wants_bonus
from smartops.knowledge.alert_rules import chunk_alert_rules

QUEUE = Evidence(
    text=(
        "The relay queue keeps each entry of the relay until the relay queue delivers the "
        "entry to a sink. "
        "The time an entry stays in the relay queue also depends on the sinks. "
        "Every relay queue entry carries the headers of the relay. "
        "A relay queue entry lives in memory, not on disk. "
        "An undelivered entry is dropped after 45 seconds by default."
    ),
    source="docs/relay/queue.md",
    title="Relay",
    heading="Relay > Queue",
)


def _unit(text: str) -> Parsed:
    return parse_evidence(text, "doc", "").units[0]


def test_a_quantity_and_a_default_count_for_a_default_question() -> None:
    query = query_of("How long does the relay queue keep an entry by default?")
    assert "number" in query.wants
    plain = wants_bonus(_unit("The relay queue keeps entries."), query, False)
    number = wants_bonus(_unit("The relay queue has 3 sinks."), query, False)
    quantity = wants_bonus(_unit("Entries are dropped after 45 seconds."), query, False)
    default = wants_bonus(_unit("Entries are dropped after 45 seconds by default."), query, False)
    assert plain < number < quantity < default


def test_a_default_question_leads_with_the_sentence_that_states_the_quantity() -> None:
    result = extract("How long does the relay queue keep an entry by default?", None, [QUEUE])
    assert result.grounding.ok
    best = max(result.lead, key=lambda s: s.score)
    assert "45 seconds" in best.text


def test_a_yes_no_question_prefers_the_verdict() -> None:
    question = "Should I raise the relay queue limit when the relay backlog alert fires?"
    query = query_of(question)
    assert "yesno" in query.wants
    assert "yesno" not in query_of("How do I raise the relay queue limit?").wants
    assert "yesno" in query_of("Можно ли поднять лимит очереди?").wants
    verdict = _unit("You shouldn't raise the limit unless the sinks are healthy.")
    neutral = _unit("The limit counts the backlog entries of the queue.")
    assert wants_bonus(verdict, query, False) > wants_bonus(neutral, query, False)


def test_commands_come_from_the_code_block_that_matches_the_question() -> None:
    evidence = [
        Evidence(
            text=(
                "Workers run as pods of the worker deployment and restart on failure.\n\n"
                "List them with:\n\n```shell\nkubectl get pods -l app=worker\n```\n"
            ),
            source="docs/worker/overview.md",
            heading="Worker > Overview",
        ),
        Evidence(
            text="Worker logs go to the cluster's log collector.",
            source="docs/worker/logs.md",
            heading="Worker > Logs",
        ),
        Evidence(
            text="Worker metrics are scraped every minute.",
            source="docs/worker/metrics.md",
            heading="Worker > Metrics",
        ),
        Evidence(
            text=(
                "A worker stuck terminating keeps its name until it is gone.\n\n"
                "To force delete a stuck worker pod, run:\n\n"
                "```shell\nkubectl delete pod <worker> --grace-period=0 --force\n```\n"
            ),
            source="docs/worker/force.md",
            heading="Worker > Force deletion",
        ),
    ]
    result = extract("How do I force delete a worker pod that is stuck?", None, evidence)
    assert "kubectl delete pod <worker> --grace-period=0 --force" in result.commands
    assert "--grace-period=0 --force" in result.markdown


def test_the_list_a_paragraph_introduces_is_shown_with_its_lead() -> None:
    evidence = [
        Evidence(
            text=(
                "A frobnicator supports several frobnication modes that decide when the "
                "frobnication happens. The frobnication mode is one of these:\n\n"
                "- `Never`: nothing is frobnicated.\n"
                "- `Startup`: only new pods are frobnicated.\n"
                "- `Always`: running pods are frobnicated too.\n"
            ),
            source="docs/frob.md",
            heading="Frobnicator > Modes",
        )
    ]
    result = extract("Which frobnication modes does a frobnicator support?", None, evidence)
    assert result.grounding.ok
    shown = " ".join(result.details)
    for mode in ("Never", "Startup", "Always"):
        assert mode in shown


def test_the_definition_list_of_the_setting_asked_about_is_shown_without_empty_fields() -> None:
    text = (
        "## Relay drain period\n\n"
        "The relay waits before it drains an idle sink.\n\n"
        "* **Global key:** `relay-drain-period`\n"
        "* **Possible values:** Duration\n"
        "* **Default:** `45s`\n\n"
        "**Example:**\n\n"
        "## Relay sink retention period\n\n"
        "Unlike the `relay-drain-period` key, this one keeps the last relay sink around.\n\n"
        "* **Global key:** `relay-sink-retention-period`\n"
        "* **Per-sink annotation key:** `relay.example.dev/relay-sink-retention-period`\n"
        "* **Possible values:** Duration\n"
        "* **Default:** `0s`\n"
    )
    evidence = [Evidence(text=text, source="docs/relay/drain.md", heading="Relay")]
    result = extract("What is the default relay drain period?", None, evidence)
    assert result.grounding.ok
    assert "**Default:** `45s`" in result.details
    assert not any("0s" in line or "retention" in line for line in result.details)
    assert not any(line.strip() == "**Example:**" for line in result.details)
    assert not any(s.text.startswith("**") for s in result.lead)  # the list shows the fields


def test_the_code_block_a_sentence_introduces_is_shown() -> None:
    evidence = [
        Evidence(
            text=(
                "A frobnicator supports several frobnication modes that decide when the "
                "frobnication happens. You set the frobnication mode in the spec:\n\n"
                "```yaml\nspec:\n  mode: Startup  # Never, Startup, Always\n```\n"
            ),
            source="docs/frob.md",
            heading="Frobnicator > Modes",
        )
    ]
    result = extract("Which frobnication modes does a frobnicator support?", None, evidence)
    assert result.code.startswith("```yaml\nspec:")
    assert "Never, Startup, Always" in result.markdown


def test_the_lead_leaves_the_alert_summary_to_the_rule_block(
    crashloop_runbook: list[Evidence], crashloop_rule: list[Evidence]
) -> None:
    evidence = [*crashloop_rule, *crashloop_runbook]
    result = extract("KubePodCrashLooping fired. How do I find out why?", None, evidence)
    assert result.alert is not None and result.alert.summary
    summary = result.alert.summary.rstrip(".")
    assert all(summary not in s.text for s in result.lead)
    assert summary in result.markdown  # still stated, in the rule's block


RULES = """
groups:
  - name: relay
    rules:
      - alert: RelayQueueStuck
        annotations:
          description: The relay queue of {{ $labels.instance }} has not moved for 15 minutes.
          summary: Relay queue is stuck.
        expr: rate(relay_queue_delivered_total[5m]) == 0 and relay_queue_length > 0
        for: 15m
        labels:
          severity: warning
      - alert: RelayDiskFull
        annotations:
          description: The relay queue disk of {{ $labels.instance }} is 95% full for 15 minutes.
          summary: Relay queue disk is full.
        expr: relay_queue_disk_used_ratio > 0.95
        for: 15m
        labels:
          severity: critical
"""


def test_a_question_naming_one_alert_gets_no_other_alerts_description() -> None:
    chunks = chunk_alert_rules(RULES, "alerts/relay.yaml", model="test")
    evidence = [
        Evidence(text=c.text, source=c.source, title=c.title, heading=c.heading, kind="alert_rule")
        for c in chunks
    ]
    assert {e.title for e in evidence} == {"RelayQueueStuck", "RelayDiskFull"}
    result = extract("Which metric and for duration drive RelayQueueStuck?", None, evidence)
    assert result.alert is not None and result.alert.name == "RelayQueueStuck"
    assert result.lead and all("disk" not in s.text for s in result.lead)
