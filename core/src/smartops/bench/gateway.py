"""``smartops bench gateway``: the gateway's own time-to-first-byte overhead.

Starts a local OpenAI-compatible upstream (the echo upstream by default, or a URL you
give) and the gateway in front of it, both as separate processes, then alternates
streamed requests sent straight to the upstream and through the gateway. The overhead
is the gateway's TTFB minus the upstream's own TTFB, per percentile.

By default the feature stages are off (routing, actions, cache, knowledge): the figure
is the gateway itself (HTTP edge, validation, pipeline, LLM client). With ``all_stages``
every stage runs: the query embedding, routing, the alert store, the caches and hybrid
retrieval over the (empty) index; each request carries a short history, so that the
answer cache never serves it and every request reaches the upstream.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import httpx

from smartops.bench.stats import summary_ms
from smartops.stack.procs import Child, free_port, port_open

BODY = {
    "model": "smartops",
    "stream": True,
    "max_tokens": 8,
    "messages": [{"role": "user", "content": "ping"}],
}
ALL_STAGES_BODY = {
    **BODY,
    "messages": [
        {"role": "user", "content": "What is a PodDisruptionBudget?"},
        {"role": "assistant", "content": "It limits voluntary disruptions."},
        {"role": "user", "content": "How do I check how many disruptions it still allows?"},
    ],
}


@contextmanager
def _echo_upstream(data_dir: Path) -> Iterator[str]:
    port = free_port()
    child = Child(
        "echo-upstream",
        [sys.executable, "-m", "smartops.bench.echo_upstream", "--port", str(port)],
        data_dir / "logs" / "bench-echo.log",
    )
    child.start()
    try:
        child.wait_ready(lambda: port_open("127.0.0.1", port), 30)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        child.stop()


@contextmanager
def gateway_process(env: dict[str, str], data_dir: Path) -> Iterator[str]:
    """A gateway (``smartops up``) in its own process with ``env``; yields its /v1 URL."""
    port = free_port()
    full_env = {
        **os.environ,
        "SMARTOPS_PORT": str(port),
        "SMARTOPS_DATA_DIR": str(data_dir),
        "SMARTOPS_LOG_LEVEL": "WARNING",
        **env,
    }
    full_env.pop("SMARTOPS_API_KEY", None)
    child = Child(
        "gateway",
        [sys.executable, "-m", "smartops.cli", "up"],
        data_dir / "logs" / "bench-gateway.log",
        env=full_env,
    )
    child.start()
    try:
        child.wait_ready(lambda: port_open("127.0.0.1", port), 120)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        child.stop()


def _gateway(upstream: str, data_dir: Path, all_stages: bool) -> AbstractContextManager[str]:
    env = {"SMARTOPS_LLM_BASE_URL": upstream}
    if not all_stages:  # the gateway's own overhead: the feature stages are off
        env |= {
            "SMARTOPS_CACHE_ENABLED": "false",
            "SMARTOPS_KNOWLEDGE_ENABLED": "false",
            "SMARTOPS_ACTIONS_ENABLED": "false",
        }
    return gateway_process(env, data_dir)


def _ttfb(client: httpx.Client, url: str, body: dict[str, Any] = BODY) -> float:
    started = time.perf_counter()
    with client.stream("POST", f"{url}/chat/completions", json=body) as response:
        response.raise_for_status()
        stream = response.iter_raw()
        next(stream)
        first = time.perf_counter() - started
        for _ in stream:
            pass
    return first


def run(
    requests: int,
    warmup: int,
    upstream: str | None,
    data_dir: Path,
    all_stages: bool = False,
) -> dict[str, Any]:
    """Measure and return the figures (milliseconds)."""
    body = ALL_STAGES_BODY if all_stages else BODY
    with (
        _echo_upstream(data_dir) if upstream is None else _given(upstream) as up_url,
        _gateway(up_url, data_dir, all_stages) as gw_url,
        httpx.Client(timeout=60) as client,
    ):
        for _ in range(warmup):
            _ttfb(client, up_url, body)
            _ttfb(client, gw_url, body)
        direct: list[float] = []
        through: list[float] = []
        for _ in range(requests):
            direct.append(_ttfb(client, up_url, body))
            through.append(_ttfb(client, gw_url, body))
    d, g = summary_ms(direct), summary_ms(through)
    return {
        "upstream": "echo" if upstream is None else upstream,
        "stages": "all" if all_stages else "none",
        "load": os.getloadavg()[0],
        "requests": requests,
        "upstream_ttfb_ms": d,
        "gateway_ttfb_ms": g,
        "overhead_ms": {"p50": round(g["p50"] - d["p50"], 3), "p95": round(g["p95"] - d["p95"], 3)},
    }


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url.rstrip("/")
