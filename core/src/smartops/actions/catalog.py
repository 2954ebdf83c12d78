"""The allow-list: every action smartops can run, its typed arguments and its class.

An action not listed here does not exist. Each has a pydantic model for its arguments
(names are checked against Kubernetes' DNS rules, numbers are bounded), is classified
``read`` or ``write``, and names the Kubernetes permission it needs (checked with a
SubjectAccessReview for the user before it runs). Secrets are never among the targets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from smartops.errors import InvalidRequest, NotFound

Kind = Literal["read", "write"]

# DNS-1123 names (namespaces, deployments, pods, nodes); label selectors kept simple.
Name = Annotated[str, Field(pattern=r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", max_length=253)]
Selector = Annotated[str, Field(pattern=r"^[A-Za-z0-9_./=!,\- ]{1,256}$")]
PromQL = Annotated[str, Field(min_length=1, max_length=2000)]


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PodsArgs(Args):
    namespace: Name | None = None
    selector: Selector | None = None
    phase: Literal["Pending", "Running", "Succeeded", "Failed", "Unknown"] | None = None
    reason: Annotated[str, Field(pattern=r"^[A-Za-z]{1,64}$")] | None = None


class PodArgs(Args):
    namespace: Name
    name: Name


class LogsArgs(PodArgs):
    container: Name | None = None
    tail: int = Field(100, ge=1, le=2000)
    previous: bool = False


class EventsArgs(Args):
    namespace: Name | None = None
    name: Name | None = None
    type: Literal["Normal", "Warning"] | None = None


class NamespaceArgs(Args):
    namespace: Name | None = None
    selector: Selector | None = None


NodeCondition = Literal[
    "Ready",
    "NotReady",
    "MemoryPressure",
    "DiskPressure",
    "PIDPressure",
    "NetworkUnavailable",
    "SchedulingDisabled",
]


class NodesArgs(Args):
    selector: Selector | None = None
    condition: NodeCondition | None = None


class TopArgs(NamespaceArgs):
    sort_by: Literal["cpu", "memory"] | None = None


class DeploymentArgs(Args):
    namespace: Name
    name: Name


class ScaleArgs(DeploymentArgs):
    replicas: int = Field(ge=0, le=1000)


class UndoArgs(DeploymentArgs):
    to_revision: int | None = Field(None, ge=1)


class NodeArgs(Args):
    name: Name


class QueryArgs(Args):
    query: PromQL


class RangeArgs(QueryArgs):
    minutes: int = Field(60, ge=1, le=7 * 24 * 60)
    step_s: int = Field(60, ge=1, le=3600)


class NoArgs(Args):
    pass


class AlertsArgs(Args):
    """Firing alerts, optionally of one namespace (the alert store answers first)."""

    namespace: Name | None = None


class TargetsArgs(Args):
    state: Literal["any", "up", "down"] = "any"


class MetricArgs(Args):
    metric: Literal["cpu", "memory", "restarts", "error_rate", "latency", "request_rate"]
    namespace: Name | None = None
    pod: Name | None = None
    service: Name | None = None
    minutes: int = Field(5, ge=1, le=24 * 60)


class SilenceArgs(Args):
    matchers: dict[
        Annotated[str, Field(pattern=r"^[a-zA-Z_][a-zA-Z0-9_]{0,63}$")],
        Annotated[str, Field(min_length=1, max_length=256)],
    ] = Field(min_length=1, max_length=10)
    minutes: int = Field(60, ge=1, le=7 * 24 * 60)
    comment: str = Field("silenced from smartops", max_length=500)


class LogSearchArgs(Args):
    text: str = Field(min_length=1, max_length=200)
    namespace: Name | None = None
    pod: Name | None = None
    minutes: int = Field(60, ge=1, le=7 * 24 * 60)


@dataclass(frozen=True)
class Permission:
    """The Kubernetes permission an action needs (for SubjectAccessReview)."""

    verb: str
    resource: str
    group: str = ""
    subresource: str = ""


@dataclass(frozen=True)
class Action:
    name: str
    kind: Kind
    backend: Literal["k8s", "prom", "alertmanager", "logs"]
    args: type[Args]
    summary: str
    permission: Permission | None = None


def _a(*fields: Any) -> Action:
    return Action(*fields)


_POD_LIST = Permission("list", "pods")
ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        _a(
            "get_pods",
            "read",
            "k8s",
            PodsArgs,
            "List pods (namespace, selector, phase, reason)",
            _POD_LIST,
        ),
        _a(
            "describe_pod",
            "read",
            "k8s",
            PodArgs,
            "A pod's status, conditions and events",
            Permission("get", "pods"),
        ),
        _a(
            "pod_logs",
            "read",
            "k8s",
            LogsArgs,
            "The tail of a pod's logs",
            Permission("get", "pods", subresource="log"),
        ),
        _a(
            "get_events",
            "read",
            "k8s",
            EventsArgs,
            "Recent events (namespace, object, Normal or Warning)",
            Permission("list", "events"),
        ),
        _a(
            "get_deployments",
            "read",
            "k8s",
            NamespaceArgs,
            "List deployments",
            Permission("list", "deployments", "apps"),
        ),
        _a(
            "get_nodes",
            "read",
            "k8s",
            NodesArgs,
            "List nodes (selector, condition)",
            Permission("list", "nodes"),
        ),
        _a(
            "rollout_status",
            "read",
            "k8s",
            DeploymentArgs,
            "A deployment's rollout status",
            Permission("get", "deployments", "apps"),
        ),
        _a(
            "top_pods",
            "read",
            "k8s",
            TopArgs,
            "CPU and memory of pods (metrics API), optionally sorted",
            Permission("list", "pods", "metrics.k8s.io"),
        ),
        _a("prom_query", "read", "prom", QueryArgs, "An instant PromQL query"),
        _a("prom_range", "read", "prom", RangeArgs, "A PromQL range query"),
        _a("prom_alerts", "read", "prom", AlertsArgs, "Alerts firing (alert store, Prometheus)"),
        _a("prom_targets", "read", "prom", TargetsArgs, "Scrape target health"),
        _a(
            "metric", "read", "prom", MetricArgs, "A common metric in plain words (PromQL template)"
        ),
        _a("am_alerts", "read", "alertmanager", AlertsArgs, "Alerts in Alertmanager"),
        _a(
            "search_logs",
            "read",
            "logs",
            LogSearchArgs,
            "Search cluster logs",
            Permission("get", "pods", subresource="log"),
        ),
        _a(
            "rollout_restart",
            "write",
            "k8s",
            DeploymentArgs,
            "Restart a deployment's pods",
            Permission("patch", "deployments", "apps"),
        ),
        _a(
            "scale",
            "write",
            "k8s",
            ScaleArgs,
            "Scale a deployment",
            Permission("patch", "deployments", "apps", "scale"),
        ),
        _a(
            "rollout_undo",
            "write",
            "k8s",
            UndoArgs,
            "Roll a deployment back",
            Permission("patch", "deployments", "apps"),
        ),
        _a(
            "cordon",
            "write",
            "k8s",
            NodeArgs,
            "Mark a node unschedulable",
            Permission("patch", "nodes"),
        ),
        _a("silence", "write", "alertmanager", SilenceArgs, "Create an Alertmanager silence"),
    )
}


def get(name: str) -> Action:
    action = ACTIONS.get(name)
    if action is None:
        raise NotFound(f"Unknown action '{name}'.", code="unknown_action", param="action")
    return action


def validate(name: str, raw: dict[str, Any]) -> tuple[Action, Args]:
    """The action and its validated arguments; InvalidRequest names the bad field."""
    action = get(name)
    try:
        return action, action.args.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        param = ".".join(str(p) for p in first["loc"]) or None
        raise InvalidRequest(
            f"Invalid arguments for {name}: {first['msg']}" + (f" ({param})" if param else ""),
            code="invalid_action_args",
            param=param,
        ) from None


def namespace_of(args: Args) -> str | None:
    value = getattr(args, "namespace", None)
    return value if isinstance(value, str) else None


def tool_schemas(kinds: tuple[Kind, ...] = ("read", "write")) -> list[dict[str, Any]]:
    """OpenAI tool definitions of the catalog (for models that support tool calling)."""
    return [
        {
            "type": "function",
            "function": {
                "name": a.name,
                "description": f"{a.summary} ({a.kind})",
                "parameters": a.args.model_json_schema(),
            },
        }
        for a in ACTIONS.values()
        if a.kind in kinds
    ]
