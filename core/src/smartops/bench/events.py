"""``smartops bench events``: from the alert webhook arriving to the chat answering about it.

The gateway of the embedded stack (with the eventing routes) serves on a loopback port
over real Redis. Each measured alert is new (its own fingerprint and namespace): the
clock starts when its webhook is sent to ``POST /webhooks/alertmanager`` and stops
when ``POST /v1/chat/completions`` "which alerts are firing in <namespace>?" answers
with that alert's name. The answer comes from the alert documents, not the LLM, so
no LLM is needed; an unreachable LLM URL is configured to prove it.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from smartops.bench.stats import summary_ms
from smartops.config import Settings
from smartops.stack.procs import free_port

MAX_POLLS = 50


def webhook(alertname: str, namespace: str, runbook: str) -> dict[str, Any]:
    """An Alertmanager webhook (version 4) with one firing alert."""
    starts = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    return {
        "version": "4",
        "status": "firing",
        "receiver": "smartops",
        "groupKey": f'{{}}:{{alertname="{alertname}"}}',
        "truncatedAlerts": 0,
        "groupLabels": {"alertname": alertname},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.bench:9093",
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": alertname, "namespace": namespace, "severity": "warning"},
                "annotations": {"summary": f"{alertname} in {namespace}", "runbook_url": runbook},
                "startsAt": starts,
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus.bench:9090/graph",
                "fingerprint": uuid.uuid4().hex,
            }
        ],
    }


async def _serve(settings: Settings, runbooks: str | None) -> tuple[uvicorn.Server, Any]:
    from smartops.gateway import create_app
    from smartops.services import build_services

    services = build_services(settings)
    if runbooks and services.cache_backend is not None:
        from smartops.cache.models import ReloadRequest

        await services.cache_backend.reload(ReloadRequest(paths=[runbooks]))
    app = create_app(services)  # the eventing routes come with it
    config = uvicorn.Config(
        app, host="127.0.0.1", port=settings.port, log_config=None, access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn has no started event
        await asyncio.sleep(0.01)
    return server, (task, services)


async def _one(client: httpx.AsyncClient, n: int, page: str) -> tuple[float, float, float]:
    name, namespace = f"BenchAlert{n}", f"bench-{n}"
    body = webhook(name, namespace, f"https://runbooks.example.dev/runbooks/{page.lower()}")
    question = {
        "model": "smartops",
        "messages": [{"role": "user", "content": f"Which alerts are firing in {namespace}?"}],
    }
    started = time.perf_counter()
    response = await client.post("/webhooks/alertmanager", json=body)
    response.raise_for_status()
    handled = time.perf_counter()
    for _ in range(MAX_POLLS):
        chat = await client.post("/v1/chat/completions", json=question)
        chat.raise_for_status()
        if name in chat.json()["choices"][0]["message"]["content"]:
            break
    else:
        raise RuntimeError(f"the chat never answered about {name}")
    done = time.perf_counter()
    return handled - started, done - handled, done - started


def first_page(runbooks: str | None) -> str:
    """The name of the first runbook page in the folder (the alerts' runbook)."""
    pages = sorted(Path(runbooks).rglob("*.md")) if runbooks else []
    return next((p.stem for p in pages if not p.stem.startswith("_")), "KubePodCrashLooping")


async def run(settings: Settings, count: int, warmup: int, runbooks: str | None) -> dict[str, Any]:
    port = free_port()
    paths = [runbooks] if runbooks else []
    settings = settings.with_changes(
        port=port, llm_base_url="http://127.0.0.1:9/v1", cag_paths=paths
    )
    server, (task, services) = await _serve(settings, runbooks)
    page = first_page(runbooks)
    samples: list[tuple[float, float, float]] = []
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            for n in range(warmup + count):
                result = await _one(client, n, page)
                if n >= warmup:
                    samples.append(result)
    finally:
        server.should_exit = True
        await task
        await services.aclose()
    return {
        "alerts": count,
        "runbooks": runbooks or "",
        "webhook_ms": summary_ms([s[0] for s in samples]),
        "chat_ms": summary_ms([s[1] for s in samples]),
        "end_to_end_ms": summary_ms([s[2] for s in samples]),
        "with_runbook": await _with_runbook(services),
    }


async def _with_runbook(services: Any) -> int:
    """How many alert documents got their runbook sections (the bench's own Redis)."""
    eventing = services.eventing
    if eventing is None:
        return 0
    return sum(1 for d in await eventing.handlers.alerts.all() if d.runbook)
