"""The sources list after an answer: each source a link a person can open.

A source links to its own URL where the document has one (an alert rule's
``runbook_url``, a page's canonical ``url`` in its front matter), else to the gateway's
section view (``GET /v1/sections``, ``smartops.gateway.sections``), which renders that
section of the indexed document. The list's heading follows the user's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from smartops import prompts
from smartops.answers.language import language_of
from smartops.config import Settings
from smartops.turn import Source

SECTIONS_ROUTE = "/v1/sections"
_WILDCARD = {"0.0.0.0", "::", ""}  # noqa: S104 (names, not a bind)


def base_url(settings: Settings) -> str:
    """Where people reach this gateway: ``public_url``, else its own host and port."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    host = "127.0.0.1" if settings.host in _WILDCARD else settings.host
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{settings.port}"


def is_web_url(url: str) -> bool:
    return url.startswith(("https://", "http://"))


def section_link(source: Source, base: str) -> str:
    """The URL that opens ``source``: its own, else the gateway's view of its section."""
    if is_web_url(source.url):
        return source.url
    query = {"source": source.source}
    if source.heading:
        query["heading"] = source.heading
    return f"{base}{SECTIONS_ROUTE}?{urlencode(query)}"


def render_sources(sources: Sequence[Source], settings: Settings, question: str) -> str:
    """The readable sources list appended to an answer (deduplicated, in order, linked)."""
    unique = list(dict.fromkeys(sources))
    if not unique:
        return ""
    base = base_url(settings)
    items = [
        {"source": s.source, "heading": s.heading, "url": section_link(s, base)} for s in unique
    ]
    return "\n\n" + prompts.render("sources", sources=items, language=language_of(question))
