"""Prometheus's loaded alerting rules (``/api/v1/rules``) as alert documents.

What fires is what Prometheus has loaded, whichever rule files the team keeps in its
docs. When Prometheus is configured (``SMARTOPS_ACTIONS_PROMETHEUS_URL``), ``smartops
up`` and every reindex of the knowledge collection bring its alerting rules into that
collection as the same alert documents a rules file gives (``alert_rules``: name,
expression, ``for``, severity, summary, description, runbook link). Their source is
``prometheus:<rule file>`` (the file as Prometheus names it); a rule that Prometheus no
longer has leaves the index at the next sync, rule files indexed from folders are left
alone. The callers fetch the rules (``actions.prom.loaded_rules``): this module never
talks to Prometheus. The API's names are mapped to the rules-file syntax: ``name`` is
``alert``, ``query`` is ``expr``, ``duration`` (seconds) is ``for``.
"""

from __future__ import annotations

import logging
from typing import Any

from smartops.knowledge.alert_rules import group_chunks
from smartops.knowledge.documents import Chunk
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.index.base import Index
from smartops.knowledge.ingest import IngestReport, sync

log = logging.getLogger(__name__)
SOURCE = "prometheus:"
_UNITS = (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1))


def duration(seconds: object) -> str:
    """Seconds as Prometheus writes a duration (``300`` is ``5m``); "" for none."""
    try:
        left = int(float(str(seconds)))
    except ValueError:
        return ""
    parts = []
    for unit, size in _UNITS:
        if left >= size:
            parts.append(f"{left // size}{unit}")
            left %= size
    return "".join(parts)


def as_rule(api_rule: dict[str, Any]) -> dict[str, Any] | None:
    """One rule of the API in rules-file syntax; None for a recording rule."""
    if api_rule.get("type") not in (None, "alerting") or not api_rule.get("name"):
        return None
    return {
        "alert": str(api_rule["name"]),
        "expr": str(api_rule.get("query", "")),
        "for": duration(api_rule.get("duration", 0)),
        "labels": dict(api_rule.get("labels") or {}),
        "annotations": dict(api_rule.get("annotations") or {}),
    }


def rule_chunks(data: dict[str, Any], *, model: str) -> dict[str, Chunk]:
    """The alert documents of a ``/api/v1/rules`` answer's ``data``, by chunk id,
    secrets masked like every indexed text."""
    by_file: dict[str, list[dict[str, Any]]] = {}
    for group in data.get("groups") or []:
        if not isinstance(group, dict):
            continue
        rules = [r for r in map(as_rule, group.get("rules") or []) if r is not None]
        source = SOURCE + str(group.get("file") or group.get("name") or "rules")
        by_file.setdefault(source, []).append({"name": group.get("name", ""), "rules": rules})
    chunks = [
        chunk.redacted()
        for source, groups in by_file.items()
        for chunk in group_chunks(groups, source, model=model)
    ]
    return {chunk.id: chunk for chunk in chunks}


def index_rules(data: dict[str, Any], index: Index, embedder: Embedder) -> IngestReport:
    """Bring the collection's Prometheus alert documents in line with ``data``."""
    report = IngestReport(files=len(data.get("groups") or []))
    chunks = rule_chunks(data, model=embedder.signature)
    sync(chunks, index, embedder, lambda source: source.startswith(SOURCE), report)
    log.info("prometheus rules indexed", extra=report.to_dict())
    return report
