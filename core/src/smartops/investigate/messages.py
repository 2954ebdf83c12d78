"""The sentences of an investigation, per language, from message keys and parameters
(macros in ``prompts/investigation_messages_<language>.j2``)."""

from __future__ import annotations

from typing import Literal

from smartops import prompts

Language = Literal["en", "ru"]
LANGUAGES: tuple[Language, ...] = ("en", "ru")


def text(key: str, params: dict[str, str], language: Language = "en") -> str:
    """The sentence ``key`` says with these parameters."""
    return prompts.render("investigation_message", key=key, p=params, language=language)


def language_of(question: str) -> Language:
    """Russian when the question has Cyrillic words (names of objects are Latin)."""
    cyrillic = sum(1 for ch in question if "\u0400" <= ch <= "\u04ff")
    return "ru" if cyrillic >= 3 else "en"
