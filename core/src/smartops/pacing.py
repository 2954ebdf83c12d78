"""Ready text streamed as a person reads it: in short pieces, with short pauses between.

A ready answer (an extract, an abstention, an action's result) exists whole before the
first byte is sent. Sent as one burst, a chat front end shows it all at once; paced, it
grows like a generated answer. Pieces end at a line or a sentence, and hold at most a
few words; the pause between them is ``pause_s``, shortened so that the whole text takes
at most ``budget_s`` (a long answer is not held back). ``pause_s=0`` sends it at once.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

WORDS_PER_PIECE = 5
BUDGET_S = 0.6  # enough to be seen growing; a ready answer is not held back longer
_WORD = re.compile(r"\S+\s*")
_ENDS = re.compile(r"(?:\n|[.!?:;]\s)")  # a word ending a line or a sentence


def pieces(text: str, words: int = WORDS_PER_PIECE) -> list[str]:
    """``text`` cut into pieces of at most ``words`` words, each ending a line or sentence
    where one ends sooner; joined, they are ``text`` exactly."""
    head = text[: len(text) - len(text.lstrip())]
    out: list[str] = []
    current = head
    count = 0
    for match in _WORD.finditer(text):
        word = match.group()
        current += word
        count += 1
        if count >= words or _ENDS.search(word):
            out.append(current)
            current, count = "", 0
    if current:
        out.append(current)
    return out


async def paced(
    text: str, pause_s: float, budget_s: float = BUDGET_S, then: AsyncIterator[str] | None = None
) -> AsyncIterator[str]:
    """``text`` piece by piece with pauses between; then everything ``then`` yields."""
    parts = pieces(text)
    pause = min(pause_s, budget_s / max(len(parts), 1))
    for index, part in enumerate(parts):
        if index and pause > 0:
            await asyncio.sleep(pause)
        yield part
    if then is not None:
        if parts and pause > 0:
            await asyncio.sleep(pause)
        async for item in then:
            yield item
