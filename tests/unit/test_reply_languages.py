"""Every template that talks to the user from the actions and alerts path speaks English
and Russian through one ``language`` parameter, as the answer templates do."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from smartops import prompts
from smartops.actions.confirm import Pending, pending_text
from smartops.actions.intent_types import Ask

PROMPTS = Path(prompts.__file__).parent
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
PENDING = [{"token": "0a1b2c3d4e5f", "action": "scale", "args_text": "`replicas=3`", "minutes": 2}]
CONTEXTS: dict[str, dict[str, Any]] = {
    "action_ask": {
        "ask": Ask("which_target", [], {"missing": "deployment"}),
        "examples": ["restart deployment api in shop"],
    },
    "action_decision": {"status": "expired", "token": "0a1b2c3d4e5f", "action": "", "message": ""},
    "action_denied": {
        "action": "scale",
        "namespace": "shop",
        "user": "alice@example.com",
        "reason": "",
        "cause": "policy",
        "write": True,
        "default_policy": True,
    },
    "action_done": {"action": "scale", "summary": "deployment shop/api", "changes": []},
    "action_error": {"message": "bad namespace", "unavailable": False},
    "action_no_token": {"pending": PENDING, "cancel": False},
    "action_preview": {"action": "scale", "summary": "", "changes": [], "token": "t", "minutes": 5},
    "action_unconnected": {"action": "get_pods", "backend": "Kubernetes"},
    "action_words": {"key": "showing", "p": {"shown": 20, "total": 143, "noun": "pods"}},
    "alerts_status": {"alerts": [], "total": 0, "status": "firing", "scope": "payments"},
    "alerts_unknown": {},
}
# Model-facing, not user-facing: the tool-calling system prompt; and the macro
# libraries of one language each, which action_ask and action_words import.
NOT_USER_FACING = {
    "action_tools",
    "action_questions_en",
    "action_questions_ru",
    "action_words_en",
    "action_words_ru",
}


def test_every_user_facing_template_of_the_path_is_covered() -> None:
    names = {p.stem for p in PROMPTS.glob("action_*.j2")} | {
        p.stem for p in PROMPTS.glob("alerts_*.j2")
    }
    assert names - NOT_USER_FACING == set(CONTEXTS)


@pytest.mark.parametrize("name", sorted(CONTEXTS))
def test_english_and_russian(name: str) -> None:
    english = prompts.render(name, language="en", **CONTEXTS[name])
    russian = prompts.render(name, language="ru", **CONTEXTS[name])
    assert english and russian and english != russian
    assert CYRILLIC.search(russian) and not CYRILLIC.search(english)


def test_a_bare_confirm_with_one_or_no_pending_change() -> None:
    pending = Pending("0a1b2c3d4e5f", "u|e", "rollout_restart", {"namespace": "shop"}, "d", 100.0)
    one = pending_text([pending], cancel=False, language="en", now=220.0)
    assert "`confirm 0a1b2c3d4e5f`" in one and "`namespace=shop`" in one and "2 min ago" in one
    assert "no pending change" in pending_text([], cancel=False, language="en")
    assert "нечего" in pending_text([], cancel=True, language="ru")
