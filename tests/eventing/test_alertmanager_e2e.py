"""End to end with the real thing: a Prometheus rule fires, Alertmanager posts its webhook
to the embedded stack's gateway, and the chat answers with the alert and its runbook.
The rule stops matching after a deadline, so the resolved notification follows.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import openai
import pytest
import uvicorn

from smartops.eventing.alerts import AlertDoc
from smartops.stack.procs import free_port
from tests.eventing.conftest import Gateway
from tests.support.prometheus import monitoring_stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]
FIRING_FOR_S = 14


def rules(deadline: float) -> dict[str, Any]:
    return {
        "groups": [
            {
                "name": "payments",
                "rules": [
                    {
                        "alert": "PaymentsHighErrorRate",
                        # Fires now, stops matching at the deadline.
                        "expr": f"vector(time()) < {deadline:.0f}",
                        "labels": {
                            "severity": "critical",
                            "namespace": "payments",
                            "service": "checkout",
                        },
                        "annotations": {
                            "summary": "More than 5% of checkout requests fail.",
                            "runbook_url": "https://runbooks.example.dev/runbooks/payments/paymentshigherrorrate",
                        },
                    }
                ],
            }
        ]
    }


@contextlib.asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """The gateway app under uvicorn on a loopback port, in this event loop."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def wait_for(gateway: Gateway, status: str, timeout_s: float) -> AlertDoc:
    store = gateway.eventing.handlers.alerts
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        docs = [d for d in await store.all() if d.alertname == "PaymentsHighErrorRate"]
        if docs and docs[0].status == status:
            return docs[0]
        await asyncio.sleep(0.25)
    raise AssertionError(f"no {status} alert document after {timeout_s} s")


async def test_prometheus_alert_reaches_the_chat_with_its_runbook(
    gateway: Gateway, tmp_path: Path
) -> None:
    app = gateway.client._transport.app  # type: ignore[attr-defined]
    async with serve(app) as served:
        await _scenario(gateway, served, tmp_path)


async def _scenario(gateway: Gateway, served: str, tmp_path: Path) -> None:
    work = tmp_path / "monitoring"
    work.mkdir()
    deadline = time.time() + FIRING_FOR_S
    with monitoring_stack(work, rules(deadline), f"{served}/webhooks/alertmanager"):
        doc = await wait_for(gateway, "firing", 40)
        assert doc.labels["namespace"] == "payments"
        assert doc.source.startswith("http://")  # Alertmanager's externalURL
        assert doc.runbook is not None and doc.runbook.source.endswith("PaymentsHighErrorRate.md")
        client = openai.AsyncOpenAI(base_url=f"{served}/v1", api_key="unused", max_retries=0)
        reply = await client.chat.completions.create(
            model="smartops",
            messages=[{"role": "user", "content": "Which alerts are firing in payments?"}],
        )
        answer = reply.choices[0].message.content or ""
        assert "PaymentsHighErrorRate" in answer and "checkout" in answer
        assert "rollout undo" in answer  # its runbook's mitigation
        resolved = await wait_for(gateway, "resolved", FIRING_FOR_S + 40)
        assert resolved.ends_at is not None and resolved.starts_at == doc.starts_at
        reply = await client.chat.completions.create(
            model="smartops",
            messages=[{"role": "user", "content": "Which alerts are firing in payments?"}],
        )
        assert "No alerts are firing in payments" in (reply.choices[0].message.content or "")
        await client.close()
