"""An action as a command the user can send back (``show Pending pods in <namespace>``).

Offered with a knowledge answer when the question looked a little like a request for
the live cluster; the router itself never runs it. Every command here routes back to
the same action and arguments once the placeholders are filled in (a test checks it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from smartops.actions.intent_types import Intent

NS, NAME = "<namespace>", "<name>"
Args = dict[str, Any]


def _in(args: Args) -> str:
    return f" in {args['namespace']}" if args.get("namespace") else f" in {NS}"


def _pods(a: Args) -> str:
    which = a.get("reason") or a.get("phase") or ""
    label = f" with label {a['selector']}" if a.get("selector") else ""
    return f"show {which + ' ' if which else ''}pods{_in(a)}{label}"


def _logs(a: Args) -> str:
    tail = f", last {a['tail']} lines" if a.get("tail") else ""
    previous = ", previous container" if a.get("previous") else ""
    return f"logs of pod {a.get('name') or NAME}{_in(a)}{tail}{previous}"


def _events(a: Args) -> str:
    kind = f"{a['type'].lower()} " if a.get("type") else ""
    return f"show {kind}events{_in(a)}"


def _nodes(a: Args) -> str:
    return f"show {a['condition']} nodes" if a.get("condition") else "show nodes"


def _top(a: Args) -> str:
    sort = f" sorted by {a['sort_by']}" if a.get("sort_by") else ""
    return f"top pods{_in(a)}{sort}"


def _metric(a: Args) -> str:
    what = a["metric"].replace("_", " ")
    of = f"service {a['service']}" if a.get("service") else "pods"
    window = f" over the last {a['minutes']} minutes" if a.get("minutes") else ""
    return f"{what} of {of}{_in(a)}{window}"


def _alerts(a: Args) -> str:
    where = f" in namespace {a['namespace']}" if a.get("namespace") else ""
    return f"which alerts are firing{where}"


def _silence(a: Args) -> str:
    matchers = a.get("matchers") or {}
    where = f" in {matchers['namespace']}" if matchers.get("namespace") else ""
    alert = matchers.get("alertname") or "<alertname>"
    return f"silence alert {alert}{where} for {a.get('minutes', 60)} minutes"


def _deployment(verb: str) -> Callable[[Args], str]:
    return lambda a: f"{verb} deployment {a.get('name') or NAME}{_in(a)}"


_COMMANDS: dict[str, Callable[[Args], str]] = {
    "get_pods": _pods,
    "describe_pod": lambda a: f"describe pod {a.get('name') or NAME}{_in(a)}",
    "pod_logs": _logs,
    "get_events": _events,
    "get_deployments": lambda a: f"list deployments{_in(a)}",
    "get_nodes": _nodes,
    "rollout_status": lambda a: f"rollout status of deployment {a.get('name') or NAME}{_in(a)}",
    "top_pods": _top,
    "prom_query": lambda a: f"query `{a['query']}`",
    "prom_range": lambda a: f"query `{a['query']}` over the last {a.get('minutes', 60)} minutes",
    "prom_alerts": _alerts,
    "prom_targets": lambda a: (
        "show scrape targets that are down" if a.get("state") == "down" else "show scrape targets"
    ),
    "metric": _metric,
    "am_alerts": lambda a: "show alerts in alertmanager",
    "search_logs": lambda a: f'search logs for "{a["text"]}"{_in(a)}',
    "rollout_restart": _deployment("restart"),
    "rollout_undo": _deployment("roll back"),
    "scale": lambda a: (
        f"scale deployment {a.get('name') or NAME}{_in(a)} to {a.get('replicas', '<replicas>')}"
    ),
    "cordon": lambda a: f"cordon node {a.get('name') or NAME}",
    "silence": _silence,
}


def command(intent: Intent) -> str | None:
    """The command text for ``intent`` (placeholders for what it does not say)."""
    render = _COMMANDS.get(intent.action)
    return render(intent.args) if render else None
