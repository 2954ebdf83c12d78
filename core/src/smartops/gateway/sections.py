"""``GET /v1/sections``: one section of an indexed document, as a page a person can read.

The sources list links here when a document has no URL of its own
(``smartops.citations``). The page is built from the index alone: ``source`` must be a
source the indexed collections hold, exactly as cited; nothing is read from disk, so a
path never leaves those collections. ``heading`` picks the section ("Title > Section");
without it the whole document is shown. The same authentication as the API (the bearer
key when one is set), or the link's own ``sig`` for exactly that section, since a browser
opening a link sends no key (``smartops.citations.link_signature``). Each section heading
carries its markdown anchor, so a link can point into the page. Markdown is rendered
with raw HTML escaped and unsafe links dropped.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from markdown_it import MarkdownIt

from smartops.citations import SECTIONS_ROUTE, anchor_of, signature_ok
from smartops.config import Settings
from smartops.errors import InvalidRequest, NotFound
from smartops.gateway.auth import authenticate
from smartops.knowledge.documents import Chunk

Chunks = Callable[[], Sequence[Chunk]]
MAX_PARAM = 1000
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
STYLE = (
    "body{font-family:sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5}pre{background:#f4f4f4;padding:.6rem;overflow:auto}"
    "code{background:#f4f4f4}.where{color:#666}"
)


def collections(settings: Settings) -> list[str]:
    """The collections answers cite from: the knowledge base and the alerts."""
    names = [settings.knowledge.collection]
    if settings.eventing.alerts_index:
        names.append(settings.eventing.alerts_collection)
    return names


def indexed_chunks(settings: Settings) -> Chunks:
    """All chunks of the cited collections (the embedded index, opened once, refreshed)."""
    opened: dict[str, Any] = {}

    def read() -> list[Chunk]:
        from smartops.knowledge.index import open_index
        from smartops.knowledge.index.embedded import EmbeddedIndex

        found: list[Chunk] = []
        for name in collections(settings):
            index = opened.get(name) or opened.setdefault(name, open_index(settings, name))
            if not isinstance(index, EmbeddedIndex):
                raise NotFound("Section pages need the embedded knowledge index.")
            index.refresh()
            found.extend(index.chunks)
        return found

    return read


def section(chunks: Sequence[Chunk], source: str, heading: str) -> list[Chunk]:
    """The chunks of ``source`` under ``heading`` (all of them without one), in order."""
    of_source = [c for c in chunks if c.source == source]
    if not of_source:
        raise NotFound(f"No indexed document '{source[:200]}'.")
    under = [
        c
        for c in of_source
        if not heading or c.heading == heading or c.heading.startswith(heading + " >")
    ]
    if not under:
        raise NotFound(f"No section '{heading[:200]}' in '{source[:200]}'.")
    # The same answer-time pass as the retriever's: an index written before ingestion
    # redacted secrets must not show them here either.
    return [c.redacted() for c in under]


def render_page(chunks: Sequence[Chunk], source: str) -> str:
    """The section as an HTML page: the document's title, each heading and its text."""
    markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
    title = chunks[0].title or source
    where = f'<p class="where"><code>{html.escape(source)}</code>'
    parts = [f"<h1>{html.escape(title)}</h1>", where]
    if chunks[0].url:
        url = html.escape(chunks[0].url, quote=True)
        parts.append(f' · <a href="{url}">{url}</a>')
    parts.append("</p>")
    heading = None
    for chunk in chunks:
        if chunk.heading != heading:
            heading = chunk.heading
            slug = html.escape(anchor_of(heading.rsplit(" > ", 1)[-1]), quote=True)
            parts.append(f'<h2 id="{slug}">{html.escape(heading)}</h2>')
        parts.append(markdown.render(chunk.text))
    body = "\n".join(parts)
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{STYLE}</style></head><body>{body}</body></html>"
    )


def _param(request: Request, name: str, required: bool) -> str:
    value = request.query_params.get(name, "")
    if len(value) > MAX_PARAM or (required and not value.strip()):
        raise InvalidRequest(f"Give '{name}' (at most {MAX_PARAM} characters).", param=name)
    return value


def add_routes(app: FastAPI, settings: Settings, chunks: Chunks | None = None) -> None:
    """Register ``GET /v1/sections`` on the gateway."""
    read = chunks or indexed_chunks(settings)

    @app.get(SECTIONS_ROUTE, response_class=HTMLResponse)
    async def show_section(request: Request) -> HTMLResponse:
        source = _param(request, "source", required=True)
        heading = _param(request, "heading", required=False)
        sig = _param(request, "sig", required=False)
        if not signature_ok(settings, source, heading, sig):
            authenticate(settings, request.headers.get("authorization"))
        page = render_page(section(read(), source, heading), source)
        return HTMLResponse(page, headers=HEADERS)
