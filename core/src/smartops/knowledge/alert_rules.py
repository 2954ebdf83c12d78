"""Prometheus alert rule files: one document per alerting rule.

Both plain rule files (``groups: [...]``) and ``PrometheusRule`` objects
(``spec.groups``) are read; recording rules are skipped. Each alert keeps its name,
expression, ``for``, severity, summary, description and ``runbook_url``; the text also
names the expression's metrics and thresholds, and the description's templating is
reduced to placeholders (``{{ $labels.pod }}`` reads ``{pod}``; not ``<pod>``, which chat
clients may take for markup: Open WebUI reads ``<reason>`` as the start of a thinking block).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import yaml

from smartops.knowledge.documents import Chunk, make_chunk


def rule_groups(document: object) -> list[dict[str, Any]]:
    """The rule groups of one YAML document, or [] when it holds no rules."""
    if not isinstance(document, dict):
        return []
    spec = document.get("spec") if document.get("kind") == "PrometheusRule" else document
    groups = spec.get("groups") if isinstance(spec, dict) else None
    if not isinstance(groups, list):
        return []
    return [g for g in groups if isinstance(g, dict) and isinstance(g.get("rules"), list)]


PLACEHOLDER = r"{\1}"  # a template variable as the placeholder of its name
_LABEL = re.compile(r"\{\{-?\s*\$labels\.(\w+)\s*-?\}\}")
_VALUE = re.compile(r"\{\{[^{}]*\$value[^{}]*\}\}")
_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")
_METRIC = re.compile(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{|\[)")
_BARE_METRIC = re.compile(r"\b[a-z][a-z0-9:]*(?:_[a-z0-9:]+){2,}\b(?!\s*(?:\(|=|!=|!~))")
_THRESHOLD = re.compile(r"(==|!=|>=|<=|>|<)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\b")
_FUNCTIONS = frozenset({"rate", "increase", "irate", "sum", "max", "min", "avg", "count"})


def readable(template: str) -> str:
    """An annotation with its Go templating reduced to placeholders."""
    text = _LABEL.sub(PLACEHOLDER, template)
    text = _VALUE.sub("{value}", text)
    return re.sub(r"\s{2,}", " ", _TEMPLATE.sub("", text)).strip()


def metrics(expr: str) -> list[str]:
    """The series an expression reads (selectors and snake_case names), in order."""
    found: list[str] = []
    for name in [*_METRIC.findall(expr), *_BARE_METRIC.findall(expr)]:
        if "_" in name and name not in _FUNCTIONS and name not in found:
            found.append(name)
    return found


def alert_text(rule: dict[str, Any], group: str) -> str:
    labels = rule.get("labels") or {}
    notes = rule.get("annotations") or {}
    facts = [f"group {group}"]
    if labels.get("severity"):
        facts.append(f"severity {labels['severity']}")
    if rule.get("for"):
        facts.append(f"for {rule['for']}")
    lines = [f"Alert {rule['alert']} ({', '.join(facts)})"]
    for key, label in (("summary", "Summary"), ("description", "Description")):
        if notes.get(key):
            lines.append(f"{label}: {readable(str(notes[key]))}")
    expr = str(rule.get("expr", "")).strip()
    code = "\n".join(line for line in expr.splitlines() if not line.lstrip().startswith("#"))
    rule_facts = [f"Fires when the expression holds for {rule.get('for') or 'one evaluation'}"]
    if names := metrics(code):
        rule_facts.append(f"metrics: {', '.join(names)}")
    if limits := [f"{op} {value}" for op, value in _THRESHOLD.findall(code)]:
        rule_facts.append(f"threshold: {', '.join(dict.fromkeys(limits))}")
    lines.append("; ".join(rule_facts) + ".")
    lines.append(f"Expression: {expr}")
    if notes.get("runbook_url"):
        lines.append(f"Runbook: {notes['runbook_url']}")
    return "\n".join(lines)


def chunk_alert_rules(text: str, source: str, *, model: str) -> list[Chunk]:
    """One chunk per alerting rule in a rules file; [] if the YAML holds no rules."""
    try:
        documents = list(yaml.safe_load_all(text))
    except yaml.YAMLError:
        return []
    groups = [group for document in documents for group in rule_groups(document)]
    return group_chunks(groups, source, model=model)


def group_chunks(groups: list[dict[str, Any]], source: str, *, model: str) -> list[Chunk]:
    """One chunk per alerting rule of the rule groups (rules file syntax)."""
    chunks: list[Chunk] = []
    seen: Counter[str] = Counter()
    for group in groups:
        for rule in group["rules"]:
            if not isinstance(rule, dict) or not rule.get("alert"):
                continue
            name = str(rule["alert"])
            chunks.append(rule_chunk(rule, str(group.get("name", "")), source, seen[name], model))
            seen[name] += 1
    return chunks


def rule_chunk(rule: dict[str, Any], group: str, source: str, ordinal: int, model: str) -> Chunk:
    name = str(rule["alert"])
    notes = rule.get("annotations") or {}
    labels = rule.get("labels") or {}
    return make_chunk(
        source=source,
        title=name,
        heading=name,
        text=alert_text(rule, group),
        ordinal=ordinal,
        model=model,
        kind="alert",
        url=str(notes.get("runbook_url", "")),
        meta={"severity": str(labels.get("severity", "")), "for": str(rule.get("for", ""))},
    )
