"""MkDocs snippet includes (``--8<-- "file.md"``) resolved at ingestion.

A Knative page such as "Revisions" holds only its headings and one line
``--8<-- "about-revisions.md"``: the site renders the shared fragment in its place. Left
out, the page loses its introduction and the bare fragment (``snippets/about-revisions.md``,
titled "about-revisions") is what search finds. ``inline`` puts the fragment's body
where the include stands, as the site does: the page reads as it renders.

A fragment is looked up in a ``snippets`` folder next to the page or in one of its
parent folders (the nearest first), never above ``root`` (the folder given to ingest)
and never through a symlink out of that ``snippets`` folder. Includes inside a fragment
are resolved too, up to ``MAX_DEPTH`` levels; an include that cannot be found, or a
non-markdown one (an icon), is dropped, as before.
"""

from __future__ import annotations

import re
from pathlib import Path

_INCLUDE = re.compile(r"^\s*-{2}8<-{2}\s+[\"']?([\w.\-/]+?)[\"']?\s*$")
_FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*\n", re.S)
FOLDER = "snippets"
MAX_DEPTH = 3
MARKDOWN = (".md", ".markdown")


def includes(text: str) -> list[str]:
    """The fragment names a markdown text includes, in order."""
    return [m.group(1) for line in text.splitlines() if (m := _INCLUDE.match(line))]


def find(name: str, page: Path, root: Path) -> Path | None:
    """The fragment ``name`` for ``page``: the nearest ``snippets/<name>`` up to ``root``."""
    if name.startswith("/") or ".." in Path(name).parts or not name.endswith(MARKDOWN):
        return None
    top = root.resolve()
    folder = page.parent.resolve()
    while folder.is_relative_to(top):
        base = folder / FOLDER
        candidate = base / name
        real = candidate.is_file() and not candidate.is_symlink()
        if real and candidate.resolve().is_relative_to(base.resolve()):
            return candidate
        if folder == top:
            break
        folder = folder.parent
    return None


def inline(text: str, page: Path, root: Path, depth: int = 0) -> str:
    """``text`` (the page's markdown) with each include replaced by the fragment's body."""
    if "--8<--" not in text:
        return text
    out: list[str] = []
    for line in text.splitlines():
        match = _INCLUDE.match(line)
        fragment = find(match.group(1), page, root) if match and depth < MAX_DEPTH else None
        if fragment is None:
            out.append(line)  # not an include, or one that cannot be found: markup drops it
            continue
        body = _FRONT_MATTER.sub("", fragment.read_text(encoding="utf-8", errors="replace"))
        out.append(inline(body, fragment, root, depth + 1).strip("\n"))
    return "\n".join(out)
