"""Checks across objects that no schema can make: every reference resolves, every event
type is in the catalog, every setting and metric named exists, and the fields we rely on
(annotations, router timeouts, warm replicas) are spelled and set as we need them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from smartops.deploy.objects import Obj, Problem, describe, group_of, name_of, of_kind
from smartops.deploy.observability import dashboards, metric_names

# Functions on the synchronous path of a chat turn: they keep a warm replica.
WARM_FUNCTIONS = ("smartops-gateway",)
# Annotations we rely on, with their allowed values (None: any value).
KNOWN_ANNOTATIONS: dict[str, frozenset[str] | None] = {
    "serving.kserve.io/deploymentMode": frozenset({"Standard", "Knative"}),
    "serving.kserve.io/autoscalerClass": frozenset({"hpa", "keda", "external", "none"}),
    "autoscaling.knative.dev/min-scale": None,
    "autoscaling.knative.dev/max-scale": None,
    "autoscaling.knative.dev/initial-scale": None,
    "autoscaling.knative.dev/target": None,
    "autoscaling.knative.dev/metric": frozenset({"concurrency", "rps", "cpu", "memory"}),
    "autoscaling.knative.dev/class": None,
    "autoscaling.knative.dev/scale-down-delay": None,
    "autoscaling.knative.dev/window": None,
}
CHECKED_PREFIXES = ("serving.kserve.io/", "autoscaling.knative.dev/", "serving.knative.dev/")
_URL = re.compile(r"https?://([a-z0-9-]+)(?:\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?)?(?=[:/]|$)")


@dataclass(frozen=True)
class Context:
    """Everything the cross-checks look at."""

    objects: list[Obj]
    funcs: list[tuple[str, Obj]]  # (path of the func.yaml, its document)
    event_types: frozenset[str]
    settings_fields: frozenset[str]
    metric_names: frozenset[str]
    min_router_timeout_s: float

    @property
    def namespace(self) -> str:
        found = {o["metadata"].get("namespace") for o in self.objects if o.get("metadata")}
        found.discard(None)
        return str(sorted(found)[0]) if len(found) == 1 else ""


def crosscheck(ctx: Context) -> list[Problem]:
    checks = (
        graphs,
        references,
        triggers,
        settings_env,
        cluster_urls,
        known_annotations,
        funcs,
        metric_names,
        dashboards,
    )
    return [problem for check in checks for problem in check(ctx)]


def graphs(ctx: Context) -> Iterator[Problem]:
    """Every graph step names an InferenceService (or a node) that exists; timeouts fit the LLM."""
    services = {name_of(o) for o in of_kind(ctx.objects, "InferenceService")}
    for graph in of_kind(ctx.objects, "InferenceGraph"):
        name, spec = describe(graph), graph.get("spec") or {}
        nodes = spec.get("nodes") or {}
        if "root" not in nodes:
            yield Problem(name, "spec.nodes.root", "a graph needs a root node")
        for node_name, node in nodes.items():
            for i, step in enumerate(node.get("steps") or []):
                where = f"spec.nodes.{node_name}.steps[{i}]"
                if "serviceName" in step and step["serviceName"] not in services:
                    yield Problem(
                        name,
                        f"{where}.serviceName",
                        f"no InferenceService named {step['serviceName']!r}",
                    )
                if "nodeName" in step and step["nodeName"] not in nodes:
                    yield Problem(name, f"{where}.nodeName", f"no node {step['nodeName']!r}")
                for host, namespace in _URL.findall(str(step.get("serviceUrl", ""))):
                    if host not in _hosts(ctx) and namespace in ("", ctx.namespace):
                        yield Problem(name, f"{where}.serviceUrl", f"no Service {host!r}")
                if not {"serviceName", "nodeName", "serviceUrl"} & set(step):
                    yield Problem(name, where, "names no serviceName, nodeName or serviceUrl")
        timeouts = spec.get("routerTimeouts") or {}
        for key in ("serverRead", "serverWrite", "serviceClient"):
            value = timeouts.get(key)
            if not isinstance(value, int) or value < ctx.min_router_timeout_s:
                yield Problem(
                    name,
                    f"spec.routerTimeouts.{key}",
                    f"is {value!r}; the LLM step needs at least "
                    f"{ctx.min_router_timeout_s:g} s (SMARTOPS_LLM_READ_TIMEOUT_S)",
                )


def _known(ctx: Context) -> set[tuple[str, str, str]]:
    known = {(group_of(o), str(o.get("kind")), name_of(o)) for o in ctx.objects}
    known |= {("serving.knative.dev", "Service", str(doc.get("name"))) for _, doc in ctx.funcs}
    return known


def references(ctx: Context) -> Iterator[Problem]:
    """Every ref (subscriber, sink, deadLetterSink, subject, broker) names an existing object."""
    known = _known(ctx)
    for obj in ctx.objects:
        for path, ref in _refs(obj.get("spec"), "spec"):
            group = str(ref.get("apiVersion", "")).rpartition("/")[0]
            if (group, str(ref.get("kind")), str(ref.get("name"))) not in known:
                yield Problem(
                    describe(obj),
                    path,
                    f"{ref.get('kind')} {ref.get('name')!r} "
                    f"({ref.get('apiVersion')}) is neither in the manifests nor a func.yaml",
                )
        broker = (obj.get("spec") or {}).get("broker") if obj.get("kind") == "Trigger" else None
        if broker and ("eventing.knative.dev", "Broker", broker) not in known:
            yield Problem(describe(obj), "spec.broker", f"no Broker named {broker!r}")


def _refs(node: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}"
            if key in ("ref", "subject") and isinstance(value, dict) and "name" in value:
                yield here, value
            else:
                yield from _refs(value, here)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _refs(item, f"{path}[{i}]")


def triggers(ctx: Context) -> Iterator[Problem]:
    """Every Trigger filters on one of our event types."""
    for trigger in of_kind(ctx.objects, "Trigger"):
        spec = trigger.get("spec") or {}
        attributes = (spec.get("filter") or {}).get("attributes") or {}
        exact = [f.get("exact", {}) for f in spec.get("filters") or [] if isinstance(f, dict)]
        types = [a["type"] for a in [attributes, *exact] if "type" in a]
        if not types:
            yield Problem(
                describe(trigger),
                "spec.filter.attributes.type",
                "a Trigger must filter on an event type",
            )
        for event_type in types:
            if event_type not in ctx.event_types:
                yield Problem(
                    describe(trigger),
                    "spec.filter.attributes.type",
                    f"{event_type!r} is not in the event catalog",
                )


def _envs(ctx: Context) -> Iterator[tuple[str, str, str, str]]:
    """(object, field, name, value) of every env var in containers and func.yaml files."""
    for obj in ctx.objects:
        for path, container in _containers(obj, ""):
            for i, env in enumerate(container.get("env") or []):
                yield (
                    describe(obj),
                    f"{path}.env[{i}]",
                    str(env.get("name")),
                    str(env.get("value", "")),
                )
    for file, doc in ctx.funcs:
        for i, env in enumerate((doc.get("run") or {}).get("envs") or []):
            yield (
                f"func.yaml {file}",
                f"run.envs[{i}]",
                str(env.get("name")),
                str(env.get("value", "")),
            )


def _containers(node: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else key
            if key in ("containers", "initContainers") and isinstance(value, list):
                yield from ((f"{here}[{i}]", c) for i, c in enumerate(value) if isinstance(c, dict))
            else:
                yield from _containers(value, here)


def settings_env(ctx: Context) -> Iterator[Problem]:
    """Every SMARTOPS_* variable names a Settings field (a typo would be silently ignored)."""
    for obj, field, name, _ in _envs(ctx):
        if name.startswith("SMARTOPS_") and name[9:].lower() not in ctx.settings_fields:
            yield Problem(obj, f"{field}.name", f"{name} is not a smartops setting")


def _hosts(ctx: Context) -> set[str]:
    """Host names of the namespace: Services, functions, graphs, InferenceServices."""
    hosts = {name_of(o) for o in of_kind(ctx.objects, "Service", "")}
    hosts |= {str(doc.get("name")) for _, doc in ctx.funcs}
    hosts |= {name_of(o) for o in of_kind(ctx.objects, "InferenceGraph")}
    for isvc in of_kind(ctx.objects, "InferenceService"):
        hosts |= {name_of(isvc), f"{name_of(isvc)}-predictor"}
    return hosts


def cluster_urls(ctx: Context) -> Iterator[Problem]:
    """Every in-cluster URL in an env var names a Service that the manifests or funcs create."""
    hosts = _hosts(ctx)
    for obj, field, _, value in _envs(ctx):
        for host, namespace in _URL.findall(value):
            if namespace and namespace != ctx.namespace:
                continue
            if host not in hosts and host != "localhost":
                yield Problem(
                    obj,
                    f"{field}.value",
                    f"{value!r}: no Service {host!r} in namespace {ctx.namespace or '?'}",
                )


def known_annotations(ctx: Context) -> Iterator[Problem]:
    """Annotations of KServe and Knative are plain strings to every schema: check them here."""
    for obj in ctx.objects:
        for path, notes in _annotations(obj, ""):
            for key, value in notes.items():
                if not key.startswith(CHECKED_PREFIXES):
                    continue
                if key not in KNOWN_ANNOTATIONS:
                    yield Problem(describe(obj), f"{path}[{key}]", "unknown annotation")
                elif (allowed := KNOWN_ANNOTATIONS[key]) is not None and value not in allowed:
                    yield Problem(
                        describe(obj),
                        f"{path}[{key}]",
                        f"{value!r} is not one of {sorted(allowed)}",
                    )


def _annotations(node: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else key
            if key == "annotations" and path.endswith("metadata") and isinstance(value, dict):
                yield here, value
            else:
                yield from _annotations(value, here)


def funcs(ctx: Context) -> Iterator[Problem]:
    """func.yaml files: unique names, our namespace, existing service accounts, warm replicas."""
    accounts = {name_of(o) for o in of_kind(ctx.objects, "ServiceAccount")}
    names = [str(doc.get("name")) for _, doc in ctx.funcs]
    for file, doc in ctx.funcs:
        where, deploy = f"func.yaml {file}", doc.get("deploy") or {}
        if names.count(str(doc.get("name"))) > 1:
            yield Problem(where, "name", f"{doc.get('name')!r} is used by another func.yaml")
        namespace = deploy.get("namespace") or doc.get("namespace")
        if ctx.namespace and namespace != ctx.namespace:
            yield Problem(
                where, "deploy.namespace", f"is {namespace!r}, the manifests use {ctx.namespace!r}"
            )
        account = deploy.get("serviceAccountName")
        if account and account not in accounts:
            yield Problem(where, "deploy.serviceAccountName", f"no ServiceAccount {account!r}")
        if doc.get("name") in accounts and account != doc.get("name"):
            yield Problem(
                where,
                "deploy.serviceAccountName",
                f"must be {doc.get('name')!r}: its RBAC is bound to that account",
            )
        scale = (deploy.get("options") or {}).get("scale") or {}
        if doc.get("name") in WARM_FUNCTIONS and int(scale.get("min") or 0) < 1:
            yield Problem(
                where,
                "deploy.options.scale.min",
                "must be at least 1: it is on "
                "the synchronous path and must not cold-start on a user's request",
            )
