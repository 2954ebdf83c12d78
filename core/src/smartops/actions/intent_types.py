"""What a chat message asks for: an action with arguments, a question back, or a decision."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from smartops import prompts

if TYPE_CHECKING:
    from smartops.answers.models import Language

# What a question back asks; each key is a macro of prompts/action_questions_<language>.j2.
AskKey = Literal[
    "many_changes",
    "which_node",
    "which_target",
    "scale_how_many",
    "which_alert",
    "logs_search_text",
    "logs_which_pod",
    "describe_which_pod",
    "which_promql",
    "kubectl_incomplete",
    "kubectl_not_allowed",
    "kubectl_logs_which",
    "kubectl_which_deployment",
    "kubectl_rollout_unsupported",
    "kubectl_scale_which",
    "kubectl_which_node",
    "invalid_args",
]


@dataclass(frozen=True)
class Intent:
    """A recognised action; its arguments are validated later against the catalog."""

    action: str
    args: dict[str, Any] = field(default_factory=dict)
    source: Literal["parser", "model"] = "parser"


@dataclass(frozen=True)
class Ask:
    """Unknown or ambiguous: ask the user instead of guessing.

    ``key`` and ``params`` name the question; the actions stage words it in the user's
    language (prompts/action_ask.j2). ``examples`` are commands, the same in both.
    """

    key: AskKey
    examples: list[str] = field(default_factory=list)
    params: Mapping[str, str] = field(default_factory=dict)

    def text(self, language: Language = "en") -> str:
        """The question alone, without the examples."""
        return prompts.render("action_ask", ask=self, examples=[], language=language)

    @property
    def question(self) -> str:
        """The question in English (the router's decision, the evaluations)."""
        return self.text("en")


@dataclass(frozen=True)
class Decision:
    """``confirm <token>`` or ``cancel <token>``."""

    confirm: bool
    token: str
