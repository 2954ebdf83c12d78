"""Reindex runs: one lock per collection, the knowledge ingest, and a record of each run.

Every run records documents, chunks (new, updated, deleted), duration, errors and the
recall of a small canary question set, as Prometheus metrics and in the run log (the
Redis stream ``smartops:runs``: a ``started`` entry, then a ``finished`` one; a run
that was killed keeps only the first, and ``smartops runs`` shows it as unfinished).

A run is safe to kill at any point: the ingest computes everything before it commits,
and a run started again re-embeds whatever the killed run did not commit. The lock
(SET NX with a TTL, refreshed while the run lasts) keeps two runs of one collection
from interleaving; a killed run's lock expires after ``eventing_reindex_lock_ttl_s``.

A reindexer built with ``collections`` (the ones events may write: see
``allowed_collections``) refuses any other before it opens anything, so an event naming
an unknown collection creates nothing; the CLI's reindexer is unrestricted. A run that
changed the collection's content starts a new knowledge generation
(``generation.advance`` on the collection's fingerprint); one that changed nothing
keeps it, and with it the answer cache.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from smartops.actions.prom import loaded_rules
from smartops.cache import generation
from smartops.config import Settings
from smartops.errors import InvalidRequest, SmartopsError, UpstreamUnavailable
from smartops.eventing.mlflow_log import MlflowRecorder
from smartops.eventing.models import ReindexCompletedData
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.eval import evaluate, load_devset
from smartops.knowledge.index.base import Index
from smartops.knowledge.ingest import IngestReport, ingest
from smartops.knowledge.prom_rules import index_rules
from smartops.metrics import Metrics

log = logging.getLogger(__name__)
LOCK_PREFIX = "smartops:reindex:lock:"
IndexOpener = Callable[[str], Index]


class RunLog:
    """The run log: a capped Redis stream of ``started`` and ``finished`` entries."""

    def __init__(self, redis: Redis, stream: str, maxlen: int) -> None:
        self.redis = redis
        self.stream = stream
        self.maxlen = maxlen

    async def add(self, phase: str, record: dict[str, Any]) -> None:
        entry = {"phase": phase, "run": json.dumps(record, default=str)}
        await self.redis.xadd(self.stream, entry, maxlen=self.maxlen, approximate=True)  # type: ignore[arg-type]

    async def recent(self, count: int = 20) -> list[dict[str, Any]]:
        """The latest runs, newest first; a run without a ``finished`` entry is unfinished."""
        entries = await self.redis.xrevrange(self.stream, count=count * 2) or []
        runs: dict[str, dict[str, Any]] = {}
        for _, raw in reversed(entries):
            fields = {_text(k): _text(v) for k, v in (raw or {}).items()}
            record = json.loads(fields.get("run", "{}"))
            if "run_id" not in record:
                continue
            current = runs.setdefault(record["run_id"], {"status": "unfinished"})
            current.update(record)
        ordered = sorted(runs.values(), key=lambda r: str(r.get("started_at", "")), reverse=True)
        return ordered[:count]


def index_fingerprint(index: Index) -> str:
    """The content fingerprint of a collection (``generation.fingerprint`` of its chunk
    ids and hashes): the same chunks, the same fingerprint, across restarts."""
    items = index.stored().items()
    return generation.fingerprint((chunk_id, stored.hash) for chunk_id, stored in items)


def allowed_collections(settings: Settings) -> frozenset[str]:
    """The collections that events may reindex: the knowledge and the alerts collection."""
    return frozenset((settings.knowledge.collection, settings.eventing.alerts_collection))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class Reindexer:
    """Runs the incremental ingest of some paths into one collection, and records it."""

    def __init__(
        self,
        settings: Settings,
        metrics: Metrics,
        redis: Redis,
        embedder: Embedder,
        open_index: IndexOpener,
        collections: Collection[str] | None = None,
    ) -> None:
        """``collections``: the only ones a run may write (None: any, for the operator)."""
        self.settings = settings
        self.collections = frozenset(collections) if collections is not None else None
        self.metrics = metrics
        self.redis = redis
        self.embedder = embedder
        self.open_index = open_index
        self.log = RunLog(redis, settings.eventing.runs_stream, settings.eventing.runs_maxlen)
        self.mlflow = (
            MlflowRecorder(settings.eventing.mlflow_uri, settings.eventing.mlflow_experiment)
            if settings.eventing.mlflow_uri
            else None
        )

    async def run(
        self, paths: Sequence[str], collection: str, trigger: str, change: str = ""
    ) -> ReindexCompletedData:
        """One recorded run; raises InvalidRequest for a collection that is not configured
        and UpstreamUnavailable when another run holds the lock. ``change``: the id of the
        change it is part of (the event id; default the run's): see ``generation.advance``."""
        if self.collections is not None and collection not in self.collections:
            known = ", ".join(sorted(self.collections))
            raise InvalidRequest(
                f"Unknown collection '{collection}': a reindex here writes only {known}.",
                param="data.collection",
            )
        run_id = uuid.uuid4().hex[:16]
        lock = LOCK_PREFIX + collection
        ttl = self.settings.eventing.reindex_lock_ttl_s
        if not await self.redis.set(lock, run_id, nx=True, ex=ttl):
            raise UpstreamUnavailable(f"A reindex of '{collection}' is already running.")
        started = time.perf_counter()
        head = {
            "run_id": run_id,
            "trigger": trigger,
            "collection": collection,
            "paths": list(paths),
            "started_at": datetime.now(UTC).isoformat(),
        }
        await self.log.add("started", head)
        keeper = asyncio.create_task(self._keep_lock(lock, run_id, ttl))
        try:
            report, errors = await self._ingest(paths, collection)
            recall = await self._canary(collection) if not errors else None
            gen = await self._generation(collection, change or run_id) if not errors else None
        finally:
            keeper.cancel()
            await self._unlock(lock, run_id)
        record = _record(
            run_id, trigger, collection, report, errors, recall, time.perf_counter() - started
        ).model_copy(update={"generation": gen})
        await self.log.add(
            "finished",
            {
                **head,
                **record.model_dump(mode="json"),
                "finished_at": datetime.now(UTC).isoformat(),
            },
        )
        self._observe(record)
        if self.mlflow is not None:
            await self.mlflow.record(record)
        log.info("reindex run", extra=record.model_dump(mode="json"))
        return record

    async def _ingest(
        self, paths: Sequence[str], collection: str
    ) -> tuple[IngestReport, list[str]]:
        index = self.open_index(collection)
        try:
            report = await asyncio.to_thread(
                ingest, list(paths), self.settings, index, self.embedder
            )
        except SmartopsError as exc:
            return IngestReport(), [exc.message]
        except (OSError, ValueError) as exc:
            return IngestReport(), [f"{type(exc).__name__}: {exc}"]
        if collection == self.settings.knowledge.collection:
            await self._prometheus_rules(index, report)
        return report, []

    async def _prometheus_rules(self, index: Index, report: IngestReport) -> None:
        """Prometheus's loaded alerting rules, when it is configured (``prom_rules``);
        a Prometheus that is down leaves them as they were and the run goes on."""
        if not self.settings.actions.prometheus_url:
            return
        try:
            data = await loaded_rules(self.settings.actions)
        except SmartopsError as exc:
            log.warning("prometheus rules not indexed", extra={"error": exc.message})
            return
        report.add(await asyncio.to_thread(index_rules, data, index, self.embedder))

    async def _generation(self, collection: str, change: str) -> int:
        """The knowledge generation after the run: new only if the content changed."""
        index = self.open_index(collection)
        content = await asyncio.to_thread(index_fingerprint, index)
        return await generation.advance(
            self.redis, f"index:{collection}", content, f"reindex {change}", change
        )

    async def _canary(self, collection: str) -> float | None:
        file = self.settings.eventing.canary_file
        if file is None:
            return None
        questions = load_devset(Path(file))
        index = self.open_index(collection)
        k = self.settings.eventing.canary_k
        result = await asyncio.to_thread(evaluate, questions, index, self.embedder, "hybrid", k)
        ranks = [q["rank"] for q in result["questions"]]
        return round(sum(1 for r in ranks if r is not None) / len(ranks), 4)

    async def _keep_lock(self, lock: str, run_id: str, ttl: int) -> None:
        while True:
            await asyncio.sleep(max(ttl / 3, 0.1))
            if await self.redis.get(lock) in (run_id, run_id.encode()):
                await self.redis.expire(lock, ttl)

    async def _unlock(self, lock: str, run_id: str) -> None:
        if await self.redis.get(lock) in (run_id, run_id.encode()):
            await self.redis.delete(lock)

    def _observe(self, record: ReindexCompletedData) -> None:
        m, c = self.metrics, record.collection
        m.reindex_runs.labels(record.trigger, record.status).inc()
        m.reindex_duration.labels(c).observe(record.duration_s)
        m.reindex_documents.labels(c).set(record.documents)
        m.reindex_chunks.labels(c).set(record.chunks)
        m.reindex_errors.labels(c).inc(len(record.errors))
        if record.recall is not None:
            m.reindex_recall.labels(c).set(record.recall)


def _record(
    run_id: str,
    trigger: str,
    collection: str,
    report: IngestReport,
    errors: list[str],
    recall: float | None,
    seconds: float,
) -> ReindexCompletedData:
    return ReindexCompletedData(
        run_id=run_id,
        trigger=trigger,
        collection=collection,
        status="failed" if errors else "ok",
        documents=report.files,
        chunks=report.chunks,
        new=report.new,
        updated=report.updated,
        deleted=report.deleted,
        errors=errors,
        duration_s=round(seconds, 3),
        recall=recall,
    )
