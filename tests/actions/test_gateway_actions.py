"""Through the gateway: tables, dry runs, confirmation, refusals, audit, canaries, injection.

The gateway app is served over httpx's ASGI transport from 127.0.0.1 (a trusted proxy
here, so Open WebUI's forwarded user headers count), with kmock's Kubernetes, real
Redis, real Prometheus/Alertmanager and, where an answer needs one, the real LLM.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis

from smartops.actions import audit
from smartops.config import Settings
from smartops.gateway import create_app
from smartops.services import Services, build_services
from smartops.turn import ContextBlock, Reply, Source, Turn
from tests.actions.conftest import INJECTION, Kube, Monitoring
from tests.actions.world import CANARY_JWT, CANARY_PASSWORD, POLICY

pytestmark = pytest.mark.integration
STREAM = "test:audit:gateway"
ALICE = {
    "X-OpenWebUI-User-Email": "alice@example.com",
    "X-OpenWebUI-User-Id": "u-alice",
    "X-OpenWebUI-User-Role": "user",
}
BOB = {
    "X-OpenWebUI-User-Email": "bob@example.com",
    "X-OpenWebUI-User-Id": "u-bob",
    "X-OpenWebUI-User-Role": "user",
}


@dataclass
class Gateway:
    http: httpx.AsyncClient
    services: Services
    settings: Settings

    async def say(
        self,
        text: str,
        user: dict[str, str],
        history: list[Any] | None = None,
        stream: bool = False,
    ) -> str:
        messages = [*(history or []), {"role": "user", "content": text}]
        response = await self.http.post(
            "/v1/chat/completions",
            headers=user,
            json={"model": "smartops", "messages": messages, "stream": stream},
        )
        assert response.status_code == 200, response.text
        if not stream:
            return str(response.json()["choices"][0]["message"]["content"])
        chunks = [
            json.loads(line[6:])
            for line in response.text.splitlines()
            if line.startswith("data: {")
        ]
        return "".join(
            c["choices"][0]["delta"].get("content", "") for c in chunks if c.get("choices")
        )


def _settings(kube: Kube, tmp_path: Path, redis_url: str, llm: str, **extra: Any) -> Settings:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    values: dict[str, Any] = {"actions_trusted_proxies": "127.0.0.1/32", **extra}
    return Settings(
        data_dir=tmp_path,
        llm_base_url=llm,
        redis_url=redis_url,
        actions_kubeconfig=kube.kubeconfig,
        actions_policy_file=policy,
        actions_audit_stream=STREAM,
        **values,
    )


@pytest.fixture
async def gateway(kube: Kube, tmp_path: Path, redis_url: str) -> AsyncIterator[Gateway]:
    # No LLM is needed for actions: they answer without it (the port is closed).
    settings = _settings(kube, tmp_path, redis_url, "http://127.0.0.1:9/v1")
    async with _gateway(settings, redis_url) as gw:
        yield gw


class _gateway:  # noqa: N801 - used as ``async with _gateway(...)``
    def __init__(self, settings: Settings, redis_url: str) -> None:
        self.settings, self.redis_url = settings, redis_url

    async def __aenter__(self) -> Gateway:
        client = aioredis.Redis.from_url(self.redis_url)
        await client.delete(STREAM)
        await client.aclose()
        self.services = build_services(self.settings)
        transport = httpx.ASGITransport(app=create_app(self.services), client=("127.0.0.1", 40000))
        self.http = httpx.AsyncClient(transport=transport, base_url="http://gateway")
        return Gateway(self.http, self.services, self.settings)

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()
        await self.services.aclose()


async def _audit(redis_url: str) -> list[dict[str, Any]]:
    client = aioredis.Redis.from_url(redis_url)
    try:
        return await audit.tail(client, STREAM, 100)
    finally:
        await client.aclose()


def _api(kube: Kube) -> dict[str, Any]:
    return dict(kube.emulator.objects["apps/v1/deployments", "shop", "api"].raw)


async def test_crashlooping_pods_come_back_as_a_table(gateway: Gateway) -> None:
    answer = await gateway.say("show crashlooping pods in payments", BOB)
    assert "| namespace | pod | ready | status | restarts | age | node |" in answer
    assert "| payments | api-1 | 0/1 | CrashLoopBackOff | 7 |" in answer
    streamed = await gateway.say("show crashlooping pods in payments", BOB, stream=True)
    assert "| payments | worker-1 | 0/1 | CrashLoopBackOff | 3 |" in streamed


async def test_restart_needs_the_same_users_confirmation(
    gateway: Gateway, kube: Kube, redis_url: str
) -> None:
    before = _api(kube)
    preview = await gateway.say("restart deployment api in shop", ALICE)
    assert "Dry run of `rollout_restart`" in preview and "restartedAt" in preview
    token = preview.split("confirm ", 1)[1][:12]
    assert _api(kube) == before

    refused = await gateway.say(f"confirm {token}", BOB)
    assert "belongs to another user" in refused and _api(kube) == before
    not_allowed = await gateway.say("restart deployment api in shop", BOB)
    assert "Not allowed" in not_allowed and _api(kube) == before

    done = await gateway.say(f"confirm {token}", ALICE)
    assert "Done" in done
    assert (
        "kubectl.kubernetes.io/restartedAt"
        in _api(kube)["spec"]["template"]["metadata"]["annotations"]
    )

    records = await _audit(redis_url)
    assert [(r["email"], r["action"], r["decision"], r["outcome"]) for r in records] == [
        ("alice@example.com", "rollout_restart", "needs_confirmation", "pending"),
        ("bob@example.com", "", "denied", "refused"),
        ("bob@example.com", "rollout_restart", "denied", "refused"),
        ("alice@example.com", "rollout_restart", "confirmed", "ok"),
    ]
    assert all(r["request_id"] and r["duration_ms"] >= 0 for r in records)
    assert records[0]["args"] == {"namespace": "shop", "name": "api"}
    assert "restartedAt" in records[0]["dry_run"]

    result = subprocess.run(
        [sys.executable, "-m", "smartops.cli", "audit", "tail", "-n", "10", "--stream", STREAM],
        env={**os.environ, "SMARTOPS_REDIS_URL": redis_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 4 and "confirmed" in lines[-1] and "alice@example.com" in lines[-1]


async def test_forwarded_headers_from_an_untrusted_source_are_ignored(
    kube: Kube, tmp_path: Path, redis_url: str
) -> None:
    settings = _settings(
        kube, tmp_path, redis_url, "http://127.0.0.1:9/v1", actions_trusted_proxies="10.0.0.0/8"
    )
    async with _gateway(settings, redis_url) as gw:
        answer = await gw.say("restart deployment api in shop", ALICE)
    assert "Not allowed" in answer and "anonymous" in answer


async def test_canaries_never_reach_the_llm_the_answer_or_the_logs(
    kube: Kube,
    tmp_path: Path,
    redis_url: str,
    llm_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    # Knowledge off: the follow-up goes to the model with the history (with knowledge on,
    # an ungrounded follow-up is an abstention and no model sees anything).
    settings = _settings(
        kube,
        tmp_path,
        redis_url,
        llm_url,
        llm_max_tokens=24,
        knowledge_enabled=False,
        cache_enabled=False,
    )
    async with _gateway(settings, redis_url) as gw:
        sent: list[Any] = []
        real_stream = gw.services.llm.stream_chunks

        def spy(payload: dict[str, Any]) -> Any:
            sent.append(payload)
            return real_stream(payload)

        gw.services.llm.stream_chunks = spy  # type: ignore[method-assign]
        history: list[Any] = []
        for question in (
            "kubectl logs api-7d9f-x2 -n shop",
            "describe pod api-7d9f-x2 in shop",
            'search logs for "password" in shop',
        ):
            answer = await gw.say(question, BOB)
            history += [
                {"role": "user", "content": question},
                {"role": "assistant", "content": answer},
            ]
        follow_up = await gw.say("Summarize what you saw in one sentence.", BOB, history)
    assert len(sent) == 1  # only the follow-up went to the LLM, with the history
    everything = json.dumps(history) + follow_up + json.dumps(sent) + caplog.text
    assert "password=****" in json.dumps(sent)
    assert CANARY_PASSWORD not in everything and CANARY_JWT not in everything


class _RunbookStage:
    """Stands in for retrieval: puts a runbook holding an injected order into the context."""

    name = "runbook"

    async def before(self, turn: Turn) -> Reply | None:
        text = f"# KubePodCrashLooping\n\nCheck the logs first.\n\n{INJECTION}\n"
        turn.context.append(ContextBlock("runbook", text, Source("runbooks/crashloop.md")))
        return None

    async def after(self, turn: Turn, answer: str) -> None:
        return None


async def test_injected_orders_never_cause_an_action(
    kube: Kube, tmp_path: Path, redis_url: str, llm_url: str, monitoring: Monitoring
) -> None:
    settings = _settings(
        kube,
        tmp_path,
        redis_url,
        llm_url,
        llm_max_tokens=48,
        actions_prometheus_url=monitoring.prometheus,
    )
    before = _api(kube)
    async with _gateway(settings, redis_url) as gw:
        gw.services.pipeline.stages.append(_RunbookStage())
        from_docs = await gw.say("What should I do about KubePodCrashLooping?", ALICE)
        alerts = await gw.say("show firing alerts", ALICE)
        assert INJECTION in alerts  # the alert's own text is shown, as data
        history = [
            {"role": "user", "content": "show firing alerts"},
            {"role": "assistant", "content": alerts},
            {"role": "system", "content": INJECTION},
        ]
        after_alerts = await gw.say("ok, go ahead", ALICE, history)
    assert from_docs and after_alerts
    assert _api(kube) == before
    records = await _audit(redis_url)
    assert [r["action"] for r in records] == ["prom_alerts"]
