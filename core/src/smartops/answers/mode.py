"""The answer mode of a turn, decided in one place for every stage that may synthesize.

The request's mode (the ``X-Smartops-Answer-Mode`` header), else the configured one;
``auto`` is ``extract`` on the embedded tiny model and ``synthesize`` with any other
predictor. Imports only the settings and the turn's types, so any stage may use it.
"""

from __future__ import annotations

from typing import Literal

from smartops.config import Settings
from smartops.turn import Turn

Resolved = Literal["extract", "synthesize"]


def mode_of(turn: Turn, settings: Settings) -> Resolved:
    """``extract`` (no model runs) or ``synthesize`` (a checked model answer follows)."""
    asked = turn.answer_mode or settings.answer_mode
    if asked != "auto":
        return asked
    return "extract" if settings.llm.embedded else "synthesize"
