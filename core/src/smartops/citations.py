"""The sources list after an answer: each source a link a person can open.

A source links to its own URL where the document has one (an alert rule's
``runbook_url``, a page's canonical ``url`` in its front matter), else to the gateway's
section view (``GET /v1/sections``, ``smartops.gateway.sections``), which renders that
section of the indexed document. The list's heading follows the user's language.

When the gateway requires an API key, a browser opening a link sends none: each section
link then carries ``sig``, an HMAC of its source and heading under a key derived from the
API key, which the section view accepts instead of the bearer key for exactly that
section (``link_signature``). The project's own documentation is linked the same way
(``docs_link``): to ``SMARTOPS_DOCS_URL`` when set, else to the section view of the
indexed ``docs/`` page.
"""

from __future__ import annotations

import hashlib
import hmac
import re
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


def link_signature(settings: Settings, source: str, heading: str) -> str:
    """The ``sig`` of a section link; empty when no API key is set (none is needed)."""
    if settings.api_key is None:
        return ""
    secret = settings.api_key.get_secret_value().encode()
    key = hmac.new(secret, b"smartops section links", hashlib.sha256).digest()
    message = f"{source}\n{heading}".encode("utf-8", "surrogatepass")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def signature_ok(settings: Settings, source: str, heading: str, sig: str) -> bool:
    expected = link_signature(settings, source, heading)
    return bool(expected) and hmac.compare_digest(expected.encode(), sig.encode())


def section_link(source: Source, settings: Settings) -> str:
    """The URL that opens ``source``: its own, else the gateway's view of its section."""
    if is_web_url(source.url):
        return source.url
    return _view(settings, source.source, source.heading)


def _view(settings: Settings, source: str, heading: str, anchor: str = "") -> str:
    query = {"source": source}
    if heading:
        query["heading"] = heading
    sig = link_signature(settings, source, heading)
    if sig:
        query["sig"] = sig
    fragment = f"#{anchor}" if anchor else ""
    return f"{base_url(settings)}{SECTIONS_ROUTE}?{urlencode(query)}{fragment}"


def docs_link(settings: Settings, page: str, anchor: str = "") -> str:
    """A page of the project's documentation (``actions.md``), at ``anchor``."""
    if settings.docs_url:
        fragment = f"#{anchor}" if anchor else ""
        return f"{settings.docs_url.rstrip('/')}/{page}{fragment}"
    return _view(settings, f"docs/{page}", "", anchor)


def anchor_of(heading: str) -> str:
    """The anchor a markdown site gives a heading (GitHub's rule): lower case, words
    joined by hyphens, punctuation dropped."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def render_sources(sources: Sequence[Source], settings: Settings, question: str) -> str:
    """The readable sources list appended to an answer (deduplicated, in order, linked)."""
    unique = list(dict.fromkeys(sources))
    if not unique:
        return ""
    items = [
        {"source": s.source, "heading": s.heading, "url": section_link(s, settings)} for s in unique
    ]
    return "\n\n" + prompts.render("sources", sources=items, language=language_of(question))
