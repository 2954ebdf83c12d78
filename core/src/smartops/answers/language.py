"""The user's language: Russian when the question is mostly Cyrillic letters, else English."""

from __future__ import annotations

import re

from smartops.answers.models import Language

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN = re.compile(r"[A-Za-z]")


def language_of(text: str) -> Language:
    """``ru`` when Cyrillic letters are at least a third of the letters, else ``en``.

    Russian questions name Kubernetes things in Latin (``kubectl``, ``PodDisruptionBudget``),
    so a minority of Cyrillic letters is enough.
    """
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    return "ru" if cyrillic and cyrillic * 2 >= latin else "en"
