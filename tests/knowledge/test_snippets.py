"""MkDocs snippet includes resolved at ingestion: the page reads as the site renders it."""

from __future__ import annotations

from pathlib import Path

from smartops.config import Settings
from smartops.knowledge.ingest import discover, fragments, parse_file, root_of
from smartops.knowledge.snippets import find, includes, inline

PAGE = """---
title: Revisions
---

# Revisions

--8<-- "about-revisions.md"

## Related concepts

Autoscaling of revisions.
"""
FRAGMENT = """---
audience: developer
---
A revision is an immutable snapshot of code and configuration.

--8<-- "nested.md"
"""


def docs(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    (root / "snippets").mkdir(parents=True)
    (root / "serving" / "revisions").mkdir(parents=True)
    (root / "serving" / "revisions" / "README.md").write_text(PAGE)
    (root / "snippets" / "about-revisions.md").write_text(FRAGMENT)
    (root / "snippets" / "nested.md").write_text("Revisions are never changed in place.\n")
    return root


def test_an_include_is_replaced_by_the_fragment_and_its_own_includes(tmp_path: Path) -> None:
    root = docs(tmp_path)
    page = root / "serving" / "revisions" / "README.md"
    assert includes(PAGE) == ["about-revisions.md"]
    text = inline(page.read_text(), page, root)
    assert "A revision is an immutable snapshot" in text
    assert "never changed in place" in text
    assert "--8<--" not in text and "audience" not in text  # no include, no front matter
    chunks = parse_file("README.md", page, Settings(), "m", root)
    first = chunks[0]
    assert first.heading == "Revisions" and "immutable snapshot" in first.text


def test_fragments_are_found_up_to_the_root_only(tmp_path: Path) -> None:
    root = docs(tmp_path)
    page = root / "serving" / "revisions" / "README.md"
    assert find("about-revisions.md", page, root) == root / "snippets" / "about-revisions.md"
    assert find("about-revisions.md", page, root / "serving") is None  # above the root
    assert find("../snippets/about-revisions.md", page, root) is None
    assert find("icon.svg", page, root) is None  # not markdown
    outside = tmp_path / "secret.md"
    outside.write_text("token")
    (root / "snippets" / "leak.md").symlink_to(outside)
    assert find("leak.md", page, root) is None
    missing = '--8<-- "missing.md"\nkept\n'
    assert inline(missing, page, root) == missing.rstrip("\n")  # markup drops it later


def test_included_fragments_are_not_indexed_as_pages(tmp_path: Path) -> None:
    root = docs(tmp_path)
    (root / "snippets" / "unused.md").write_text("# Unused\n\nA fragment nobody includes.\n")
    found = [(file, root_of(file, [str(root)])) for _, file in discover([str(root)])]
    assert all(r == root for _, r in found)
    names = {p.name for p in fragments(found)}
    assert names == {"about-revisions.md", "nested.md"}
