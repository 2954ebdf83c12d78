"""Ready text streamed in pieces with pauses (smartops.pacing)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from smartops.pacing import paced, pieces

TEXT = (
    "  Check the pod's events first. Then read its logs:\n\n"
    "- `kubectl logs POD`\n- more words here to cut"
)


def test_pieces_join_to_the_text_and_end_at_lines_and_sentences() -> None:
    parts = pieces(TEXT, words=5)
    assert "".join(parts) == TEXT
    assert parts[0] == "  Check the pod's events first. "
    assert parts[1] == "Then read its logs:\n\n"
    assert all(len(p.split()) <= 5 for p in parts)


def _collect(stream: AsyncIterator[str]) -> tuple[list[str], list[float]]:
    async def run() -> tuple[list[str], list[float]]:
        started = time.perf_counter()
        got, at = [], []
        async for part in stream:
            got.append(part)
            at.append(time.perf_counter() - started)
        return got, at

    return asyncio.run(run())


def test_paced_pauses_between_pieces_within_the_budget() -> None:
    got, at = _collect(paced(TEXT, pause_s=0.05, budget_s=10))
    assert "".join(got) == TEXT and len(got) >= 4
    assert at[-1] >= 0.05 * (len(got) - 1) * 0.9  # each pause was taken
    long_text = "word " * 400
    got, at = _collect(paced(long_text, pause_s=0.05, budget_s=0.2))
    assert "".join(got) == long_text and len(got) == 80
    assert at[-1] < 2.0  # the budget shortened the pauses (80 x 50 ms would be 4 s)


def test_paced_then_follows_and_zero_pause_is_at_once() -> None:
    async def rest() -> AsyncIterator[str]:
        yield "model "
        yield "text"

    got, _ = _collect(paced("Extract. ", pause_s=0, then=rest()))
    assert got == ["Extract. ", "model ", "text"]
    assert _collect(paced("", pause_s=0.1))[0] == []
