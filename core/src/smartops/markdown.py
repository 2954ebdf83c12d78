"""Markdown fences: which code block a text leaves open, and how to close it.

A fence inside a list item is indented; it closes only with the same indent, because a
fence at column 0 would end the list item and open a new code block instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FENCE = re.compile(r"^(\s*)(```|~~~)\s*([\w+-]*)")


@dataclass(frozen=True)
class Fence:
    """An open code block: its indent, its marker and its language ('' if none)."""

    indent: str
    marker: str
    lang: str

    @property
    def closing(self) -> str:
        """The line that closes it."""
        return self.indent + self.marker


def toggle(line: str, opened: Fence | None) -> tuple[bool, Fence | None]:
    """Whether ``line`` opens or closes a fence, and the fence then open (None if none).

    Only a bare marker of the same kind closes an open fence; inside a block, a marker
    with a language after it is content."""
    match = FENCE.match(line)
    if match is None:
        return False, opened
    indent, marker, lang = match.groups()
    if opened is None:
        return True, Fence(indent, marker, lang)
    if len(indent) < len(opened.indent):
        # Less indented than a fence inside a list item: the item (and its block) ends
        # there, and this marker opens a new block, as a Markdown renderer reads it.
        return True, Fence(indent, marker, lang)
    if marker == opened.marker and not lang:
        return True, None
    return False, opened


def open_fence(text: str) -> Fence | None:
    """The fence ``text`` leaves open, if any."""
    opened: Fence | None = None
    for line in text.split("\n"):
        _, opened = toggle(line, opened)
    return opened
