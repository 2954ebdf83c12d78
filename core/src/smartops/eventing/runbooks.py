"""Resolve an alert's runbook to its cached runbook sections.

A ``runbook_url`` such as ``https://runbooks.example.dev/runbooks/kubernetes/kubepodcrashlooping``
names a page (its last path segment, case-insensitive) and maybe a section (the URL
fragment); without a runbook URL the page is named after the alert. The sections come
from the docs cache (CAG: runbook pages are keyed by their name in Redis) and, when
the cache does not hold the page, from the knowledge index (chunks of the file whose
name is the page name, or whose ``url`` is the runbook URL).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Protocol
from urllib.parse import urlsplit

from smartops.cache.docs import DocsCache
from smartops.eventing.alerts import Runbook, RunbookSection
from smartops.eventing.models import AlertData
from smartops.knowledge.documents import Chunk
from smartops.knowledge.index.base import Index

# The order a runbook is read in; other sections come after, in their own order.
SECTION_ORDER = ("meaning", "impact", "diagnosis", "mitigation")
MAX_SECTION_CHARS = 600
CANDIDATES = 40


class RunbookResolver(Protocol):
    async def resolve(self, alert: AlertData) -> Runbook | None: ...


def page_of(alert: AlertData) -> tuple[str, str, str]:
    """(runbook URL, page name lower-cased, fragment) of an alert."""
    url = alert.annotations.get("runbook_url", "")
    if not url:
        return "", alert.alertname.lower(), ""
    parts = urlsplit(url)
    name = PurePosixPath(parts.path.rstrip("/")).name.lower()
    return url, re.sub(r"\.(md|markdown|html?)$", "", name), parts.fragment.lower()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def ordered(sections: Sequence[RunbookSection], fragment: str) -> list[RunbookSection]:
    """The section the URL points at first, then Meaning, Impact, Diagnosis, Mitigation."""

    def rank(item: tuple[int, RunbookSection]) -> tuple[int, int, int]:
        position, section = item
        last = section.heading.split(">")[-1].strip().lower()
        wanted = 0 if fragment and _slug(last) == fragment else 1
        order = SECTION_ORDER.index(last) if last in SECTION_ORDER else len(SECTION_ORDER)
        return wanted, order, position

    return [s for _, s in sorted(enumerate(sections), key=rank)]


class CachedRunbooks:
    """Runbook sections from the docs cache (CAG) in Redis, by page name."""

    def __init__(self, docs: DocsCache) -> None:
        self.docs = docs

    async def resolve(self, alert: AlertData) -> Runbook | None:
        url, page, fragment = page_of(alert)
        match = await self.docs.lookup(page, None)
        if match.how != "key" or not match.sections:
            return None
        first = match.sections[0]
        sections = [
            RunbookSection(heading=s.heading, text=s.text[:MAX_SECTION_CHARS])
            for s in match.sections
            if s.source == first.source
        ]
        return Runbook(
            url=url, source=first.source, title=first.title, sections=ordered(sections, fragment)
        )


def _matches(chunk: Chunk, url: str, page: str) -> bool:
    if url and chunk.url and chunk.url.split("#")[0].rstrip("/") == url.rstrip("/"):
        return chunk.kind != "alert"
    return chunk.kind != "alert" and PurePosixPath(chunk.source).stem.lower() == page


class IndexedRunbooks:
    """Runbook sections from the knowledge index: BM25 on the page name, then a filter."""

    def __init__(self, index: Index) -> None:
        self.index = index

    async def resolve(self, alert: AlertData) -> Runbook | None:
        url, page, fragment = page_of(alert)
        query = f"{alert.alertname} {page}"
        hits = await asyncio.to_thread(self.index.search, query, None, CANDIDATES, "bm25")
        chunks = [h.chunk for h in hits if _matches(h.chunk, url.split("#")[0], page)]
        if not chunks:
            return None
        source = chunks[0].source
        sections = [
            RunbookSection(heading=c.heading, text=c.text[:MAX_SECTION_CHARS])
            for c in chunks
            if c.source == source
        ]
        return Runbook(
            url=url, source=source, title=chunks[0].title, sections=ordered(sections, fragment)
        )


class FirstFound:
    """Ask each resolver in turn; the first runbook found wins."""

    def __init__(self, resolvers: Sequence[RunbookResolver]) -> None:
        self.resolvers = list(resolvers)

    async def resolve(self, alert: AlertData) -> Runbook | None:
        for resolver in self.resolvers:
            found = await resolver.resolve(alert)
            if found is not None:
                return found
        return None
