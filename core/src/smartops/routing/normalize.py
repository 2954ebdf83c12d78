"""The router's view of a message: whitespace collapsed and common typos of the command
words fixed ("restrat", "shwo", "scael", "silense", "cordn").

Only words of the small vocabulary below are corrected, and only by one edit: a swap of
two neighbouring letters (words of 4 letters or more), a missing or extra letter (5 or
more), or one wrong letter (6 or more). Names are left alone: a word with a digit or a
hyphen is never touched, nor is any word that is itself in the vocabulary.
"""

from __future__ import annotations

import re
from functools import cache

from smartops.actions.intent_words import word_set

VOCABULARY = word_set(
    "show list describe restart rollback rollout revert scale silence cordon "
    "deployment deployments namespace replicas events pending crashlooping "
    "alerts firing status search nodes logs query metric memory latency "
    "please previous warning details inspect redeploy bounce unschedulable"
)
_WORD = re.compile(r"(?<![\w.-])[a-z]+(?![\w-])")


def _swaps(word: str) -> set[str]:
    return {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _substitutes(word: str) -> set[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return {word[:i] + c + word[i + 1 :] for i in range(len(word)) for c in letters}


@cache
def _corrections() -> dict[str, str]:
    """Misspelling -> word, for every misspelling one edit away (built once)."""
    table: dict[str, str] = {}
    for word in VOCABULARY:
        variants = {v for v in _swaps(word) if len(v) >= 4}
        if len(word) >= 5:
            variants |= {v for v in _deletes(word) if len(v) >= 5}
            variants |= {word[:i] + c + word[i:] for i in range(len(word) + 1) for c in "aeiou"}
        if len(word) >= 6:
            variants |= _substitutes(word)
        for variant in variants - VOCABULARY:
            table.setdefault(variant, word)
    return table


def fix_typos(text: str) -> str:
    """``text`` with misspelt command words corrected (see the module docstring)."""
    table = _corrections()

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        return table.get(word, word)

    return _WORD.sub(fix, text)


# kubectl's short names that are no English word.
_SHORT = re.compile(r"(?<![\w.-])po(?![\w-])")


def normalize(message: str) -> str:
    """One space between words, typos of (lower-case) command words fixed, kubectl's
    ``po`` read as pods; case is kept for the extractor (alert names, PromQL)."""
    return _SHORT.sub("pods", fix_typos(" ".join(message.strip().split())))
