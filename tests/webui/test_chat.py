"""Open WebUI end to end in a real browser: what a person does, and what they must see."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from smartops.answers.language import language_of
from tests.webui.browser import ChatPage
from tests.webui.cluster import PERSON, Cluster
from tests.webui.server import WebUI

pytestmark = [pytest.mark.integration, pytest.mark.webui]


def test_person_picks_smartops_and_sees_the_answer_stream(chat: ChatPage) -> None:
    assert "smartops" in chat.model_options()
    assert chat.pick_model("smartops") == "Selected model: smartops"
    chat.screenshot("01-start-page")

    answer = chat.ask(
        "How do I find out why a pod is in CrashLoopBackOff?", streaming_shot="02-streaming"
    )
    chat.screenshot("02-streamed-answer")

    assert len(answer.text.split()) >= 5, answer.text
    # Streamed: the page showed the answer growing before it was complete.
    growing = [text for text in answer.partials if len(text) < len(answer.text)]
    assert len(growing) >= 2, answer.partials
    # (A partial page may space inline markup differently: compare without whitespace.)
    assert "".join(answer.text.split()).startswith("".join(growing[0].split())[:20])


def test_person_gets_a_runbook_answer_with_its_sources(chat: ChatPage, webui_server: WebUI) -> None:
    chat.pick_model("smartops")
    answer = chat.ask("What does the KubePodCrashLooping runbook say to check?")
    chat.screenshot("03-runbook-answer-with-sources")

    assert "Sources" in answer.text, answer.text
    assert len(answer.partials) >= 2, answer.partials  # streamed, sources at the end
    # A readable numbered list: each source names its file and, after a dash, its heading.
    assert "kubernetes/KubePodCrashLooping.md" in answer.code_in_list_items()
    crashloop = [i for i in answer.list_items() if "KubePodCrashLooping.md" in i]
    assert crashloop and all(" — " in item for item in crashloop), answer.list_items()

    # Each source is a link; a runbook without a URL of its own opens on the gateway's
    # section page, which shows that section of the indexed runbook.
    links = answer.links_in_list_items()
    assert len(links) == len(answer.list_items()), (links, answer.list_items())
    runbook = next(link for link in links if "KubePodCrashLooping.md" in unquote(link))
    assert runbook.startswith(f"{webui_server.gateway.removesuffix('/v1')}/v1/sections?")
    heading = crashloop[0].split(" — ", 1)[1].strip()
    status, page = chat.open_link(runbook, shot="03b-source-section-page")
    assert status == 200 and "Kube Pod Crash Looping" in page, page[:500]
    assert heading in page and len(page.split()) > len(heading.split()) + 5, page[:500]


def test_person_asks_a_follow_up_and_gets_its_sources(chat: ChatPage) -> None:
    chat.pick_model("smartops")
    chat.ask("What does the KubePodNotReady alert mean?")
    answer = chat.ask("How do I fix it?")
    chat.screenshot("08-follow-up-with-sources")
    # "it" is the alert of the first question: the follow-up cites its runbook (and its
    # rule, possibly first), and none of the other runbooks the follow-up's own words
    # ("fix") would also match.
    assert "Sources" in answer.text, answer.text
    cited = answer.code_in_list_items()
    assert "kubernetes/KubePodNotReady.md" in cited, answer.list_items()
    others = ("KubePodCrashLooping.md", "KubeContainerWaiting.md", "disruptions.md")
    assert not [c for c in cited if c.endswith(others)], answer.list_items()


def test_person_asks_in_russian_and_is_answered_in_russian(chat: ChatPage) -> None:
    chat.pick_model("smartops")
    answer = chat.ask("Что означает алерт KubePodCrashLooping и что проверить?")
    chat.screenshot("09-russian-answer")
    assert "Источники" in answer.text and "Sources" not in answer.text, answer.text
    assert "Из документации" in answer.text, answer.text
    assert "kubernetes/KubePodCrashLooping.md" in answer.code_in_list_items()
    # The answer's own words (before its quotes and sources) are Russian, not only its frame.
    lead = answer.text.split("Источники", 1)[0].split("\n")[0]
    assert language_of(lead) == "ru", lead


def test_alert_rule_source_opens_its_runbook_url(chat: ChatPage) -> None:
    chat.pick_model("smartops")
    answer = chat.ask("Which expression and threshold does the KubePodCrashLooping alert use?")
    chat.screenshot("10-alert-rule-with-runbook-link")
    assert "kube_pod_container_status_waiting_reason" in answer.text, answer.text
    # Its description's template variables are shown as {pod}: as <pod>, Open WebUI took
    # the rest of the answer, sources included, for a collapsed thinking block. (Only this
    # rule's description is quoted: another rule's is no answer about it.)
    assert "Thought for" not in answer.text and "{pod}" in answer.text, answer.text
    assert "<pod>" not in answer.text and "Systemd" not in answer.text, answer.text
    # The rule's own runbook_url is the link of the rule's source, not a section page.
    links = answer.links_in_list_items()
    runbook = "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping"
    assert runbook in links, (links, answer.list_items())


def test_headings_are_shown_without_site_generator_syntax(chat: ChatPage) -> None:
    chat.pick_model("smartops")
    answer = chat.ask("In the PodDisruptionBudget example, what happens when node-1 is drained?")
    chat.screenshot("11-clean-headings")
    items = answer.list_items()
    assert any("disruptions.md" in i and "PodDisruptionBudget example" in i for i in items), items
    assert "{#" not in answer.text and "pdb-example" not in answer.text, answer.text


def test_person_restarts_a_deployment_after_dry_run_and_confirmation(
    chat: ChatPage, cluster: Cluster, webui_server: WebUI
) -> None:
    before = cluster.deployment("shop", "api")
    chat.pick_model("smartops")

    preview = chat.ask("restart deployment api in shop")
    chat.screenshot("04-dry-run-and-confirmation")
    assert "Dry run of rollout_restart" in preview.text, preview.text
    assert "restartedAt" in preview.text
    # The preview is a table of exactly what will change (object, field, now, after).
    assert "<table" in preview.html and "api" in preview.text
    token = re.search(r"reply exactly: confirm (\w+)", preview.text)
    assert token is not None, preview.text
    assert cluster.deployment("shop", "api") == before  # a dry run changes nothing

    # A bare "confirm" never reaches the model: it shows the one pending change and its token.
    bare = chat.ask("confirm")
    chat.screenshot("04b-bare-confirm")
    assert "You have one pending change" in bare.text and "rollout_restart" in bare.text
    assert f"confirm {token.group(1)}" in bare.text, bare.text
    assert cluster.deployment("shop", "api") == before

    done = chat.ask(f"confirm {token.group(1)}")
    chat.screenshot("05-action-done")
    assert "Done: rollout_restart" in done.text, done.text
    annotations = cluster.deployment("shop", "api")["spec"]["template"]["metadata"]
    assert "kubectl.kubernetes.io/restartedAt" in annotations.get("annotations", {})
    # Open WebUI told the gateway who asked (the launcher trusts exactly its own Open
    # WebUI; the test sets no trust of its own): the audit names the person.
    decisions = [(r["email"], r["action"], r["decision"]) for r in webui_server.audit()]
    assert decisions[-2:] == [
        (PERSON, "rollout_restart", "needs_confirmation"),
        (PERSON, "rollout_restart", "confirmed"),
    ]


def test_person_sees_a_table_of_crashlooping_pods(chat: ChatPage) -> None:
    chat.pick_model("smartops")
    answer = chat.ask("show crashlooping pods in payments")
    chat.screenshot("06-read-action-table")
    assert "<table" in answer.html
    assert "CrashLoopBackOff" in answer.text and "api-1" in answer.text


def test_person_is_told_what_they_may_not_do(chat: ChatPage, cluster: Cluster) -> None:
    before = cluster.deployment("shop", "api")
    chat.pick_model("smartops")
    answer = chat.ask("scale deployment api in shop to 0")
    chat.screenshot("07-not-allowed")
    assert "Not allowed" in answer.text and PERSON in answer.text, answer.text
    assert cluster.deployment("shop", "api") == before
