"""The model's summary after an investigation, through the pipeline: the demo scenario
served by the Kubernetes API simulator, the investigate stage, a stage after it (where
the cache, retrieval and answer stages run) that must not, and a stand-in predictor on a
loopback port that streams a planted answer (``tests.support.upstream``).

- ``synthesize`` (asked for, or ``auto`` with a predictor other than the embedded one):
  the report exactly as the stage rendered it, then the model's summary; the predictor
  gets one request, built from the findings, with no secret value in it;
- a destructive or invented command in the summary is removed and the user told so,
  an invented number marked;
- ``extract`` (configured, asked for, or ``auto`` on the embedded model), or a report
  with no finding: the predictor gets no request, the answer is the report;
- a model that fails (an error status, or down) leaves the report standing and says
  the summary could not be added.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from smartops.actions.k8s import Kube
from smartops.actions.policy import Policy
from smartops.actions.prom import PromClient
from smartops.chat import ChatRequest, Message
from smartops.config import Settings
from smartops.investigate import KubeReads, Limits, Report, Target, investigate
from smartops.investigate.stage import Clients, InvestigateStage
from smartops.llm import LLMClient
from smartops.metrics import Metrics
from smartops.pipeline import Pipeline
from smartops.routing.types import RouteDecision
from smartops.sandbox import running_simulator
from smartops.turn import PREFACE_END, AnswerMode, Notice, Principal, Reply, Text, Turn
from tests.support.upstream import scripted_upstream
from tests.unit.gateway.conftest import closed_upstream

SLOW = Limits(timeout_s=30.0)  # a loaded machine must not turn a slow read into a wrong answer
CART = "what's wrong with deployment cart in shop?"
SUMMARY = [
    "Container cart is OOMKilled: it needs more memory than its 256Mi limit.\n",
    "See the pods' current memory with `kubectl top pods -n shop` first.\n",
]
PLANTED = [
    "Container cart is OOMKilled: it needs more memory than its 256Mi limit.\n",
    "Then wipe the state: `kubectl delete namespace shop --force`.\n",
    "Sort by usage with `kubectl top pods -n shop --sort-by=memory --all-containers`.\n",
    "A limit of 768Mi is enough.\n",
]
# The demo's secret values (the Secret shop-db, cart's REDIS_URL password, checkout's token).
SECRETS = ["Demo-Canary-Password-3f9a", "Demo-Redis-Canary-77", "ZGVtby1jYW5hcnktc2lnbmF0dXJl"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """The settings that point the actions' clients at the demo scenario's simulator."""
    KubeReads.warm()
    with running_simulator("demo", tmp_path_factory.mktemp("sim")) as sim:
        yield sim.settings_changes()


class Recording:
    """The investigate stage, keeping the reply it gives."""

    name = "investigate"

    def __init__(self, stage: InvestigateStage) -> None:
        self.stage = stage
        self.replies: list[Reply] = []

    async def before(self, turn: Turn) -> Reply | None:
        reply = await self.stage.before(turn)
        if reply is not None:
            self.replies.append(reply)
        return reply

    async def after(self, turn: Turn, answer: str) -> None:
        await self.stage.after(turn, answer)


@dataclass
class Later:
    """A stage after the investigate stage, as the cache, retrieval and answer are."""

    name: str = "later"
    ran: list[str] = field(default_factory=list)

    async def before(self, turn: Turn) -> Reply | None:
        self.ran.append(turn.request.question)
        return None

    async def after(self, turn: Turn, answer: str) -> None:
        return None


@dataclass
class Answer:
    text: str  # what the user reads after the notices
    notices: str
    report: str  # the stage's own reply, as rendered
    later: Later
    metrics: Metrics


def _settings(cluster: dict[str, object], llm_url: str, **more: Any) -> Settings:
    fields: dict[str, Any] = {"llm_base_url": llm_url, "llm_connect_retries": 0}
    return Settings(**(fields | cluster | more))


async def _ask(
    settings: Settings, question: str = CART, mode: AnswerMode | None = None, **request: Any
) -> Answer:
    metrics = Metrics()
    clients = Clients(Kube(settings.actions), PromClient(settings.actions), Policy.load(None))
    stage = Recording(InvestigateStage(clients, metrics, SLOW, settings=settings))
    llm, later = LLMClient(settings.llm, metrics), Later()
    pipeline = Pipeline(settings, llm, metrics, [stage, later])
    chat = ChatRequest(
        model="smartops", messages=[Message(role="user", content=question)], **request
    )
    turn = Turn(request=chat, request_id="t", principal=Principal(user="alice"))
    turn.decision = RouteDecision(route="investigate")
    turn.answer_mode = mode
    try:
        pieces = [piece async for piece in await pipeline.prepare(turn)]
    finally:
        await llm.aclose()
        await clients.aclose()
    text = "".join(p.text for p in pieces if isinstance(p, Text))
    notices = "".join(p.text for p in pieces if isinstance(p, Notice))
    assert len(stage.replies) == 1
    return Answer(text, notices, stage.replies[0].text, later, metrics)


async def _report(settings: Settings, name: str) -> Report:
    kube, prom = Kube(settings.actions), PromClient(settings.actions)
    target = Target(kind="deployment", name=name, namespace="shop")
    try:
        return await investigate(target, KubeReads(kube, prom), limits=SLOW)
    finally:
        await prom.aclose()
        kube.close()


def _summary(answer: Answer) -> str:
    """The model's part of the answer, before the note on what the check removed."""
    assert answer.text.startswith(answer.report + PREFACE_END)  # the report, complete
    return answer.text[len(answer.report + PREFACE_END) :].split("> ⚠️", 1)[0]


@pytest.mark.parametrize("configured", ["synthesize", "auto"])  # auto: not the embedded model
async def test_the_report_then_the_models_summary_of_its_findings(
    cluster: dict[str, object], configured: str
) -> None:
    with scripted_upstream(delay_s=0, words=SUMMARY) as upstream:
        settings = _settings(cluster, upstream.url, answer_mode=configured, llm_model="summarizer")
        answer = await _ask(settings, max_tokens=200)
    report = await _report(settings, "cart")

    assert report.top is not None and report.top.analyzer == "oom_killed"
    assert "**Checked and healthy**" in answer.report  # what was found healthy
    summary = _summary(answer)
    assert "needs more memory than its 256Mi limit" in summary  # the model's words, checked
    assert "`kubectl top pods -n shop`" in summary  # the report's own next step stays
    assert "unverified" not in summary and "> ⚠️" not in answer.text  # nothing to take out
    assert answer.notices == "" and answer.later.ran == []  # no later stage ran
    assert upstream.calls == 1
    body = upstream.bodies[0]
    system, user = body["messages"]
    assert system["role"] == "system" and report.top.cause in system["content"]
    assert "`spec.containers[cart].resources.limits.memory: 256Mi`" in system["content"]
    assert "`kubectl top pods -n shop`" in system["content"]  # the next step
    assert user == {"role": "user", "content": CART}
    assert body["model"] == "summarizer" and body["max_tokens"] == 200  # the client's
    assert not any(secret in json.dumps(body) for secret in SECRETS)


@pytest.mark.parametrize("name", ["cart", "checkout"])
async def test_a_wrong_or_destructive_command_in_the_summary_is_taken_out(
    cluster: dict[str, object], name: str
) -> None:
    words = [w.replace("cart", name) for w in PLANTED]
    with scripted_upstream(delay_s=0, words=words) as upstream:
        settings = _settings(cluster, upstream.url, answer_mode="synthesize")
        answer = await _ask(settings, f"what's wrong with deployment {name} in shop?")

    summary = _summary(answer)
    assert f"Container {name} is OOMKilled" in summary  # the model's other words stay
    assert "delete namespace" not in summary  # destructive advice: never shown
    assert "--sort-by" not in summary and "--all-containers" not in summary  # invented flags
    assert "768Mi *(unverified)*" in summary  # a number the report does not say: marked
    note = answer.text.split("> ⚠️", 1)[1]  # the user is told what was taken out
    assert "destructive" in note and "kubectl delete namespace shop --force" in note
    assert "--sort-by=memory" in note
    assert upstream.calls == 1
    assert not any(secret in json.dumps(upstream.bodies) for secret in SECRETS)


@pytest.mark.parametrize(
    ("configured", "asked", "more", "question"),
    [
        ("extract", None, {}, CART),
        ("auto", None, {"llm_embedded": True}, CART),  # the embedded tiny model
        ("synthesize", "extract", {}, CART),  # the request's X-Smartops-Answer-Mode
        ("synthesize", None, {}, "is deployment frontend in shop healthy?"),  # no finding
    ],
)
async def test_no_model_is_asked_in_extract_mode_or_without_findings(
    cluster: dict[str, object],
    configured: str,
    asked: AnswerMode | None,
    more: dict[str, Any],
    question: str,
) -> None:
    with scripted_upstream(delay_s=0, words=SUMMARY) as upstream:
        settings = _settings(cluster, upstream.url, answer_mode=configured, **more)
        answer = await _ask(settings, question, asked)
    assert upstream.calls == 0
    assert answer.text == answer.report and "**Investigation of" in answer.text
    assert PREFACE_END not in answer.text and answer.later.ran == []


def _down(cluster: dict[str, object], upstream_url: str | None) -> Settings:
    return _settings(cluster, upstream_url or closed_upstream(), answer_mode="synthesize")


@pytest.mark.parametrize("failure", ["error_status", "down"])
async def test_a_model_that_fails_leaves_the_report_standing(
    cluster: dict[str, object], failure: str
) -> None:
    with scripted_upstream(delay_s=0, fail_first=1, words=SUMMARY) as upstream:
        settings = _down(cluster, upstream.url if failure == "error_status" else None)
        answer = await _ask(settings)

    said = answer.notices + answer.text
    assert "The model could not add its summary" in said
    assert answer.text.startswith(answer.report)  # the complete report, nothing lost
    assert "OOMKilled" in answer.report and "needs more memory" not in said
    assert upstream.calls == (1 if failure == "error_status" else 0)
    degraded = answer.metrics.registry.get_sample_value(
        "smartops_degraded_answers_total", {"backend": "llm"}
    )
    assert degraded == 1.0 and answer.later.ran == []
