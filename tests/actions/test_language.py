"""The actions speak the user's language: table chrome, titles and notes, write previews,
and the questions they ask back (English stays as it always read). No services: the
executors run over a fake Kubernetes client and a mocked Prometheus/Alertmanager."""

# ruff: noqa: RUF001  (the Russian phrasings are Cyrillic on purpose)
from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, cast, get_args

import httpx
import pytest

from smartops.actions import catalog
from smartops.actions.audit import Audit
from smartops.actions.confirm import Confirmations
from smartops.actions.executors import Executors
from smartops.actions.intent import parse
from smartops.actions.intent_types import Ask, AskKey
from smartops.actions.k8s import Kube
from smartops.actions.k8s_describe import describe_pod
from smartops.actions.logs_search import LogSearch
from smartops.actions.policy import Policy
from smartops.actions.prom import PromClient
from smartops.actions.render import Note, Phrase, Result, Table, preview, render
from smartops.actions.service import ActionService
from smartops.actions.stage import ActionsStage
from smartops.answers.models import Language
from smartops.chat import ChatRequest, Message
from smartops.config import Settings
from smartops.metrics import Metrics
from smartops.routing.router import Router
from smartops.routing.types import RouteDecision
from smartops.turn import Principal, Turn

POD = {
    "metadata": {"name": "api-1", "namespace": "shop", "labels": {"app": "api"}},
    "spec": {"nodeName": "worker-1", "containers": [{"name": "api", "image": "api:1"}]},
    "status": {"phase": "Running", "conditions": [], "containerStatuses": []},
}


class FakeKube:
    """Just enough of ``Kube`` for describe_pod and the pod-log search."""

    configured = False

    def core(self) -> Any:
        return SimpleNamespace(
            read_namespaced_pod="pod",
            list_namespaced_event="events",
            list_namespaced_pod="pods",
            read_namespaced_pod_log="log",
        )

    async def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        return {
            "pod": POD,
            "events": {"items": []},
            "pods": {"items": [POD]},
            "log": "GET /orders timeout after 5s\nGET /orders 200",
        }[method]


def _prom(handler: Callable[[httpx.Request], httpx.Response]) -> PromClient:
    settings = Settings(
        actions_prometheus_url="http://prom", actions_alertmanager_url="http://am"
    ).actions
    return PromClient(settings, http=httpx.AsyncClient(transport=httpx.MockTransport(handler)))


def _pods(n: int) -> Table:
    return Table(["namespace", "pod"], [["shop", f"api-{i}"] for i in range(n)], "pods")


BLOCKS = [_pods(143), _pods(2), Table(["last seen"], [], "events", Phrase("recent_events"))]


def test_table_chrome_in_russian() -> None:
    text = render(BLOCKS, 20, 100, "ru")
    assert "_показано 20 из 143 подов_" in text and "_2 пода_" in text
    assert "**Последние события**" in text and "Событий не найдено." in text
    for english in ("showing", "pods_", "Recent events", "No events found"):
        assert english not in text
    assert "| namespace | pod |" in text  # kubectl's column headers stay as they are


def test_table_chrome_in_english_is_unchanged() -> None:
    text = render(BLOCKS, 20, 100, "en")
    assert "_showing 20 of 143 pods_" in text and "_2 pods_" in text
    assert "**Recent events**\n\nNo events found." in text
    assert "показано" not in text


async def test_describe_pod_titles_follow_the_language() -> None:
    result = await describe_pod(
        cast(Kube, FakeKube()), catalog.PodArgs(namespace="shop", name="api-1"), "u"
    )
    russian, english = render(result.blocks, 20, 100, "ru"), render(result.blocks, 20, 100, "en")
    assert "**Под shop/api-1**" in russian and "**Условия**" in russian
    assert "**Переменные окружения**" in russian and "Переменных не найдено." in russian
    assert "**Последние события**" in russian and "Environment" not in russian
    assert "**Pod shop/api-1**" in english and "**Conditions**\n\nNo conditions found." in english
    assert "**Environment**" in english and "**Recent events**" in english


async def test_the_pod_log_search_note_follows_the_language() -> None:
    settings = Settings().actions
    search = LogSearch(settings, cast(Kube, FakeKube()))
    args = catalog.LogSearchArgs(text="timeout", namespace="shop")
    result = await search.search(args, "u")
    await search.aclose()
    russian, english = render(result.blocks, 20, 100, "ru"), render(result.blocks, 20, 100, "en")
    assert "Хранилище логов не настроено: просмотрены логи 1 пода." in russian
    assert "_1 найденная строка_" in russian and "No log store" not in russian
    assert "No log store is configured: searched the pod logs of 1 pod(s)." in english
    assert "_1 matching lines_" in english


async def test_a_query_that_returns_nothing_says_so_in_russian() -> None:
    empty = {"status": "success", "data": {"resultType": "vector", "result": []}}
    prom = _prom(lambda request: httpx.Response(200, json=empty))
    result = await prom.query(catalog.QueryArgs(query="up == 0"))
    scalar = {"status": "success", "data": {"resultType": "scalar", "result": [0, "7"]}}
    prom2 = _prom(lambda request: httpx.Response(200, json=scalar))
    value = await prom2.query(catalog.QueryArgs(query="vector(7)"))
    await prom.aclose()
    await prom2.aclose()
    russian = render(result.blocks + value.blocks, 20, 100, "ru")
    assert "**Запрос**" in russian and "**Результат**" in russian
    assert "Рядов не найдено." in russian and "Результат: `7`" in russian
    assert "Query" not in russian and "No series found" not in russian
    english = render(result.blocks + value.blocks, 20, 100, "en")
    assert "**Query**" in english and "No series found." in english and "Result: `7`" in english
    assert render([Note(Phrase("query_empty"))], 20, 100, "ru") == "Запрос ничего не вернул."


async def test_a_silence_preview_and_its_id_in_russian() -> None:
    def alertmanager(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(200, json={"silenceID": "s-42"})
        return httpx.Response(200, json=[{"labels": {"alertname": "KubePodCrashLooping"}}])

    prom = _prom(alertmanager)
    args = catalog.SilenceArgs(matchers={"alertname": "KubePodCrashLooping"}, minutes=120)
    dry = await prom.silence(args, "alice", dry_run=True)
    ran = await prom.silence(args, "alice", dry_run=False)
    await prom.aclose()
    russian = preview("silence", dry.changes, dry.summary, "0a1b2c3d4e5f", 300, "ru")
    assert 'алертов под {alertname="KubePodCrashLooping"}: 1' in russian
    assert (
        '| alertmanager | silence | (нет) | {alertname="KubePodCrashLooping"} на 120 мин |'
        in russian
    )
    assert "сколько алертов заглушит сейчас" in russian and "alert(s) match" not in russian
    english = preview("silence", dry.changes, dry.summary, "0a1b2c3d4e5f", 300, "en")
    assert '1 alert(s) match {alertname="KubePodCrashLooping"}' in english
    assert "| alertmanager | alerts it silences now | 0 | 1 |" in english
    assert render(ran.blocks, 20, 100, "ru") == "ID сайленса: `s-42`"
    assert render(ran.blocks, 20, 100, "en") == "Silence id: `s-42`"


class OneResult:
    """Executors that answer every read with one result."""

    kube = FakeKube()

    def __init__(self, result: Result) -> None:
        self.result = result

    async def read(self, action: catalog.Action, args: catalog.Args, user: str) -> Result:
        return self.result


@pytest.mark.parametrize(
    ("language", "said", "not_said"),
    [
        ("ru", ["**Под shop/api**", "_показано 20 из 25 подов_"], ["showing", "Pod shop"]),
        ("en", ["**Pod shop/api**", "_showing 20 of 25 pods_"], ["показано", "Под"]),
    ],
)
async def test_the_service_renders_a_read_in_the_users_language(
    language: Language, said: list[str], not_said: list[str]
) -> None:
    title = Phrase("pod_title", {"pod": "shop/api"})
    result = Result([Table(["field", "value"], [["ip", "10.0.0.1"]], "fields", title), _pods(25)])
    service = ActionService(
        Settings().actions,
        cast(Executors, OneResult(result)),
        Policy.load(None),
        Confirmations(None, 300),
        Audit(None, "audit", 10),
        Metrics(),
    )
    outcome = await service.run(Principal("u"), "get_pods", {"namespace": "shop"}, language)
    assert outcome.status == "ok"
    assert all(s in outcome.text for s in said) and not any(s in outcome.text for s in not_said)


def _turn(question: str, decision: RouteDecision) -> Turn:
    chat = ChatRequest(model="smartops", messages=[Message(role="user", content=question)])
    turn = Turn(request=chat, request_id="t", principal=Principal("u"))
    turn.decision = decision
    return turn


async def _asked(question: str, ask: Ask | None = None) -> str:
    found = ask or parse(question)
    assert isinstance(found, Ask), found
    stage = ActionsStage(cast(Any, None), Metrics())
    reply = await stage.before(_turn(question, RouteDecision("clarify", ask=found)))
    assert reply is not None
    return reply.text


async def test_a_question_back_is_asked_in_russian() -> None:
    text = await _asked("перезапусти деплоймент")
    assert text.startswith("Какой деплоймент и в каком неймспейсе?")
    assert "Например:\n- `restart deployment api in shop`" in text
    assert "Which" not in text and "never guess" not in text
    scale = await _asked("масштабируй деплоймент api в shop")
    assert "До скольких реплик масштабировать деплоймент api в shop?" in scale


async def test_a_question_back_in_english_reads_as_before() -> None:
    assert await _asked("restart the deployment") == (
        "Which deployment and namespace? I never guess the target of a change.\n\n"
        "For example:\n- `restart deployment api in shop`"
    )
    assert (await _asked("cordon the node")).startswith("Which node should be cordoned?")


async def test_the_routers_questions_are_asked_in_russian_too() -> None:
    router = Router.build(None)
    refused = router.decide("kubectl delete deployment api -n shop")
    assert refused.question == (
        "`kubectl delete` is not allowed from the chat. Allowed writes: rollout restart, "
        "rollout undo, scale and cordon."
    )
    russian = await _asked("удали деплоймент: kubectl delete", refused.ask)
    assert "из чата не разрешён" in russian and "not allowed" not in russian
    invalid = router.decide("kubectl get pods -n Bad_NS")
    assert invalid.route == "clarify" and (invalid.question or "").startswith(
        "Invalid arguments for get_pods:"
    )
    russian = await _asked("покажи поды в Bad_NS", invalid.ask)
    assert "Не могу выполнить `get_pods` с такими аргументами (поле namespace)" in russian
    assert "Invalid arguments" not in russian


def test_every_question_key_reads_in_both_languages() -> None:
    params = {"missing": "deployment", "name": "api", "namespace": "shop", "verb": "delete"}
    params |= {"sub": "pause", "message": "m", "action": "scale", "param": "", "detail": "d"}
    for key in get_args(AskKey):
        english, russian = Ask(key, [], params).text("en"), Ask(key, [], params).text("ru")
        assert english and russian and english != russian, key
