"""The event handlers: dispatch by type, idempotently, with 4xx for permanent errors.

- ``alert.firing`` / ``alert.resolved``: upsert the alert document (with its runbook
  resolved to the cached runbook sections); resolved marks it resolved. A firing alert
  is investigated once per occurrence (when an investigator is configured: bounded, and
  an investigation that fails leaves the document without its cause).
- ``docs.changed``: re-ingest the given paths and reload the CAG sections under them;
  the knowledge generation (and with it the answer cache) moves only when the index or
  the cached sections changed, once (``generation.advance``, in the run and the reload).
- ``reindex.scheduled``: a full incremental reindex of the configured paths.
- ``reindex.completed``: reload the CAG sections (the cache function's trigger).

A malformed event or unknown type is an ``InvalidRequest`` (400: the Trigger sends it
to the dead-letter sink). A backend that is down is a ``ServerError`` (5xx: retried).
Each event id is processed once (``dedupe``); a failed attempt releases its claim.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from redis.exceptions import RedisError

from smartops.body import invalid_from_validation
from smartops.cache import generation
from smartops.config import Settings
from smartops.errors import ClientError, InvalidRequest, UpstreamUnavailable
from smartops.eventing import models as m
from smartops.eventing.alerts import AlertCause, AlertDoc, AlertStore, from_event, needs_cause
from smartops.eventing.dedupe import Claim, Dedupe
from smartops.eventing.envelope import CloudEvent
from smartops.eventing.runbooks import RunbookResolver
from smartops.eventing.runs import Reindexer
from smartops.metrics import Metrics

log = logging.getLogger(__name__)
# Reload the docs cache under the paths (None: all), as part of a change (an event id).
ReloadDocs = Callable[[list[str] | None, str], Awaitable[None]]
IndexAlert = Callable[[AlertDoc], None]
# The cause of a firing alert from its labels (smartops.investigate.stage), or None.
InvestigateAlert = Callable[[dict[str, str]], Awaitable[AlertCause | None]]
T = TypeVar("T")


@dataclass
class Outcome:
    """What handling one event did; ``reply`` is an event to answer with (Knative reply)."""

    status: str
    detail: dict[str, Any] = field(default_factory=dict)
    reply: CloudEvent | None = None


@dataclass
class Handlers:
    settings: Settings
    metrics: Metrics
    dedupe: Dedupe
    alerts: AlertStore
    runbooks: RunbookResolver | None
    reindexer: Reindexer | None
    reload_docs: ReloadDocs | None = None
    index_alert: IndexAlert | None = None
    investigate: InvestigateAlert | None = None

    async def handle(self, event: CloudEvent) -> Outcome:
        """Validate, claim, dispatch, record; raises the error hierarchy."""
        started = time.perf_counter()
        kind = event.type if event.type in m.DATA_MODELS else "unknown"
        try:
            outcome = await self._handle(event)
        except ClientError as exc:
            self.metrics.events.labels(kind, "rejected").inc()
            log.warning(
                "event rejected",
                extra={"event_id": event.id, "type": event.type, "error": exc.message},
            )
            raise
        except Exception:
            self.metrics.events.labels(kind, "failed").inc()
            log.exception("event failed", extra={"event_id": event.id, "type": event.type})
            raise
        self.metrics.events.labels(kind, outcome.status).inc()
        self.metrics.event_latency.labels(kind).observe(time.perf_counter() - started)
        log.info(
            "event handled",
            extra={
                "event_id": event.id,
                "type": event.type,
                "outcome": outcome.status,
                **outcome.detail,
            },
        )
        return outcome

    async def _handle(self, event: CloudEvent) -> Outcome:
        data = parse_data(event)
        claim = await _redis(self.dedupe.claim(event.source, event.id))
        if claim is Claim.DUPLICATE:
            return Outcome("duplicate")
        if claim is Claim.BUSY:
            raise UpstreamUnavailable(f"Event {event.id} is being processed; retry later.")
        try:
            outcome = await self._dispatch(event, data)
        except BaseException:
            await _redis(self.dedupe.release(event.source, event.id))
            raise
        await _redis(self.dedupe.done(event.source, event.id))
        return outcome

    async def _dispatch(self, event: CloudEvent, data: BaseModel) -> Outcome:
        if isinstance(data, m.AlertData):
            return await self._alert(event, data)
        if isinstance(data, m.DocsChangedData):
            paths = within_roots(data.paths, self.settings.eventing.reindex_paths)
            name = data.collection or self.settings.knowledge.collection
            return await self._reindex(event, paths, name, reload=paths)
        if isinstance(data, m.ReindexScheduledData):
            paths = list(self.settings.eventing.reindex_paths)
            if not paths:
                raise InvalidRequest("No reindex paths are configured (eventing_reindex_paths).")
            name = data.collection or self.settings.knowledge.collection
            return await self._reindex(event, paths, name, reload=None)
        if self.reload_docs is not None:
            await self.reload_docs(None, event.id)
        return Outcome("processed", {"reloaded": self.reload_docs is not None})

    async def _alert(self, event: CloudEvent, data: m.AlertData) -> Outcome:
        expected = m.ALERT_FIRING if data.status == "firing" else m.ALERT_RESOLVED
        if event.type != expected:
            raise InvalidRequest(
                f"An event of type {event.type} cannot carry a {data.status} alert.",
                param="data.status",
            )
        runbook = None
        if data.status == "firing" and self.runbooks is not None:
            try:
                runbook = await self.runbooks.resolve(data)
            except Exception as exc:  # the alert document goes in without its runbook
                log.warning(
                    "runbook not resolved",
                    extra={"alert": data.alertname, "error": f"{type(exc).__name__}"},
                )
        written = await _redis(self.alerts.upsert(from_event(data, runbook)))
        if written is not None and self.investigate is not None and needs_cause(written):
            written = await self._investigate(written)
        if written is not None and self.index_alert is not None:
            await asyncio.to_thread(self.index_alert, written)
        detail = {
            "alert": data.alertname,
            "fingerprint": data.fingerprint,
            "status": data.status,
            "written": written is not None,
            "runbook": bool(written and written.runbook),
            "cause": bool(written and written.cause),
        }
        return Outcome("processed", detail)

    async def _investigate(self, doc: AlertDoc) -> AlertDoc:
        """The document with the cause of this occurrence, stored (once)."""
        assert self.investigate is not None
        cause = await self.investigate(dict(doc.labels))
        if cause is None:
            return doc
        cause = cause.model_copy(update={"starts_at": doc.starts_at})
        stored = await _redis(self.alerts.set_cause(doc.fingerprint, cause))
        return stored or doc

    async def _reindex(
        self,
        event: CloudEvent,
        paths: list[str],
        name: str,
        reload: list[str] | None,
    ) -> Outcome:
        if self.reindexer is None:
            raise UpstreamUnavailable("This process does not run reindexes.")
        record = await self.reindexer.run(paths, name, trigger=event.type, change=event.id)
        if record.status == "failed":
            raise UpstreamUnavailable(f"The reindex failed: {'; '.join(record.errors)}")
        if self.reload_docs is not None:
            await self.reload_docs(reload, event.id)
        # The run and the reload each advance the generation only if their part changed,
        # at most once for the event together; the reply carries the generation after.
        gen = await _redis(generation.current(self.dedupe.redis))
        record = record.model_copy(update={"generation": gen})
        reply = CloudEvent(
            type=m.REINDEX_COMPLETED,
            source=self.settings.eventing.source,
            id=record.run_id,
            subject=name,
            data=record.model_dump(mode="json"),
        )
        return Outcome("processed", {"run_id": record.run_id, "chunks": record.chunks}, reply)


def parse_data(event: CloudEvent) -> BaseModel:
    """The event's data validated against its type's model; InvalidRequest otherwise."""
    model = m.DATA_MODELS.get(event.type)
    if model is None:
        raise InvalidRequest(f"Unknown event type '{event.type}'.", param="type")
    try:
        return model.model_validate(event.data)
    except ValidationError as exc:
        raise invalid_from_validation(exc, what=f"{event.type} data", param_prefix="data") from None


def within_roots(paths: Sequence[str], roots: Sequence[str]) -> list[str]:
    """Each path, checked to be under a configured root; a path that no longer exists
    becomes its nearest existing folder (re-ingesting it deletes the removed chunks).
    A path the file system cannot even look at (a symlink loop...) is a 400 too."""
    if not roots:
        raise InvalidRequest("No reindex paths are configured (eventing_reindex_paths).")
    result: list[str] = []
    for given in paths:
        try:
            result.append(_within_root(given, roots))
        except (OSError, RuntimeError, ValueError) as exc:
            raise InvalidRequest(
                f"'{given[:200]}' cannot be read ({type(exc).__name__}).", param="data.paths"
            ) from None
    return list(dict.fromkeys(result))


def _within_root(given: str, roots: Sequence[str]) -> str:
    path = Path(given)
    root = next((r for r in roots if _under(path, Path(r))), None)
    if root is None:
        raise InvalidRequest(f"'{given}' is not under a reindex path.", param="data.paths")
    while not path.exists() and _under(path.parent, Path(root)):
        path = path.parent
    if not path.exists():
        raise InvalidRequest(f"'{given}' does not exist.", param="data.paths")
    # Spelled from the root as configured, as the full reindex names its sources.
    relative = os.path.relpath(path.resolve(), Path(root).resolve())
    return root if relative == "." else os.path.join(root.rstrip("/"), relative)


def _under(path: Path, root: Path) -> bool:
    p, r = path.resolve(), root.resolve()
    return p == r or r in p.parents


async def _redis(call: Awaitable[T]) -> T:
    try:
        return await call
    except RedisError as exc:
        raise UpstreamUnavailable(f"Redis is unavailable: {type(exc).__name__}.") from None
