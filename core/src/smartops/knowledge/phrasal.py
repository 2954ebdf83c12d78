"""Everyday phrasing in the documentation's words: "turn off" → "disable".

Users ask with phrasal verbs and plain words ("how do I turn off ...", "get rid of ...");
documentation states the same thing with the verb it defines ("disables", "removes").
Matching by words (BM25, an answer's sentence scoring, the grounding check's coverage)
then misses the sentence that answers, and a grounded question may even abstain. ``plain``
rewrites the phrases below and leaves everything else as it is (``QueryProfile.lexical``
and ``.semantic``); hybrid search embeds the question as asked.
"""

from __future__ import annotations

import re
from functools import cache

# Phrase (regular expression over lower-case words) → the documentation's word.
PHRASES: tuple[tuple[str, str], ...] = (
    (r"(turn|turns|turned|turning|switch|switches|switched|switching) off", "disable"),
    (r"(turn|turns|turned|turning|switch|switches|switched|switching) on", "enable"),
    (r"get(s|ting)? rid of", "remove"),
    (r"(tear|tears|tearing) down", "delete"),
    (r"(spin|spins|spinning) up", "create"),
    (r"(shut|shuts|shutting) down", "shutdown"),
    (r"(roll|rolls|rolling|rolled) back", "rollback"),
    (r"(clean|cleans|cleaning) up", "cleanup"),
    (r"(kick|kicks|kicking) off", "start"),
    (r"(find|finding) out", "determine"),
    (r"(hook|hooks|hooking) up", "connect"),
    (r"(set|sets|setting) up", "configure"),
    (r"(wipe|wipes|wiping) out", "delete"),
)


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(rf"\b(?:{p})\b", re.IGNORECASE), word) for p, word in PHRASES)


def plain(text: str) -> str:
    """``text`` with its everyday phrases in the documentation's words."""
    for pattern, word in _patterns():
        text = pattern.sub(word, text)
    return text
