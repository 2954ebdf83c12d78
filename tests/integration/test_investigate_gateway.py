"""Investigations through the gateway, as a user gets them: the demo scenario served by the
Kubernetes API simulator, the gateway on a loopback port (router, actions, investigate and
alerts stages over a real redis-server), an LLM stand-in that only echoes and records
every request body, and the official ``openai`` client.

- "what's wrong with ..." is answered from the evidence, in the question's language,
  with the top analyzer in the ``X-Smartops-Investigation`` header and no LLM call;
- an Alertmanager webhook for a broken sandbox pod stores the alert with its cause, and
  "which alerts are firing" shows both;
- the demo's secret values (the Secret, an env value, a token in a log line) appear in
  no answer, no log record and no LLM request, even when the next turn sends the
  investigation back to the model as history;
- ``smartops up --sandbox demo`` serves the same in its own process.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
import yaml

from smartops.bench import echo_upstream
from smartops.sandbox import running_simulator
from smartops.stack.procs import Child, free_port, port_open
from smartops.stack.sandbox import NAME, sandbox_policy
from smartops.stack.threaded import GatewayThread, serving
from tests.support.services import require_binary

pytestmark = pytest.mark.integration
# The demo's secret values: the Secret shop-db (and its base64), cart's REDIS_URL
# password, and the signature of the bearer token in checkout's log.
SECRETS = [
    "Demo-Canary-Password-3f9a",
    "RGVtby1DYW5hcnktUGFzc3dvcmQtM2Y5YQ==",
    "Demo-Redis-Canary-77",
    "ZGVtby1jYW5hcnktc2lnbmF0dXJl",
]
CHECKOUT_POD = "checkout-5b8d7c6f4e-q4w7z"


@dataclass
class LLMRecorder:
    """The echoing LLM stand-in, keeping the body of every request it gets."""

    url: str = ""
    bodies: list[bytes] = field(default_factory=list)


def _recording_llm(recorder: LLMRecorder) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        recorder.bodies.append(body)

        async def replay() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        await echo_upstream.app(scope, replay, send)

    return app


@dataclass
class Gateway:
    url: str
    llm: LLMRecorder


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Gateway]:
    work = tmp_path_factory.mktemp("investigate-gateway")
    llm = LLMRecorder()
    with serving(_recording_llm(llm)) as llm_base, running_simulator("demo", work) as sim:
        llm.url = f"{llm_base}/v1"
        from smartops.config import Settings

        settings = Settings(
            data_dir=work,
            llm_base_url=llm.url,
            redis_url=redis_url.rsplit("/", 1)[0] + "/11",
            knowledge_enabled=False,  # the generated path for the follow-up turn
            cache_enabled=False,
            # The report alone, as the embedded model gets it: in synthesize mode (auto with
            # any other predictor) the model's summary follows it (tests/investigations/
            # test_summary.py).
            answer_mode="extract",
            **sim.settings_changes(),
        )
        server = GatewayThread(settings)
        server.start()
        try:
            yield Gateway(server.url, llm)
        finally:
            server.stop()


@pytest.fixture
def client(gateway: Gateway) -> openai.OpenAI:
    return openai.OpenAI(base_url=gateway.url, api_key="unused", max_retries=0)


def _ask(client: openai.OpenAI, *messages: str) -> tuple[str, httpx.Headers]:
    history = [
        {"role": "user" if i % 2 == 0 else "assistant", "content": text}
        for i, text in enumerate(messages)
    ]
    raw = client.chat.completions.with_raw_response.create(
        model="smartops",
        messages=history,  # type: ignore[arg-type]
    )
    return raw.parse().choices[0].message.content or "", raw.headers


def test_an_investigation_through_the_gateway_names_the_cause(
    gateway: Gateway, client: openai.OpenAI
) -> None:
    calls_before = len(gateway.llm.bodies)
    text, headers = _ask(client, "what's wrong with deployment cart in shop?")
    assert headers["x-smartops-route"] == "investigate"
    assert headers["x-smartops-investigation"] == "oom_killed"
    assert "OOMKilled" in text and "256Mi" in text and "exit code 137" in text
    assert "kubectl get pod cart-" in text  # the evidence is cited as kubectl reads
    russian, headers = _ask(client, "почему checkout в shop падает?")
    assert headers["x-smartops-investigation"] == "crash_loop"
    assert "PAYMENTS_URL" in russian and "не задана переменная окружения" in russian
    assert len(gateway.llm.bodies) == calls_before  # complete without any model


def test_a_firing_alert_for_a_broken_pod_is_listed_with_its_cause(
    gateway: Gateway, client: openai.OpenAI
) -> None:
    webhook = {
        "version": "4",
        "groupKey": '{}:{alertname="KubePodCrashLooping"}',
        "status": "firing",
        "receiver": "smartops",
        "groupLabels": {"alertname": "KubePodCrashLooping"},
        "commonLabels": {"alertname": "KubePodCrashLooping", "namespace": "shop"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.monitoring:9093",
        "alerts": [
            {
                "status": "firing",
                "labels": {
                    "alertname": "KubePodCrashLooping",
                    "namespace": "shop",
                    "pod": CHECKOUT_POD,
                    "container": "checkout",
                    "severity": "warning",
                },
                "annotations": {"summary": f"Pod shop/{CHECKOUT_POD} is crash looping."},
                "startsAt": "2026-12-01T10:00:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus.monitoring:9090/graph?g0.expr=restarts",
                "fingerprint": "5a1e0c0ffee0b0a1",
            }
        ],
    }
    base = gateway.url.removesuffix("/v1")
    first = httpx.post(f"{base}/webhooks/alertmanager", json=webhook, timeout=30)
    assert first.status_code == 200, first.text
    again = httpx.post(f"{base}/webhooks/alertmanager", json=webhook, timeout=30)
    assert again.status_code == 200, again.text  # a resent notification: processed once
    text, _ = _ask(client, "which alerts are firing in shop?")
    assert "KubePodCrashLooping" in text
    cause = text.split("KubePodCrashLooping", 1)[1]
    assert "**Cause**" in cause and f"pod shop/{CHECKOUT_POD}" in cause
    assert "PAYMENTS_URL" in cause  # the cause, from the previous container's log
    assert cause.count("**Cause**") == 1


def test_secret_values_reach_no_answer_log_or_llm_request(
    gateway: Gateway, client: openai.OpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    for question in (
        "what's wrong with deployment cart in shop?",  # REDIS_URL in its env
        "почему checkout в shop падает?",  # a DSN and a bearer token in its logs
        f"what's wrong with pod {CHECKOUT_POD} in shop?",
    ):
        answer, _ = _ask(client, question)
        seen.append(answer)
        # The next turn sends the investigation back as history: to the model this time.
        follow_up, _ = _ask(client, question, answer, "Thanks. Explain that in plain words.")
        seen.append(follow_up)
    assert any(b"Investigation of" in body for body in gateway.llm.bodies), "no model saw it"
    logs = caplog.text + "".join(repr(r.__dict__) for r in caplog.records)
    requests = b"".join(gateway.llm.bodies).decode("utf-8", "replace")
    for value in SECRETS:
        for answer in seen:
            assert value not in answer
        assert value not in logs
        assert value not in requests


def test_the_sandbox_policy_reads_everywhere_and_writes_in_the_scenario() -> None:
    from smartops.actions.catalog import ACTIONS
    from smartops.actions.policy import Policy, PolicyFile
    from smartops.turn import Principal

    policy = Policy(PolicyFile.model_validate(yaml.safe_load(sandbox_policy(["shop"]))))
    me = Principal(user="anonymous")
    assert policy.decide(me, ACTIONS["get_nodes"], None).allowed
    assert policy.decide(me, ACTIONS["scale"], "shop").allowed
    assert not policy.decide(me, ACTIONS["scale"], "kube-system").allowed


def test_smartops_up_with_the_demo_sandbox(tmp_path: Path, redis_url: str) -> None:
    require_binary("redis-server")
    port = free_port()
    with serving(echo_upstream.app) as llm:
        env = {
            **{k: v for k, v in os.environ.items() if k != "SMARTOPS_API_KEY"},
            "SMARTOPS_DATA_DIR": str(tmp_path),
            "SMARTOPS_LLM_BASE_URL": f"{llm}/v1",
            "SMARTOPS_REDIS_URL": redis_url.rsplit("/", 1)[0] + "/12",
            "SMARTOPS_KNOWLEDGE_ENABLED": "false",
            "SMARTOPS_CACHE_ENABLED": "false",
        }
        argv = [sys.executable, "-m", "smartops.cli", "up", "--port", str(port)]
        child = Child("stack", [*argv, "--sandbox", "demo"], tmp_path / "stack.log", env=env)
        child.start()
        try:
            child.wait_ready(lambda: port_open("127.0.0.1", port) and "READY " in child.tail(), 180)
            assert f"{NAME}: scenario demo" in child.tail(400)
            client = openai.OpenAI(
                base_url=f"http://127.0.0.1:{port}/v1", api_key="unused", max_retries=0
            )
            text, headers = _ask(client, "why does service payments in shop have no endpoints?")
            assert headers["x-smartops-investigation"] == "service_endpoints", text
            assert "app=payments" in text
        finally:
            child.stop()
    assert (tmp_path / "sandbox" / "sandbox-policy.yaml").read_text() == sandbox_policy(["shop"])
