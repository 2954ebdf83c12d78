"""Alert documents in the knowledge index's ``alerts`` collection, for retrieval.

The document in Redis is the one "which alerts are firing?" is answered from; this
copy lets hybrid retrieval cite an alert like any other knowledge. One chunk per
alert (its id derived from the fingerprint), replaced on every change.
"""

from __future__ import annotations

import threading

from smartops.eventing.alerts import AlertDoc
from smartops.knowledge.documents import Chunk, make_chunk
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.index.base import Index


def alert_chunk(doc: AlertDoc, model: str) -> Chunk:
    labels = doc.labels
    return make_chunk(
        source=f"alerts/{doc.fingerprint}",
        title=doc.alertname,
        heading=f"{doc.alertname} ({doc.status})",
        text=doc.text(),
        ordinal=0,
        model=model,
        url=doc.runbook.url if doc.runbook else doc.annotations.get("runbook_url", ""),
        kind="alert",
        meta={
            "status": doc.status,
            "severity": labels.get("severity", ""),
            "namespace": labels.get("namespace", ""),
            "fingerprint": doc.fingerprint,
        },
    )


class AlertIndex:
    """Upserts alert documents into one index collection (thread-safe, committed each time)."""

    def __init__(self, index: Index, embedder: Embedder) -> None:
        self.index = index
        self.embedder = embedder
        self._lock = threading.Lock()

    def upsert(self, doc: AlertDoc) -> None:
        chunk = alert_chunk(doc, self.embedder.signature)
        vectors = self.embedder.embed_batch([chunk.embed_text])
        with self._lock:
            self.index.upsert([chunk], vectors)
            self.index.commit()
