"""Cross-checks of the monitoring manifests: every metric a rule or a dashboard reads is
one smartops exposes (or a rule records), and the dashboards show every pipeline stage."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from smartops.deploy.objects import Problem, describe, of_kind
from smartops.metrics import STAGES

if TYPE_CHECKING:
    from smartops.deploy.crosscheck import Context

# The stage label values of smartops_stage_duration_seconds, defined in metrics.py.
PIPELINE_STAGES = STAGES
_METRIC = re.compile(r"\b(smartops_[a-zA-Z0-9_]+|smartops:[a-zA-Z0-9_:]+)")


def metric_names(ctx: Context) -> Iterator[Problem]:
    """Every metric an alert or recording rule reads is one smartops exposes (or records)."""
    rules = [
        (describe(o), g, r)
        for o in of_kind(ctx.objects, "PrometheusRule")
        for g in (o.get("spec") or {}).get("groups") or []
        for r in g.get("rules") or []
    ]
    recorded = {str(r["record"]) for _, _, r in rules if "record" in r}
    for obj, group, rule in rules:
        label = rule.get("alert") or rule.get("record")
        for name in _METRIC.findall(str(rule.get("expr", ""))):
            if name not in ctx.metric_names and name not in recorded:
                yield Problem(
                    obj,
                    f"spec.groups[{group.get('name')}].rules[{label}].expr",
                    f"metric {name} is not exposed by smartops",
                )


def dashboards(ctx: Context) -> Iterator[Problem]:
    """Each Grafana dashboard reads existing metrics; together they show every stage."""
    recorded = {
        str(r["record"])
        for o in of_kind(ctx.objects, "PrometheusRule")
        for g in (o.get("spec") or {}).get("groups") or []
        for r in g.get("rules") or []
        if "record" in r
    }
    exprs: list[str] = []
    for cm in of_kind(ctx.objects, "ConfigMap", ""):
        if ((cm.get("metadata") or {}).get("labels") or {}).get("grafana_dashboard") != "1":
            continue
        for key, text in (cm.get("data") or {}).items():
            try:
                found = _exprs(json.loads(text))
            except json.JSONDecodeError as exc:
                yield Problem(describe(cm), f"data[{key}]", f"not valid JSON: {exc}")
                continue
            exprs.extend(found)
            for name in {n for e in found for n in _METRIC.findall(e)}:
                if name not in ctx.metric_names and name not in recorded:
                    yield Problem(describe(cm), f"data[{key}]", f"metric {name} is not exposed")
    for stage in PIPELINE_STAGES:
        if not any(f'stage="{stage}"' in expr for expr in exprs):
            yield Problem("Grafana dashboards", "panels", f"no panel for the stage {stage!r}")


def _exprs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [str(node["expr"])] if isinstance(node.get("expr"), str) else []
        return own + [e for key, value in node.items() if key != "expr" for e in _exprs(value)]
    if isinstance(node, list):
        return [e for item in node for e in _exprs(item)]
    return []
