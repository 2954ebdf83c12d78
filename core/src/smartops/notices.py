"""The notices said before a degraded answer, in the user's language (prompts/notices.j2).

A stage whose backend is down words its notice here (``turn.degrade(backend,
notice(key, language, ...), metrics)``); the English texts are the ones the API has
always returned, the Russian ones say the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from smartops import prompts

if TYPE_CHECKING:
    from smartops.answers.models import Language

NoticeKey = Literal[
    "actions_unavailable",  # message: the backend's error
    "knowledge_unavailable",
    "alerts_unavailable",
    "summary_failed",  # message: the model's error
    "unread_parts",  # kinds: the unread part types; image: one image only
]


def notice(key: NoticeKey, language: Language, **params: object) -> str:
    """The notice ``key`` in ``language``, its values filled in."""
    return prompts.render("notices", key=key, language=language, p=params)
