"""The alert documents: one per alert (by fingerprint), in Redis, mirrored into the index.

Redis holds the documents (hash ``smartops:alerts``: fingerprint -> JSON), so "which
alerts are firing in payments?" is an exact answer shared by every process. Each
document is also upserted into the knowledge index's ``alerts`` collection, so that
retrieval can cite alerts like any other knowledge.

Updates follow the alert's life, whatever order the events arrive in: a newer
``startsAt`` is a new occurrence and replaces the document; an older one is stale;
for the same occurrence, resolved is final (a late firing notification is ignored).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pydantic import BaseModel, Field
from redis.asyncio import Redis
from redis.exceptions import WatchError

from smartops.eventing.models import AlertData, AlertStatus

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


class AlertDoc(BaseModel):
    fingerprint: str
    alertname: str
    status: AlertStatus
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    starts_at: datetime
    ends_at: datetime | None = None
    updated_at: datetime
    generator_url: str = ""
    source: str = ""
    runbook: Runbook | None = None

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
        updated_at=now or datetime.now(UTC),
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
    if new.runbook is None and old.runbook is not None:
        return new.model_copy(update={"runbook": old.runbook})
    return new


class AlertStore:
    """Alert documents in one Redis hash; writes are compare-and-set (WATCH)."""

    def __init__(self, redis: Redis, key: str = ALERTS_KEY) -> None:
        self.redis = redis
        self.key = key

    async def get(self, fingerprint: str) -> AlertDoc | None:
        raw = await self.redis.hget(self.key, fingerprint)  # type: ignore[misc]
        return AlertDoc.model_validate_json(raw) if raw else None

    async def all(self) -> list[AlertDoc]:
        raw = await self.redis.hgetall(self.key)  # type: ignore[misc]
        docs = [AlertDoc.model_validate_json(v) for v in raw.values()]
        return sorted(docs, key=lambda d: (d.status != "firing", d.starts_at), reverse=False)

    async def upsert(self, new: AlertDoc) -> AlertDoc | None:
        """Merge ``new`` into the stored document; returns what was written (or None)."""
        async with self.redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(self.key)
                    raw = await pipe.hget(self.key, new.fingerprint)  # type: ignore[misc]
                    old = AlertDoc.model_validate_json(raw) if raw else None
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

    async def count(self) -> int:
        return int(await self.redis.hlen(self.key))  # type: ignore[misc]


def to_json(doc: AlertDoc) -> dict[str, object]:
    result: dict[str, object] = json.loads(doc.model_dump_json())
    return result
