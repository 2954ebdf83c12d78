# ruff: noqa: RUF001  (Russian questions are Cyrillic on purpose)
"""Follow-ups: a message that refers back is retrieved with the subject of earlier turns.

The unit tests pin the resolution; the conversations (``data/followups.jsonl``, English
and Russian, a fifth held out) go through the real pipeline over the Kubernetes
runbooks, extract mode (no model): the follow-up must cite the runbook of the alert the
conversation is about.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from smartops.chat import parse_chat_request
from smartops.config import Settings
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.followup import entities_of, refers_back, resolve, retrieval_query
from smartops.knowledge.index import open_index
from smartops.knowledge.ingest import ingest
from smartops.services import Services, build_services
from smartops.turn import Principal, Turn

DATA = Path(__file__).parent / "data" / "followups.jsonl"
REPO = Path(__file__).resolve().parents[2]
RUNBOOKS = REPO.parent / "shared" / "corpus" / "runbooks" / "content" / "runbooks" / "kubernetes"
SAMPLE = REPO / "tests" / "webui" / "corpus" / "kubernetes"
REPLY = {"en": "Here is what the runbook says about it.", "ru": "Вот что говорит ранбук."}


def test_entities_of_names_alerts_resources_and_namespaces() -> None:
    found = entities_of("KubePodCrashLooping for deployment/api-v2 in namespace shop, pod api-1")
    assert found.alerts == ("KubePodCrashLooping",)
    assert found.resources == ("deployment/api-v2", "pod/api-1")
    assert found.namespaces == ("shop",)
    russian = entities_of("Сработал KubeJobFailed в неймспейсе batch, под worker-0")
    assert russian.alerts == ("KubeJobFailed",)
    assert russian.namespaces == ("batch",) and russian.resources == ("под/worker-0",)
    assert not entities_of("how do I fix it?")


def test_refers_back_in_english_and_russian() -> None:
    for text in ("How do I fix it?", "Why does this alert fire?", "Как его починить?", "Что это?"):
        assert refers_back(text), text
    for text in ("How do I drain a node?", "Как слить ноду?"):
        assert not refers_back(text), text


def test_resolve_joins_the_latest_subject_only_when_referred_back() -> None:
    earlier = ["What is KubeJobFailed?", "KubePodCrashLooping in namespace shop for pod api-1"]
    follow = resolve("How do I fix it?", earlier)
    assert follow.resolved and follow.joined.alerts == ("KubePodCrashLooping",)
    assert (
        follow.query
        == "How do I fix it? KubePodCrashLooping Kube Pod Crash Looping pod api-1 namespace shop"
    )
    # A message with its own subject, or one that does not refer back, stays as written.
    assert (
        resolve("How do I fix KubeHpaMaxedOut?", earlier).query == "How do I fix KubeHpaMaxedOut?"
    )
    assert resolve("How do I drain a node?", earlier).query == "How do I drain a node?"
    assert not resolve("How do I fix it?", ["hello there"]).resolved


def test_retrieval_query_reads_the_conversation_users_only() -> None:
    body = {
        "model": "smartops",
        "messages": [
            {"role": "system", "content": "Answer KubeSystemPrompt questions."},
            {"role": "user", "content": "Что означает KubeletTooManyPods?"},
            {"role": "assistant", "content": "It is about KubeAssistantWords."},
            {"role": "user", "content": "Как это исправить?"},
        ],
    }
    request = parse_chat_request(json.dumps(body), Settings())
    assert retrieval_query(request) == "Как это исправить? KubeletTooManyPods Kubelet Too Many Pods"


def conversations() -> list[dict[str, Any]]:
    return [json.loads(line) for line in DATA.read_text().splitlines() if line.strip()]


def test_quality_set_is_bilingual_with_a_fifth_held_out() -> None:
    rows = conversations()
    held = [r for r in rows if r["split"] == "heldout"]
    assert len(held) * 5 == len(rows)
    for split in ("dev", "heldout"):
        ids = {r["id"][:5] for r in rows if r["split"] == split}
        assert ids == {"fu-en", "fu-ru"}, split


@pytest.fixture(scope="module")
def runbook_settings(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    """The Kubernetes runbooks ingested once for the module."""
    folder = RUNBOOKS if RUNBOOKS.is_dir() else SAMPLE
    corpus = tmp_path_factory.mktemp("corpus")
    shutil.copytree(folder, corpus / "kubernetes")
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("followup"),
        answer_mode="extract",  # the extract and its citations: no model runs
        cache_enabled=False,
        actions_enabled=False,
        eventing_alerts_index=False,
        stream_pace_ms=0,
    )
    ingest([str(corpus)], settings, open_index(settings), embedder)
    return settings


@pytest.fixture
async def runbook_services(runbook_settings: Settings) -> AsyncIterator[Services]:
    services = build_services(runbook_settings)
    yield services
    await services.aclose()


async def cited(services: Services, messages: list[dict[str, str]]) -> list[str]:
    body = json.dumps({"model": "smartops", "messages": messages})
    request = parse_chat_request(body, services.settings)
    turn = Turn(request=request, request_id="t", principal=Principal(user="tester"))
    async for _ in await services.pipeline.prepare(turn):
        pass
    return [Path(s.source).name for s in turn.sources]


async def score(services: Services, split: str, with_history: bool) -> tuple[int, int]:
    rows = [r for r in conversations() if r["split"] == split]
    hits = 0
    for row in rows:
        first, follow = row["turns"]
        language = "ru" if row["id"].startswith("fu-ru") else "en"
        history = [
            {"role": "user", "content": first},
            {"role": "assistant", "content": REPLY[language]},
        ]
        messages = [*(history if with_history else []), {"role": "user", "content": follow}]
        hits += Path(row["source"]).name in await cited(services, messages)
    return hits, len(rows)


@pytest.mark.integration
async def test_follow_up_cites_the_alert_of_the_conversation(runbook_services: Services) -> None:
    # Two conversations, the same follow-up: each cites its own alert's runbook, not
    # the other's.
    alerts = ("KubePodCrashLooping", "KubePodNotReady")
    for alert, other in zip(alerts, reversed(alerts), strict=True):
        sources = await cited(
            runbook_services,
            [
                {"role": "user", "content": f"What does the {alert} alert mean?"},
                {"role": "assistant", "content": REPLY["en"]},
                {"role": "user", "content": "How do I fix it?"},
            ],
        )
        assert f"{alert}.md" in sources and f"{other}.md" not in sources, (alert, sources)


@pytest.mark.integration
@pytest.mark.skipif(not RUNBOOKS.is_dir(), reason="the quality set needs the shared corpus")
async def test_follow_up_quality_set(runbook_services: Services) -> None:
    dev, n_dev = await score(runbook_services, "dev", with_history=True)
    alone, _ = await score(runbook_services, "dev", with_history=False)
    held, n_held = await score(runbook_services, "heldout", with_history=True)
    print(
        f"follow-ups cite the right runbook: dev {dev}/{n_dev} (without history {alone}), "
        f"heldout {held}/{n_held}"
    )
    assert dev >= 0.75 * n_dev and dev > alone
    assert held >= 0.5 * n_held
