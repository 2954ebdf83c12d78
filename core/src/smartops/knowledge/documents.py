"""The units of knowledge: a Chunk (what is indexed) and a Hit (what a search returns),
and the walk over a docs folder that finds the files to index."""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from smartops.redact import redact

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "bm25", "vector"]
MODES: tuple[Mode, ...] = ("hybrid", "bm25", "vector")


@dataclass(frozen=True)
class Chunk:
    """One indexed piece of a document.

    ``source`` is the file path exactly as given to ``smartops ingest``; ``heading`` the
    heading path inside the document ("Title > Section > Subsection").
    """

    id: str
    source: str
    title: str
    heading: str
    text: str
    hash: str
    url: str = ""
    kind: str = "doc"
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def embed_text(self) -> str:
        """What the embedding model sees: where the chunk sits, then its text."""
        return f"{self.heading}\n{self.text}" if self.heading else self.text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chunk:
        return cls(**data)

    def redacted(self) -> Chunk:
        """This chunk with secrets in its title, heading and text masked (``redact``).

        The hash is kept: it stands for the source, so an unchanged file is not
        re-embedded. Ingestion redacts before it embeds.
        """
        title, heading, text = redact(self.title), redact(self.heading), redact(self.text)
        if (title, heading, text) == (self.title, self.heading, self.text):
            return self
        return replace(self, title=title, heading=heading, text=text)


@dataclass(frozen=True)
class Hit:
    """A search result: a chunk and its score (RRF score for hybrid search)."""

    chunk: Chunk
    score: float

    def redacted(self) -> Hit:
        """This hit with its chunk redacted: the answer-time pass over any backend's hits
        (an OpenSearch index built before ingestion redacted, say)."""
        chunk = self.chunk.redacted()
        return self if chunk is self.chunk else Hit(chunk, self.score)

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` shape of ``smartops search`` and of the retriever model."""
        c = self.chunk
        return {
            "source": c.source,
            "title": c.title,
            "heading": c.heading,
            "score": round(self.score, 6),
            "text": c.text,
            "url": c.url,
            "id": c.id,
        }


def chunk_id(source: str, heading: str, ordinal: int) -> str:
    """Stable id: the same place in the same file keeps its id when its text changes."""
    key = f"{source}\0{heading}\0{ordinal}".encode()
    return hashlib.sha1(key, usedforsecurity=False).hexdigest()[:24]


def content_hash(*parts: str) -> str:
    """Hash of what a chunk's vector depends on (its text and the embedding model)."""
    digest = hashlib.sha1(usedforsecurity=False)
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:24]


def make_chunk(
    *,
    source: str,
    title: str,
    heading: str,
    text: str,
    ordinal: int,
    model: str,
    url: str = "",
    kind: str = "doc",
    meta: dict[str, str] | None = None,
) -> Chunk:
    return Chunk(
        id=chunk_id(source, heading, ordinal),
        source=source,
        title=title,
        heading=heading,
        text=text,
        hash=content_hash(model, heading, text, url),
        url=url,
        kind=kind,
        meta=meta or {},
    )


def files_under(root: Path) -> list[Path]:
    """Every regular file under ``root`` (sorted), without ever leaving it.

    A symlinked file is kept only when it resolves to a file inside ``root``; symlinked
    folders are not walked (one inside ``root`` is walked under its real path). Each
    skipped link is logged. FIFOs, sockets and devices are skipped.
    """
    base = root.resolve()
    found: list[Path] = []
    for folder, dirs, names in os.walk(root):  # followlinks=False
        here = Path(folder)
        for name in dirs:
            if (here / name).is_symlink():
                log.warning("symlinked folder not walked", extra={"path": str(here / name)})
        for name in names:
            path = here / name
            try:
                outside = path.is_symlink() and not path.resolve().is_relative_to(base)
            except (OSError, RuntimeError):  # a symlink loop, a dangling or unreadable link
                outside = True
            if outside:
                log.warning("symlink out of the docs folder skipped", extra={"path": str(path)})
            elif path.is_file():
                found.append(path)
    return sorted(found)
