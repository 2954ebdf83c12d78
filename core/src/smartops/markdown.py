"""Markdown fences: which code block a text leaves open, and how to close it.

A fence inside a list item is indented; it closes only with the same indent, because a
fence at column 0 would end the list item and open a new code block instead.
"""

from __future__ import annotations

import re

FENCE = re.compile(r"^(\s*)(```|~~~)\s*([\w+-]*)")


def toggles(line: str, opened: str) -> tuple[bool, str]:
    """Whether ``line`` opens or closes a fence, and the fence then open ('' if none).

    Only a bare marker of the same kind closes an open fence; inside a block, a marker
    with a language after it is content."""
    fence = FENCE.match(line)
    if fence is None:
        return False, opened
    if not opened:
        return True, fence.group(1) + fence.group(2)
    if fence.group(2) == opened.lstrip() and not fence.group(3):
        return True, ""
    return False, opened


def open_fence(text: str) -> str:
    """The fence ``text`` leaves open, as written (indent and marker); '' if none."""
    opened = ""
    for line in text.split("\n"):
        _, opened = toggles(line, opened)
    return opened
