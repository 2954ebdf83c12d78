"""What a chat message asks for: an action with arguments, a question back, or a decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Intent:
    """A recognised action; its arguments are validated later against the catalog."""

    action: str
    args: dict[str, Any] = field(default_factory=dict)
    source: Literal["parser", "model"] = "parser"


@dataclass(frozen=True)
class Ask:
    """Unknown or ambiguous: ask the user instead of guessing."""

    question: str
    examples: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Decision:
    """``confirm <token>`` or ``cancel <token>``."""

    confirm: bool
    token: str
