"""Incremental ingestion: files to chunks, only new or changed chunks embedded.

A chunk's id is its place (source, heading path, ordinal); its hash covers its text and
the embedding model. Unchanged chunks are skipped, changed ones re-embedded, and chunks
whose file (under one of the given paths) or place disappeared are deleted.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from smartops.config import Settings
from smartops.errors import InvalidRequest
from smartops.knowledge.alert_rules import chunk_alert_rules
from smartops.knowledge.chunking import chunk_markdown
from smartops.knowledge.documents import Chunk, files_under
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.index.base import Index
from smartops.knowledge.snippets import find, includes, inline
from smartops.redact import redact

log = logging.getLogger(__name__)
MARKDOWN = (".md", ".markdown")
YAML = (".yaml", ".yml")


class Progress(Protocol):
    def start(self, total: int) -> None: ...

    def advance(self, n: int) -> None: ...


@dataclass
class IngestReport:
    files: int = 0
    chunks: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0

    @property
    def chunks_per_s(self) -> float:
        embedded = self.new + self.updated
        return embedded / self.embed_seconds if self.embed_seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "chunks_per_s": round(self.chunks_per_s, 1)}

    def add(self, other: IngestReport) -> None:
        """Count another sync of the same run in (its time already passed in this one's)."""
        for name in ("files", "chunks", "new", "updated", "unchanged", "deleted"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.embed_seconds += other.embed_seconds


def discover(paths: Sequence[str]) -> list[tuple[str, Path]]:
    """(source as given, file) for every markdown and YAML file under the paths; the walk
    never leaves a given folder (``files_under``: symlinks out of it are skipped)."""
    found: list[tuple[str, Path]] = []
    for arg in paths:
        root = Path(arg)
        if root.is_file():
            found.append((arg, root))
        elif root.is_dir():
            base = arg.rstrip("/") or "/"
            for file in files_under(root):
                if file.suffix.lower() in MARKDOWN + YAML:
                    found.append((os.path.join(base, str(file.relative_to(root))), file))
        else:
            raise InvalidRequest(missing_path(arg), param="path")
    return found


def missing_path(arg: str) -> str:
    """Why a path cannot be indexed, and where it was looked for (relative to the working
    directory, which is where a relative path like ``../docs`` is a common slip)."""
    where = Path(arg) if Path(arg).is_absolute() else Path.cwd() / arg
    hint = f"No such file or folder: {arg} (looked for {os.path.normpath(where)})."
    if not Path(arg).is_absolute():
        hint += " Relative paths start from the current directory"
        parent = Path(arg).parent
        if str(parent) not in ("", ".") and not parent.is_dir():
            hint += f", and '{parent}' is not a folder here either"
        hint += ", e.g. `smartops ingest docs` from the repository root."
    return hint


def parse_file(
    source: str, file: Path, settings: Settings, model: str, root: Path | None = None
) -> list[Chunk]:
    """The file's chunks, secrets masked (``redact``) before anything stores or embeds
    them: a markdown file as a whole (a key block may span sections), alert rules per
    chunk (the YAML is parsed first, a mask must not break it). Snippet includes are
    resolved up to ``root`` (``snippets.inline``; default: the file's folder)."""
    text = file.read_text(encoding="utf-8", errors="replace")
    if file.suffix.lower() in YAML:
        return [c.redacted() for c in chunk_alert_rules(text, source, model=model)]
    text = inline(text, file, root or file.parent)
    return chunk_markdown(redact(text), source, max_words=settings.chunk_words, model=model)


def root_of(file: Path, paths: Sequence[str]) -> Path:
    """The folder given to ingest that holds ``file`` (its own folder for a file given)."""
    for arg in paths:
        root = Path(arg)
        if root.is_dir() and file.resolve().is_relative_to(root.resolve()):
            return root
    return file.parent


def fragments(files: Sequence[tuple[Path, Path]]) -> set[Path]:
    """The snippet files that another of the (file, root) pages includes: they are read
    where they are included, not indexed as pages of their own."""
    found: set[Path] = set()
    for file, root in files:
        if file.suffix.lower() in MARKDOWN:
            text = file.read_text(encoding="utf-8", errors="replace")
            for name in includes(text):
                if (fragment := find(name, file, root)) is not None:
                    found.add(fragment.resolve())
    return found


def _under(source: str, paths: Sequence[str]) -> bool:
    for arg in paths:
        base = arg.rstrip("/")
        if source == arg or source.startswith(base + "/"):
            return True
    return False


def ingest(
    paths: Sequence[str],
    settings: Settings,
    index: Index,
    embedder: Embedder,
    progress: Progress | None = None,
) -> IngestReport:
    """Bring the index in line with the files under ``paths``."""
    started = time.perf_counter()
    report = IngestReport()
    rooted = [(source, file, root_of(file, paths)) for source, file in discover(paths)]
    included = fragments([(file, root) for _, file, root in rooted])
    files = [(s, f, r) for s, f, r in rooted if f.resolve() not in included]
    chunks: dict[str, Chunk] = {}
    for source, file, root in files:
        for chunk in parse_file(source, file, settings, embedder.signature, root):
            chunks[chunk.id] = chunk
    report.files = len(files)
    sync(chunks, index, embedder, lambda source: _under(source, paths), report, progress)
    report.seconds = time.perf_counter() - started
    log.info("ingested", extra=report.to_dict())
    return report


def sync(
    chunks: dict[str, Chunk],
    index: Index,
    embedder: Embedder,
    owned: Callable[[str], bool],
    report: IngestReport,
    progress: Progress | None = None,
) -> None:
    """Bring the stored chunks of the sources ``owned`` selects in line with ``chunks``:
    new and changed ones embedded and written, the others of those sources deleted."""
    report.chunks = len(chunks)
    stored = index.stored()
    todo = [c for c in chunks.values() if c.id not in stored or stored[c.id].hash != c.hash]
    report.updated = sum(1 for c in todo if c.id in stored)
    report.new = len(todo) - report.updated
    report.unchanged = len(chunks) - len(todo)
    gone = [i for i, s in stored.items() if i not in chunks and owned(s.source)]
    report.deleted = len(gone)
    if progress:
        progress.start(len(todo))
    if todo:
        embed_started = time.perf_counter()
        vectors = embedder.embed_batch(
            [c.embed_text for c in todo], progress.advance if progress else None
        )
        report.embed_seconds = time.perf_counter() - embed_started
        index.upsert(todo, vectors)
    index.delete(gone)
    if todo or gone:
        index.commit()
