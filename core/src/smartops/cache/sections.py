"""Markdown documents parsed into cache sections (title, heading path, text, source, URL)."""

from __future__ import annotations

from pathlib import Path

from smartops.cache.models import DocSection
from smartops.cache.normalize import digest
from smartops.knowledge.chunking import clean, sections, split_front_matter

MAX_SECTION_CHARS = 4000


def title_of(meta: dict[str, object], body: str, source: str) -> str:
    title = meta.get("title") or meta.get("linkTitle")
    if isinstance(title, str) and title.strip():
        return title.strip()
    for line in body.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return Path(source).stem


def parse_file(source: str, text: str, salt: str = "") -> list[DocSection]:
    """The sections of one markdown file; ``source`` is kept exactly as given.

    ``salt`` (the embedding signature) goes into each section's hash, so a section is
    re-embedded when the embedding model changes, not only when its text does.
    """
    meta, body = split_front_matter(text)
    title = title_of(meta, body, source)
    url = str(meta.get("url") or meta.get("permalink") or "")
    result = []
    for section in sections(clean(body), title):
        content = "\n\n".join(section.blocks).strip()[:MAX_SECTION_CHARS]
        if not content:
            continue
        heading = " > ".join(section.path)
        result.append(
            DocSection(
                id=digest(source, heading),
                source=source,
                title=title,
                heading=heading,
                text=content,
                hash=digest(salt, heading, content) if salt else digest(heading, content),
                url=url,
            )
        )
    return _unique(result)


def _unique(items: list[DocSection]) -> list[DocSection]:
    """Two sections with the same heading path in one file: keep both, distinct ids."""
    seen: dict[str, int] = {}
    out = []
    for item in items:
        count = seen.get(item.id, 0)
        seen[item.id] = count + 1
        out.append(
            item if count == 0 else item.model_copy(update={"id": digest(item.id, str(count))})
        )
    return out


def markdown_files(paths: list[str]) -> list[tuple[str, Path]]:
    """(source as given, file) for every markdown file under the given paths."""
    found: list[tuple[str, Path]] = []
    for given in paths:
        path = Path(given)
        if path.is_file() and path.suffix == ".md":
            found.append((given, path))
        elif path.is_dir():
            for file in sorted(path.rglob("*.md")):
                found.append((f"{given.rstrip('/')}/{file.relative_to(path).as_posix()}", file))
    return found
