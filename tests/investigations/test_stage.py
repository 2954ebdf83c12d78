"""The investigate stage over the Kubernetes API simulator: it acts on the investigate
route only, answers in the question's language, says what to connect when no cluster
is, asks the actions' policy before every read (a refused read is shown, never made),
and gives the alert handlers one bounded cause per alert."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from smartops.actions.k8s import Kube
from smartops.actions.policy import Policy, PolicyFile, Role
from smartops.actions.prom import PromClient
from smartops.chat import ChatRequest, Message
from smartops.config import Settings
from smartops.eventing.alerts import AlertCause, AlertDoc, merge, needs_cause
from smartops.investigate import KubeReads, Limits
from smartops.investigate.stage import (
    HEADER,
    AlertInvestigator,
    Clients,
    InvestigateStage,
    target_of,
)
from smartops.metrics import Metrics
from smartops.routing.types import RouteDecision
from smartops.routing.types import Target as RoutedTarget
from smartops.sandbox import running_simulator
from smartops.timestamps import utc_now
from smartops.turn import Principal, Turn

SLOW = Limits(timeout_s=30.0)


def _turn(question: str, route: str = "investigate", user: str = "alice") -> Turn:
    chat = ChatRequest(model="smartops", messages=[Message(role="user", content=question)])
    turn = Turn(request=chat, request_id="t", principal=Principal(user=user))
    turn.decision = RouteDecision(route=route)  # type: ignore[arg-type]
    return turn


def _policy(reads: list[str], namespaces: list[str]) -> Policy:
    return Policy(
        PolicyFile(
            roles={"r": Role(actions=reads, namespaces=namespaces)},
            bindings=[{"subjects": ["*"], "roles": ["r"]}],  # type: ignore[list-item]
        )
    )


@pytest.fixture(scope="module")
def sim_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    KubeReads.warm()  # the client's import cost is the process's (paid at startup)
    with running_simulator("demo", tmp_path_factory.mktemp("sim")) as sim:
        yield Settings().with_changes(**sim.settings_changes())


def _stage(settings: Settings, policy: Policy | None = None) -> InvestigateStage:
    clients = Clients(
        Kube(settings.actions), PromClient(settings.actions), policy or Policy.load(None)
    )
    # A generous deadline: a loaded machine must not turn a slow read into a wrong answer.
    return InvestigateStage(clients, Metrics(), SLOW)


async def test_other_routes_pass_and_the_answer_follows_the_language(
    sim_settings: Settings,
) -> None:
    stage = _stage(sim_settings)
    try:
        assert await stage.before(_turn("show pods in shop", route="live_read")) is None
        turn = _turn("почему checkout в shop падает?")
        reply = await stage.before(turn)
        assert reply is not None and "PAYMENTS_URL" in reply.text
        assert "Расследование" in reply.text
        assert turn.headers[HEADER] == "crash_loop" and turn.cacheable is False
        english = await stage.before(_turn("why is recommendations pending in shop?"))
        assert english is not None and "Insufficient cpu" in english.text
    finally:
        await stage.clients.aclose()


async def test_no_cluster_says_what_to_connect() -> None:
    stage = _stage(Settings(actions_kubeconfig=None))
    for question, words in (
        ("what's wrong with deployment cart in shop?", "SMARTOPS_ACTIONS_KUBECONFIG"),
        ("почему cart в shop падает?", "make run SANDBOX=demo"),
    ):
        reply = await stage.before(_turn(question))
        assert reply is not None and words in reply.text
    ru = await stage.before(_turn("почему cart в shop падает?"))
    assert ru is not None and "не подключён" in ru.text
    await stage.clients.aclose()


async def test_a_user_the_policy_does_not_let_read_gets_a_refusal(
    sim_settings: Settings,
) -> None:
    stage = _stage(sim_settings, _policy(["read"], ["payments"]))
    try:
        reply = await stage.before(_turn("what's wrong with deployment cart in shop?"))
        assert reply is not None and "Not allowed" in reply.text and "shop" in reply.text
        assert "OOMKilled" not in reply.text  # nothing was read
    finally:
        await stage.clients.aclose()


async def test_a_refused_read_is_reported_not_made(sim_settings: Settings) -> None:
    # Namespaced reads only: the node and the logs are not this user's to read.
    allowed = ["describe_pod", "get_pods", "get_events", "get_deployments"]
    stage = _stage(sim_settings, _policy(allowed, ["shop"]))
    try:
        turn = _turn("what's wrong with deployment cart in shop?")
        reply = await stage.before(turn)
        assert reply is not None and "OOMKilled" in reply.text  # from the pod's status
        assert "--tail=200` (forbidden)" in reply.text  # the log read, refused
    finally:
        await stage.clients.aclose()


def test_the_target_comes_from_the_question_then_the_router() -> None:
    routed = RoutedTarget(kind="pod", name="cart-1", namespace="shop")
    parsed = target_of("what's wrong with pod cart-1?", routed)
    assert parsed is not None and (parsed.name, parsed.namespace) == ("cart-1", "shop")
    only_router = target_of("hmm", routed)
    assert only_router is not None and only_router.kind == "pod"
    assert target_of("hmm", None) is None


async def test_the_alert_investigator_names_the_cause_once_bounded(
    sim_settings: Settings,
) -> None:
    clients = Clients(
        Kube(sim_settings.actions), PromClient(sim_settings.actions), Policy.load(None)
    )
    investigator = AlertInvestigator(clients, SLOW)
    try:
        labels = {"alertname": "KubePodCrashLooping", "namespace": "shop", "pod": "cart"}
        labels["pod"] = "cart-6f7d9c8b5-x8k2p"
        cause = await investigator(labels)
        assert cause is not None and cause.analyzer == "oom_killed"
        assert "256Mi" in cause.text and cause.text_ru and cause.evidence
        unknown = await investigator({"alertname": "Watchdog"})
        assert unknown is None  # no object named: nothing stored
    finally:
        await clients.aclose()


def test_a_cause_belongs_to_its_occurrence() -> None:
    now = utc_now()
    doc = AlertDoc(
        fingerprint="f",
        alertname="A",
        status="firing",
        labels={"pod": "p"},
        starts_at=now,
        updated_at=now,
    )
    assert needs_cause(doc)
    done = doc.model_copy(update={"cause": AlertCause(text="x", starts_at=now)})
    assert not needs_cause(done)
    same = merge(done, doc)  # the same occurrence notified again: the cause stays
    assert same is not None and same.cause is not None
    later = doc.model_copy(update={"starts_at": now.replace(year=now.year + 1)})
    fresh = merge(done, later)
    assert fresh is not None and needs_cause(fresh)  # a new occurrence: investigated again
    assert not needs_cause(done.model_copy(update={"status": "resolved", "cause": None}))
