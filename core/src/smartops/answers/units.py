"""Evidence text to units: sentences, list items, table rows and code blocks, in order."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Unit = Literal["prose", "item", "code"]

_FENCE = re.compile(r"^\s*(```|~~~)")
_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d{1,2}[.)])\s+(.*)$")
_HEADING = re.compile(r"^#{1,6}\s+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}")
_ABBREVIATIONS = ("e.g.", "i.e.", "vs.", "etc.)", "approx.", "cf.", "Fig.", "No.", "incl.")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`\"'(\[*0-9])")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Piece:
    """One unit of a text: its display text and its place (ordinal) in the text."""

    text: str
    unit: Unit
    position: int
    lang: str = ""


def split_sentences(paragraph: str) -> list[str]:
    """A paragraph to sentences; abbreviations (e.g., i.e.) and code spans never split."""
    text = _SPACES.sub(" ", paragraph).strip()
    if not text:
        return []
    out: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        candidate = text[start : match.start()]
        if candidate.endswith(_ABBREVIATIONS) or candidate.count("`") % 2:
            continue
        out.append(candidate.strip())
        start = match.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def _table_row(line: str) -> str:
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    return " — ".join(c for c in cells if c)


def _blocks(text: str) -> list[tuple[Unit | Literal["para", "table"], str, str]]:
    """(kind, text, code language) for each block: code, item, table row, paragraph."""
    blocks: list[tuple[Unit | Literal["para", "table"], str, str]] = []
    lines = text.splitlines()
    para: list[str] = []
    item: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(("para", " ".join(para), ""))
            para.clear()
        if item:
            blocks.append(("item", " ".join(item), ""))
            item.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            flush()
            lang = line.strip()[3:].strip().split(" ")[0]
            end = i + 1
            while end < len(lines) and not lines[end].lstrip().startswith(fence.group(1)):
                end += 1
            blocks.append(("code", "\n".join(lines[i + 1 : end]), lang))
            i = end + 1
            continue
        stripped = line.strip()
        marker = _ITEM.match(line)
        if not stripped or _HEADING.match(line):
            flush()
        elif stripped.startswith("|"):
            flush()
            if not _TABLE_RULE.match(stripped):
                blocks.append(("table", _table_row(stripped), ""))
        elif marker:
            flush()
            item.append(marker.group(2).strip())
        elif item:
            item.append(stripped)
        else:
            para.append(stripped)
        i += 1
    flush()
    return blocks


def pieces(text: str) -> list[Piece]:
    """The units of a cleaned markdown text, in reading order."""
    out: list[Piece] = []
    for kind, body, lang in _blocks(text):
        if kind == "code":
            if body.strip():
                out.append(Piece(body.rstrip(), "code", len(out), lang))
        elif kind in ("item", "table"):
            if body:
                out.append(Piece(_SPACES.sub(" ", body), "item", len(out)))
        else:
            start = len(out)
            sentences = split_sentences(body)
            out.extend(Piece(s, "prose", start + n) for n, s in enumerate(sentences))
    return out
