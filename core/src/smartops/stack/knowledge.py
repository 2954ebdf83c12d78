"""Knowledge on first start: ``smartops up --knowledge DIR`` indexes DIR before READY.

The folders (``SMARTOPS_KNOWLEDGE_PATHS``; ``make run`` passes the project's own
``docs/`` by default) are ingested into the configured collection with one progress
line per tenth of the embedding pass, and, unless ``SMARTOPS_CAG_PATHS`` names other
folders, loaded into the docs cache as well. A start whose files are unchanged since the
last one (same names, sizes and modification times, same embedding model and chunking)
skips even the parsing: the fingerprint is kept in ``<data dir>/knowledge/startup.json``.
The ingestion itself is incremental, so a changed file re-embeds only its own chunks.
When Prometheus is configured, the alerting rules it has loaded are indexed too
(``index_prometheus_rules``), before READY.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from smartops.config import Settings
from smartops.errors import SmartopsError
from smartops.knowledge.embedder import embedding_signature
from smartops.knowledge.ingest import IngestReport, discover

STATE_FILE = "startup.json"


@dataclass(frozen=True)
class StartupIndex:
    """What the start did with the knowledge folders."""

    paths: list[str]
    files: int
    chunks: int
    embedded: int
    skipped: bool
    seconds: float


def with_knowledge(settings: Settings) -> Settings:
    """The docs cache preloads the knowledge folders unless it was given its own."""
    if settings.knowledge.paths and not settings.cag.paths:
        return settings.with_changes(cag_paths=list(settings.knowledge.paths))
    return settings


def fingerprint(settings: Settings) -> tuple[str, int]:
    """A hash of what the index would be built from, and the number of files."""
    files = discover(settings.knowledge.paths)
    digest = hashlib.sha256()
    for part in (embedding_signature(settings.embed), settings.knowledge.collection):
        digest.update(f"{part}\0".encode())
    digest.update(f"{settings.chunk_words}\0".encode())
    for source, file in sorted(files):
        stat = file.stat()
        digest.update(f"{source}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest(), len(files)


class _Lines:
    """Ingest progress as a few plain lines (``knowledge: embedding 40% (480/1200)``)."""

    def __init__(self, out: TextIO) -> None:
        self.out, self.total, self.done, self.shown = out, 0, 0, -1

    def start(self, total: int) -> None:
        self.total = total

    def advance(self, n: int) -> None:
        self.done += n
        tenth = self.done * 10 // max(1, self.total)
        if tenth != self.shown:
            self.shown = tenth
            pct = self.done * 100 // max(1, self.total)
            print(f"knowledge: embedding {pct}% ({self.done}/{self.total})", file=self.out)


def index_knowledge(settings: Settings, out: TextIO | None = None) -> StartupIndex | None:
    """Bring the collection in line with the knowledge folders; None when none is set."""
    if not settings.knowledge.paths:
        return None
    stream = out or sys.stderr
    started = time.perf_counter()
    paths = list(settings.knowledge.paths)
    digest, count = fingerprint(settings)
    state = settings.data_dir / "knowledge" / STATE_FILE
    if _recorded(state) == digest:
        took = time.perf_counter() - started
        print(
            f"knowledge: {count} files under {', '.join(paths)} unchanged; index kept", file=stream
        )
        return StartupIndex(paths, count, 0, 0, True, took)
    print(f"knowledge: indexing {count} files under {', '.join(paths)}", file=stream)
    report = _ingest(settings, paths, stream)
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text(json.dumps({"fingerprint": digest, "paths": paths}))
    took = time.perf_counter() - started
    print(
        f"knowledge: {report.chunks} chunks ({report.new + report.updated} embedded, "
        f"{report.unchanged} unchanged, {report.deleted} deleted) in {took:.1f} s",
        file=stream,
    )
    return StartupIndex(
        paths, report.files, report.chunks, report.new + report.updated, False, took
    )


def index_prometheus_rules(settings: Settings, out: TextIO | None = None) -> IngestReport | None:
    """Prometheus's loaded alerting rules into the collection, when Prometheus is
    configured (``smartops.knowledge.prom_rules``); a Prometheus that is down is said
    and the start goes on with what the index holds."""
    if not settings.actions.prometheus_url or not settings.knowledge.enabled:
        return None
    from smartops.actions.prom import loaded_rules
    from smartops.knowledge.embedder import Embedder
    from smartops.knowledge.index import open_index
    from smartops.knowledge.prom_rules import index_rules

    stream = out or sys.stderr
    try:
        data = asyncio.run(loaded_rules(settings.actions))
    except SmartopsError as exc:
        print(f"knowledge: Prometheus's alerting rules not indexed: {exc.message}", file=stream)
        return None
    index = open_index(settings, settings.knowledge.collection)
    report = index_rules(data, index, Embedder(settings.embed))
    print(
        f"knowledge: {report.chunks} alerting rules from Prometheus ({report.new + report.updated}"
        f" embedded, {report.deleted} deleted)",
        file=stream,
    )
    return report


def _ingest(settings: Settings, paths: list[str], out: TextIO) -> IngestReport:
    from smartops.knowledge.embedder import Embedder
    from smartops.knowledge.index import open_index
    from smartops.knowledge.ingest import ingest

    index = open_index(settings, settings.knowledge.collection)
    return ingest(paths, settings, index, Embedder(settings.embed), _Lines(out))


def _recorded(state: Path) -> str:
    try:
        return str(json.loads(state.read_text()).get("fingerprint", ""))
    except (OSError, ValueError, AttributeError):
        return ""
