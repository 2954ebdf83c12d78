"""``smartops bench concurrency``: many streaming chats at once against a running gateway.

N streamed chats are sent together (distinct questions, short ``max_tokens``) while
``/readyz`` is probed every second. Counted: answers with text, empty answers (a 200
with no text: what an interrupted upstream stream used to become), errors (a status
other than 200, an error object in the stream, a broken connection), finish reasons,
answer-cache hits, answers shared with an identical question in flight (coalesced);
and the resident memory of the gateway, the LLM server and Redis before and after,
read from ``/proc`` by PID (from the stack's ``stack.json``, or given).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from smartops.bench.stats import summary_ms
from smartops.stack.lock import StackState

TOPICS = [
    "a Pod",
    "a Deployment",
    "a StatefulSet",
    "a DaemonSet",
    "a PodDisruptionBudget",
    "a readiness probe",
    "a liveness probe",
    "an init container",
    "a ConfigMap",
    "a Secret",
    "a HorizontalPodAutoscaler",
    "a taint and a toleration",
    "node-pressure eviction",
    "a Knative Service",
    "a Knative Broker",
    "a KServe InferenceService",
    "a KServe InferenceGraph",
    "a Prometheus recording rule",
    "an Alertmanager inhibition",
    "the KubePodCrashLooping alert",
]
FORMS = [
    "In one sentence, what is {}?",
    "When should a platform team use {}?",
    "What is a common mistake with {}?",
    "How do I check the state of {} with kubectl?",
    "Кратко: что такое {} в Kubernetes?",
]


def questions(n: int, given: Sequence[str] = ()) -> list[str]:
    """``n`` questions: the given ones (else topics times forms), cycled and then numbered."""
    base = list(given) or [form.format(topic) for form in FORMS for topic in TOPICS]
    return [
        base[i % len(base)] + (f" ({i // len(base) + 1})" if i >= len(base) else "")
        for i in range(n)
    ]


@dataclass
class Answer:
    text: str = ""
    finish_reason: str | None = None
    cache: str = ""
    error: str = ""
    seconds: float = 0.0
    llm: bool = False  # the model generated it (``llm_ttft`` in the timings)
    coalesced: str = ""  # leader / follower: shared with identical questions in flight


@dataclass
class Probes:
    statuses: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)


async def _chat(client: httpx.AsyncClient, url: str, question: str, max_tokens: int) -> Answer:
    body = {
        "model": "smartops",
        "stream": True,
        "max_tokens": max_tokens,
        "messages": [{"role": "user", "content": question}],
    }
    answer = Answer()
    started = time.perf_counter()
    try:
        async with client.stream("POST", f"{url}/chat/completions", json=body) as response:
            answer.cache = response.headers.get("x-smartops-cache", "")
            answer.coalesced = response.headers.get("x-smartops-coalesced", "")
            if response.status_code != 200:
                answer.error = f"HTTP {response.status_code}"
                return answer
            async for line in response.aiter_lines():
                if line.startswith("data: {"):
                    _read(answer, json.loads(line[6:]))
    except httpx.HTTPError as exc:
        answer.error = type(exc).__name__
    finally:
        answer.seconds = time.perf_counter() - started
    return answer


def _read(answer: Answer, chunk: dict[str, Any]) -> None:
    extra = chunk.get("smartops")
    if isinstance(extra, dict) and "llm_ttft" in (extra.get("timings_ms") or {}):
        answer.llm = True
    if "error" in chunk:
        answer.error = str(chunk["error"].get("code") or "error in stream")
    for choice in chunk.get("choices") or []:
        answer.text += (choice.get("delta") or {}).get("content") or ""
        answer.finish_reason = choice.get("finish_reason") or answer.finish_reason


async def _probe(client: httpx.AsyncClient, root: str, probes: Probes, stop: asyncio.Event) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        try:
            status = (await client.get(f"{root}/readyz", timeout=5)).status_code
        except httpx.HTTPError:
            status = 0
        probes.statuses.append(status)
        probes.seconds.append(time.perf_counter() - started)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=1.0)


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process, from ``/proc/PID/status``; None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def stack_pids(data_dir: Path | None, given: dict[str, int | None]) -> dict[str, int]:
    """The PIDs to watch: those given, else those in ``DATA_DIR/stack.json``."""
    state = StackState.read(data_dir) if data_dir else None
    found = {"gateway": state.pid} if state else {}
    if state:
        found |= {name: child.pid for name, child in state.children.items()}
    found |= {name: pid for name, pid in given.items() if pid}
    return found


async def _measure(
    url: str, asked: list[str], max_tokens: int, api_key: str | None, timeout_s: float
) -> dict[str, Any]:
    n = len(asked)
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    limits = httpx.Limits(max_connections=n + 2, max_keepalive_connections=n + 2)
    # A queued request sees no byte until its turn comes: the read timeout is the wait.
    timeout = httpx.Timeout(timeout_s, connect=10)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=timeout) as client:
        probes, stop = Probes(), asyncio.Event()
        prober = asyncio.create_task(_probe(client, url.removesuffix("/v1"), probes, stop))
        started = time.perf_counter()
        answers = await asyncio.gather(*(_chat(client, url, q, max_tokens) for q in asked))
        wall = time.perf_counter() - started
        stop.set()
        await prober
    return _figures(answers, probes, wall)


def _figures(answers: list[Answer], probes: Probes, wall_s: float) -> dict[str, Any]:
    ok = [a for a in answers if not a.error]
    return {
        "llm_answers": sum(1 for a in answers if a.llm),
        "requests": len(answers),
        "answered": sum(1 for a in ok if a.text.strip()),
        "empty": sum(1 for a in ok if not a.text.strip()),
        "errors": len(answers) - len(ok),
        "error_kinds": dict(Counter(a.error for a in answers if a.error)),
        "finish_reasons": dict(Counter(str(a.finish_reason) for a in ok)),
        "cache_hits": sum(1 for a in answers if a.cache == "hit"),
        # answered by another identical question's stream (the model ran once for them)
        "coalesced": sum(1 for a in answers if a.coalesced == "follower"),
        "latency_ms": summary_ms([a.seconds for a in answers]),
        "wall_s": round(wall_s, 2),
        "readyz": {
            "probes": len(probes.statuses),
            "not_200": sum(1 for s in probes.statuses if s != 200),
            "statuses": dict(Counter(probes.statuses)),
            "latency_ms": summary_ms(probes.seconds) if probes.seconds else {},
        },
    }


def run(
    url: str,
    n: int = 100,
    max_tokens: int = 16,
    data_dir: Path | None = None,
    pids: dict[str, int | None] | None = None,
    api_key: str | None = None,
    given: Sequence[str] = (),
    timeout_s: float = 1800.0,
) -> dict[str, Any]:
    """Run the benchmark against the gateway at ``url`` (its ``/v1`` URL).

    Questions that the knowledge stage answers without the model (an abstention, an
    extract) never reach it: pass ``given`` questions the stack's index answers, and
    run the stack with ``SMARTOPS_ANSWER_MODE=synthesize``, to load the LLM.
    """
    watched = stack_pids(data_dir, pids or {})
    before = {name: rss_mb(pid) for name, pid in watched.items()}
    figures = asyncio.run(
        _measure(url.rstrip("/"), questions(n, given), max_tokens, api_key, timeout_s)
    )
    after = {name: rss_mb(pid) for name, pid in watched.items()}
    figures["max_tokens"] = max_tokens
    figures["rss_mb"] = {
        name: {"pid": pid, "before": before[name], "after": after[name]}
        for name, pid in watched.items()
    }
    return figures
