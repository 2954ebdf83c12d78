"""Open WebUI end to end in a real browser: what a person does, and what they must see."""

from __future__ import annotations

import re

import pytest

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
    assert answer.text.startswith(growing[0].strip()[:20])


def test_person_gets_a_runbook_answer_with_its_sources(chat: ChatPage) -> None:
    chat.pick_model("smartops")
    answer = chat.ask("What does the KubePodCrashLooping runbook say to check?")
    chat.screenshot("03-runbook-answer-with-sources")

    assert "Sources" in answer.text, answer.text
    assert len(answer.partials) >= 2, answer.partials  # streamed, sources at the end
    # A readable numbered list: each source names its file and, after a dash, its heading.
    assert "kubernetes/KubePodCrashLooping.md" in answer.code_in_list_items()
    crashloop = [i for i in answer.list_items() if "KubePodCrashLooping.md" in i]
    assert crashloop and all(" — " in item for item in crashloop), answer.list_items()


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

    done = chat.ask(f"confirm {token.group(1)}")
    chat.screenshot("05-action-done")
    assert "Done: rollout_restart" in done.text, done.text
    annotations = cluster.deployment("shop", "api")["spec"]["template"]["metadata"]
    assert "kubectl.kubernetes.io/restartedAt" in annotations.get("annotations", {})
    # Open WebUI told the gateway who asked: the audit names the person, not "anonymous".
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
