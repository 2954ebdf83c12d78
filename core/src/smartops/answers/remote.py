"""The answer evaluation against a running gateway, with the official ``openai`` client.

Each question is asked once, streaming, so that the first token's latency is measured
as a client sees it. The answer mode is asked for with the ``X-Smartops-Answer-Mode``
header (none: the gateway's setting). Sources come from the final chunk's ``smartops``
object (``sources``), else from the answer's Sources list.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from smartops.answers.abstain import is_abstention
from smartops.answers.evaluate import AnswerQuestion, Outcome, score

MODE_HEADER = "X-Smartops-Answer-Mode"
_LISTED = re.compile(r"^\s*\d+\.\s+\[?`([^`]+)`", re.M)


@dataclass(frozen=True)
class Reply:
    text: str
    sources: tuple[str, ...]
    first_ms: float
    total_ms: float
    abstained: bool


def _extra(chunk: Any) -> dict[str, Any]:
    extra = getattr(chunk, "model_extra", None) or {}
    value = extra.get("smartops")
    return value if isinstance(value, dict) else {}


def listed_sources(text: str) -> list[str]:
    """The files of an answer's Sources list (``1. `path` — heading``)."""
    marker = max(text.rfind("**Sources**"), text.rfind("**Источники**"))
    return _LISTED.findall(text[marker:]) if marker >= 0 else []


def ask(client: Any, model: str, question: str, mode: str | None) -> Reply:
    """One streamed answer: its text, sources and latencies."""
    headers = {MODE_HEADER: mode} if mode else None
    started = time.perf_counter()
    first: float | None = None
    parts: list[str] = []
    extra: dict[str, Any] = {}
    stream = client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": question}],
        stream=True,
        extra_headers=headers,
    )
    for chunk in stream:
        for choice in chunk.choices or []:
            piece = choice.delta.content if choice.delta else None
            if piece:
                if first is None:
                    first = time.perf_counter()
                parts.append(piece)
        extra = _extra(chunk) or extra
    done = time.perf_counter()
    text = "".join(parts)
    sources = [str(s.get("source", "")) for s in extra.get("sources", []) if isinstance(s, dict)]
    abstained = extra.get("abstained")
    return Reply(
        text=text,
        sources=tuple(sources or listed_sources(text)),
        first_ms=((first or done) - started) * 1e3,
        total_ms=(done - started) * 1e3,
        abstained=bool(abstained) if isinstance(abstained, bool) else is_abstention(text),
    )


def evaluate_remote(
    questions: Sequence[AnswerQuestion],
    url: str,
    *,
    mode: str | None = None,
    model: str = "smartops",
    api_key: str = "unused",
    timeout: float = 120.0,
) -> list[Outcome]:
    """Every question asked of the gateway at ``url`` and scored."""
    from openai import OpenAI

    client = OpenAI(base_url=url, api_key=api_key, timeout=timeout, max_retries=0)
    outcomes: list[Outcome] = []
    for q in questions:
        reply = ask(client, model, q.question, mode)
        outcomes.append(
            score(q, reply.text, reply.sources, reply.first_ms, reply.total_ms, reply.abstained)
        )
    return outcomes
