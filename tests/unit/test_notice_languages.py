"""The notices of a degraded answer speak the user's language: a backend down (actions,
knowledge, alert store), a model that could not add its summary, an unread image, an
answer cut at the length limit. English reads as it always did."""

from __future__ import annotations

from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from smartops.actions.intent_types import Intent
from smartops.actions.service import Outcome
from smartops.actions.stage import ActionsStage
from smartops.chat import ChatRequest, Message
from smartops.config import Settings
from smartops.errors import UpstreamUnavailable
from smartops.eventing.alerts import AlertDoc
from smartops.eventing.stage import AlertsStage
from smartops.knowledge.stage import KnowledgeStage
from smartops.llm import LLMClient
from smartops.metrics import Metrics
from smartops.pipeline import Pipeline, close_markdown
from smartops.routing.types import RouteDecision
from smartops.turn import Notice, Principal, Reply, Turn
from tests.unit.gateway.conftest import closed_upstream

RU, EN = "покажи поды в неймспейсе shop", "show pods in namespace shop"


def _turn(question: str, decision: RouteDecision | None = None) -> Turn:
    chat = ChatRequest(model="smartops", messages=[Message(role="user", content=question)])
    turn = Turn(request=chat, request_id="t", principal=Principal("u"))
    turn.decision = decision
    return turn


class DownActions:
    async def run(self, *args: Any, **kwargs: Any) -> Outcome:
        raise UpstreamUnavailable("Kubernetes at https://k8s cannot be reached.")

    async def decide(self, *args: Any, **kwargs: Any) -> Outcome:
        raise AssertionError("no decision here")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (RU, "Действия недоступны: Kubernetes at https://k8s cannot be reached."),
        (EN, "Actions are unavailable: Kubernetes at https://k8s cannot be reached."),
    ],
)
async def test_actions_down(question: str, expected: str) -> None:
    read = RouteDecision("live_read", Intent("get_pods", {"namespace": "shop"}))
    turn = _turn(question, read)
    await ActionsStage(DownActions(), Metrics()).before(turn)
    assert turn.notices == [expected]


class DownGraph:
    async def prompt(self, instance: dict[str, Any]) -> dict[str, Any]:
        raise OSError("connection refused")

    async def ping(self) -> bool:
        return False

    async def aclose(self) -> None:
        return None


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Что такое бюджет прерываний пода?", "База знаний сейчас недоступна"),
        ("What is a PodDisruptionBudget?", "The knowledge base is unavailable right now: "),
    ],
)
async def test_knowledge_down(question: str, expected: str) -> None:
    turn = _turn(question)
    await KnowledgeStage(Settings(), Metrics(), DownGraph(), None).before(turn)
    assert len(turn.notices) == 1 and turn.notices[0].startswith(expected)
    if question.startswith("What"):
        assert turn.notices[0].endswith("this answer cites no documentation.")
    else:
        assert "knowledge base" not in turn.notices[0]


class DownStore:
    async def all(self) -> list[AlertDoc]:
        raise RedisConnectionError("down")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("какие алерты сейчас сработали?", "Хранилище алертов недоступно"),
        (
            "which alerts are firing now?",
            "The alert store is unavailable: current alerts are not known to this answer.",
        ),
    ],
)
async def test_alert_store_down(question: str, expected: str) -> None:
    turn = _turn(question, RouteDecision("live_read", Intent("prom_alerts", {})))
    await AlertsStage(DownStore(), Metrics()).before(turn)  # type: ignore[arg-type]
    assert len(turn.notices) == 1 and turn.notices[0].startswith(expected)
    assert ("alert store" in turn.notices[0]) == question.startswith("which")


class Extract:
    """A stage that leaves an extract for the model to summarize (the model is down)."""

    name = "extract"

    async def before(self, turn: Turn) -> Reply | None:
        turn.preface = "Read the pod's previous logs."
        return None

    async def after(self, turn: Turn, answer: str) -> None:
        return None


@pytest.mark.parametrize(
    ("question", "said", "not_said"),
    [
        ("почему под падает?", "Модель не смогла добавить своё резюме", "could not add"),
        ("why does my pod crash?", "The model could not add its summary: ", "Модель"),
    ],
)
async def test_a_summary_the_model_could_not_add(question: str, said: str, not_said: str) -> None:
    settings = Settings(llm_base_url=closed_upstream(), llm_connect_retries=0)
    metrics = Metrics()
    llm = LLMClient(settings.llm, metrics)
    try:
        turn = _turn(question)
        pieces = [
            p async for p in await Pipeline(settings, llm, metrics, [Extract()]).prepare(turn)
        ]
    finally:
        await llm.aclose()
    notices = "".join(p.text for p in pieces if isinstance(p, Notice))
    assert said in notices and not_said not in notices


def _with_image(text: str) -> ChatRequest:
    parts = [
        {"type": "text", "text": text},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
    ]
    return ChatRequest(model="smartops", messages=[Message(role="user", content=parts)])


def test_an_unread_image() -> None:
    assert _with_image("что на этом скриншоте?").notices == [
        "Эта модель читает только текст: изображение в вашем сообщении (image_url) не прочитано."
    ]
    assert _with_image("what is on this screenshot?").notices == [
        "This model reads text only: an image in your message (image_url) was not read."
    ]


def test_an_answer_cut_at_the_length_limit() -> None:
    russian = close_markdown("Ответ", "length", "ru")
    assert "Ответ обрезан" in russian and "cut off" not in russian
    english = close_markdown("An answer", "length", "en")
    assert english == "\n\n_(The answer was cut off at the length limit.)_"
    assert close_markdown("An answer", "length") == english
