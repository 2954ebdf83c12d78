"""Markdown-aware chunking.

Front matter is stripped (its ``title`` and ``url`` are kept as metadata) and
site-generator syntax rendered as plain text (``markup``). The document is split at
headings; each chunk keeps its heading path ("Title > Section > Sub").
Sections are packed into chunks of at most ``max_words`` words at block boundaries;
fenced code blocks and tables are blocks of their own and never cut in half (a block
longer than the limit becomes one chunk); only plain paragraphs are split further.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from smartops.knowledge.documents import Chunk, make_chunk
from smartops.knowledge.markup import heading_text, plain

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass
class Section:
    path: list[str]
    blocks: list[str] = field(default_factory=list)


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    """The YAML front matter (``---`` at the top) as a dict, and the body after it."""
    if not text.startswith("---"):
        return {}, text
    end = text.find("\n---", 3)
    if end < 0:
        return {}, text
    try:
        meta = yaml.safe_load(text[3:end])
    except yaml.YAMLError:
        meta = None
    body = text[end + 4 :].split("\n", 1)[1] if "\n" in text[end + 4 :] else ""
    return (meta if isinstance(meta, dict) else {}), body


def clean(text: str) -> str:
    """Site-generator syntax rendered as the text it shows (``markup.plain``)."""
    return plain(text)


def blocks_and_headings(body: str) -> Iterator[tuple[int, str]]:
    """Yield (level, heading) for headings and (0, block) for blocks, in order."""
    lines = body.splitlines()
    i = 0
    para: list[str] = []

    def flush() -> Iterator[tuple[int, str]]:
        if para and any(line.strip() for line in para):
            yield 0, "\n".join(para).strip()
        para.clear()

    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            yield from flush()
            end = i + 1
            while end < len(lines) and not lines[end].lstrip().startswith(fence.group(1)):
                end += 1
            yield 0, "\n".join(lines[i : end + 1])
            i = end + 1
            continue
        heading = _HEADING.match(line)
        if heading:
            yield from flush()
            name = heading_text(heading.group(2))
            if name:
                yield len(heading.group(1)), name
        elif line.lstrip().startswith("|"):
            yield from flush()
            end = i
            while end < len(lines) and lines[end].lstrip().startswith("|"):
                end += 1
            yield 0, "\n".join(lines[i:end])
            i = end
            continue
        elif not line.strip():
            yield from flush()
        else:
            para.append(line)
        i += 1
    yield from flush()


def sections(body: str, title: str) -> list[Section]:
    """Split into sections at headings; the path starts with the document title."""
    stack: list[tuple[int, str]] = []
    result = [Section([title])]
    for level, text in blocks_and_headings(body):
        if level == 0:
            result[-1].blocks.append(text)
            continue
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, text))
        names = [name for _, name in stack]
        if names and names[0] == title:
            names = names[1:]
        result.append(Section([title, *names]))
    return [s for s in result if s.blocks]


def _words(text: str) -> int:
    return len(text.split())


def _split_paragraph(block: str, max_words: int) -> list[str]:
    words = block.split()
    return [" ".join(words[i : i + max_words]) for i in range(0, len(words), max_words)]


def pack(blocks: list[str], max_words: int) -> list[str]:
    """Greedy packing of whole blocks into pieces of at most ``max_words`` words."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for block in blocks:
        n = _words(block)
        atomic = block.lstrip().startswith(("```", "~~~", "|"))
        parts = [block] if atomic or n <= max_words else _split_paragraph(block, max_words)
        for part in parts:
            m = _words(part)
            if current and size + m > max_words:
                pieces.append("\n\n".join(current))
                current, size = [], 0
            current.append(part)
            size += m
    if current:
        pieces.append("\n\n".join(current))
    return pieces


def chunk_markdown(text: str, source: str, *, max_words: int, model: str) -> list[Chunk]:
    """The chunks of one markdown document."""
    meta, body = split_front_matter(text)
    body = clean(body)
    first_h1 = next((t for lvl, t in blocks_and_headings(body) if lvl == 1), "")
    title = heading_text(
        str(meta.get("title") or meta.get("linkTitle") or first_h1 or Path(source).stem)
    )
    url = str(meta.get("url") or meta.get("slug") or "")
    chunks: list[Chunk] = []
    for section in sections(body, title):
        heading = " > ".join(section.path)
        for ordinal, piece in enumerate(pack(section.blocks, max_words)):
            chunks.append(
                make_chunk(
                    source=source,
                    title=title,
                    heading=heading,
                    text=piece,
                    ordinal=ordinal,
                    model=model,
                    url=url,
                )
            )
    return chunks
