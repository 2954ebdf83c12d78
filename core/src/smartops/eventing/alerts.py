"""The alert documents: one per alert (by fingerprint), in Redis, mirrored into the index.

Redis holds the documents (hash ``smartops:alerts``: fingerprint -> JSON), so "which
alerts are firing in payments?" is an exact answer shared by every process. Each
document is also upserted into the knowledge index's ``alerts`` collection, so that
retrieval can cite alerts like any other knowledge.

Updates follow the alert's life, whatever order the events arrive in: a newer
``startsAt`` is a new occurrence and replaces the document; an older one is stale;
for the same occurrence, resolved is final (a late firing notification is ignored).

Every timestamp is aware and in UTC (``smartops.timestamps``): a naive one written by an
older version is read as UTC. A stored document that does not load at all is skipped
(and logged), so one bad entry can never fail every alert question.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from pydantic import BaseModel, Field, ValidationError
from redis.asyncio import Redis
from redis.exceptions import WatchError

from smartops.eventing.models import AlertData, AlertStatus
from smartops.timestamps import StoredTimestamp, utc_now

log = logging.getLogger(__name__)
ALERTS_KEY = "smartops:alerts"


class RunbookSection(BaseModel):
    heading: str
    text: str


class Runbook(BaseModel):
    """The alert's runbook, resolved to the sections the knowledge base holds."""

    url: str = ""
    source: str = ""
    title: str = ""
    sections: list[RunbookSection] = Field(default_factory=list)

    def highlights(self) -> list[RunbookSection]:
        """What an answer shows: what the alert means and how to mitigate it."""
        wanted = [
            s
            for s in self.sections
            if s.heading.split(">")[-1].strip().lower() in ("meaning", "mitigation")
        ]
        return wanted or self.sections[:2]


class AlertCause(BaseModel):
    """What the investigation of a firing alert found, stored with its document: the top
    cause in one sentence (English, and Russian), its analyzer, the object it is about and
    the first evidence lines (redacted). ``starts_at`` is the occurrence investigated."""

    text: str
    text_ru: str = ""
    analyzer: str = ""  # empty: the object was investigated and nothing was wrong
    subject: str = ""
    evidence: list[str] = Field(default_factory=list)
    starts_at: StoredTimestamp | None = None


class AlertDoc(BaseModel):
    fingerprint: str
    alertname: str
    status: AlertStatus
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    starts_at: StoredTimestamp
    ends_at: StoredTimestamp | None = None
    updated_at: StoredTimestamp
    generator_url: str = ""
    source: str = ""
    runbook: Runbook | None = None
    cause: AlertCause | None = None

    @property
    def summary(self) -> str:
        notes = self.annotations
        return notes.get("summary") or notes.get("description") or notes.get("message") or ""

    def text(self) -> str:
        """The document as the index and the prompt see it."""
        labels = ", ".join(f"{k}={v}" for k, v in sorted(self.labels.items()))
        lines = [
            f"Alert {self.alertname} is {self.status} (since {self.starts_at:%Y-%m-%d %H:%M} UTC)"
        ]
        if self.ends_at:
            lines.append(f"Resolved at {self.ends_at:%Y-%m-%d %H:%M} UTC")
        lines.append(f"Labels: {labels}")
        lines += [f"{k.capitalize()}: {v}" for k, v in sorted(self.annotations.items())]
        if self.runbook and self.runbook.sections:
            first = self.runbook.sections[0]
            lines.append(f"Runbook ({self.runbook.source}) {first.heading}: {first.text}")
        if self.cause:
            lines.append(f"Cause (investigated): {self.cause.text}")
        return "\n".join(lines)


def from_event(data: AlertData, runbook: Runbook | None, now: datetime | None = None) -> AlertDoc:
    return AlertDoc(
        fingerprint=data.fingerprint,
        alertname=data.alertname,
        status=data.status,
        labels=data.labels,
        annotations=data.annotations,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        updated_at=now or utc_now(),
        generator_url=data.generator_url,
        source=data.external_url,
        runbook=runbook,
    )


def merge(old: AlertDoc | None, new: AlertDoc) -> AlertDoc | None:
    """The document to store, or None when ``new`` is stale (nothing to write)."""
    if old is None or new.starts_at > old.starts_at:
        return new
    if new.starts_at < old.starts_at:
        return None
    if old.status == "resolved" and new.status == "firing":
        return None
    kept: dict[str, object] = {}
    if new.runbook is None and old.runbook is not None:
        kept["runbook"] = old.runbook
    if new.cause is None and old.cause is not None:
        kept["cause"] = old.cause  # the same occurrence: investigated once
    return new.model_copy(update=kept) if kept else new


def needs_cause(doc: AlertDoc) -> bool:
    """A firing alert whose current occurrence has not been investigated yet."""
    if doc.status != "firing":
        return False
    return doc.cause is None or doc.cause.starts_at != doc.starts_at


class AlertStore:
    """Alert documents in one Redis hash; writes are compare-and-set (WATCH)."""

    def __init__(self, redis: Redis, key: str = ALERTS_KEY) -> None:
        self.redis = redis
        self.key = key

    async def get(self, fingerprint: str) -> AlertDoc | None:
        raw = await self.redis.hget(self.key, fingerprint)  # type: ignore[misc]
        return load(fingerprint, raw)

    async def all(self) -> list[AlertDoc]:
        raw = await self.redis.hgetall(self.key)  # type: ignore[misc]
        docs = [doc for key, value in raw.items() if (doc := load(key, value)) is not None]
        return sorted(docs, key=lambda d: (d.status != "firing", d.starts_at), reverse=False)

    async def upsert(self, new: AlertDoc) -> AlertDoc | None:
        """Merge ``new`` into the stored document; returns what was written (or None)."""
        async with self.redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(self.key)
                    raw = await pipe.hget(self.key, new.fingerprint)  # type: ignore[misc]
                    old = load(new.fingerprint, raw)  # unreadable: replaced by the new one
                    doc = merge(old, new)
                    if doc is None:
                        await pipe.unwatch()  # type: ignore[no-untyped-call]
                        return None
                    pipe.multi()  # type: ignore[no-untyped-call]
                    pipe.hset(self.key, new.fingerprint, doc.model_dump_json())
                    await pipe.execute()
                    return doc
                except WatchError:
                    continue

    async def set_cause(self, fingerprint: str, cause: AlertCause) -> AlertDoc | None:
        """Store the cause with the document of the occurrence it was found for; None
        (nothing written) when that occurrence is no longer the stored one or resolved."""
        async with self.redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(self.key)
                    raw = await pipe.hget(self.key, fingerprint)  # type: ignore[misc]
                    old = load(fingerprint, raw)
                    if old is None or old.starts_at != cause.starts_at or not needs_cause(old):
                        await pipe.unwatch()  # type: ignore[no-untyped-call]
                        return None
                    doc = old.model_copy(update={"cause": cause})
                    pipe.multi()  # type: ignore[no-untyped-call]
                    pipe.hset(self.key, fingerprint, doc.model_dump_json())
                    await pipe.execute()
                    return doc
                except WatchError:
                    continue

    async def count(self) -> int:
        return int(await self.redis.hlen(self.key))  # type: ignore[misc]


def load(key: bytes | str, raw: bytes | str | None) -> AlertDoc | None:
    """A stored document, or None when there is none or it does not load (logged)."""
    if not raw:
        return None
    try:
        return AlertDoc.model_validate_json(raw)
    except ValidationError as exc:
        name = key.decode(errors="replace") if isinstance(key, bytes) else key
        log.warning(
            "stored alert document skipped: it does not load",
            extra={"fingerprint": name[:128], "error": str(exc.errors()[0].get("msg", ""))},
        )
        return None


def to_json(doc: AlertDoc) -> dict[str, object]:
    result: dict[str, object] = json.loads(doc.model_dump_json())
    return result
