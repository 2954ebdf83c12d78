"""``kubectl ...`` typed in the chat, mapped onto the catalog (never executed as a command)."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any

from smartops.actions.intent_types import Ask, Intent

_RESOURCES = {
    "pods": "pods",
    "pod": "pods",
    "po": "pods",
    "deployments": "deployments",
    "deployment": "deployments",
    "deploy": "deployments",
    "nodes": "nodes",
    "node": "nodes",
    "no": "nodes",
    "events": "events",
    "event": "events",
    "ev": "events",
}
_WRITE_VERBS = {
    "delete",
    "apply",
    "edit",
    "exec",
    "patch",
    "create",
    "replace",
    "drain",
    "label",
    "annotate",
    "set",
    "cp",
    "run",
    "expose",
    "taint",
    "uncordon",
}


@dataclass
class Command:
    words: list[str]
    namespace: str | None = None
    selector: str | None = None
    flags: dict[str, str] = field(default_factory=dict)


def _split(text: str) -> Command | None:
    try:
        parts = shlex.split(text)
    except ValueError:
        return None
    command = Command(words=[])
    it = iter(parts[1:])
    for part in it:
        if part in ("-n", "--namespace"):
            command.namespace = next(it, None)
        elif part.startswith("--namespace="):
            command.namespace = part.split("=", 1)[1]
        elif part in ("-l", "--selector"):
            command.selector = next(it, None)
        elif part.startswith("--selector="):
            command.selector = part.split("=", 1)[1]
        elif part.startswith("--"):
            key, _, value = part[2:].partition("=")
            command.flags[key] = value or "true"
        elif part == "-p":
            command.flags["previous"] = "true"
        elif part == "-A":
            command.flags["all-namespaces"] = "true"
        else:
            command.words.append(part)
    return command


def _target(words: list[str], index: int) -> tuple[str | None, str | None]:
    """("deployments", "api") from ``deployment api`` or ``deployment/api``."""
    if len(words) <= index:
        return None, None
    head = words[index]
    if "/" in head:
        kind, _, slash_name = head.partition("/")
        return _RESOURCES.get(kind.split(".")[0]), slash_name or None
    name = words[index + 1] if len(words) > index + 1 else None
    return _RESOURCES.get(head), name


def parse_kubectl(text: str) -> Intent | Ask | None:
    command = _split(text)
    if command is None or not command.words:
        return Ask("kubectl_incomplete", ["kubectl get pods -n payments"])
    verb, ns = command.words[0], command.namespace or None
    if verb in _WRITE_VERBS:
        return Ask("kubectl_not_allowed", [], {"verb": verb})
    handler = _HANDLERS.get(verb)
    return handler(command, ns) if handler else None


def _get(command: Command, ns: str | None) -> Intent | Ask | None:
    kind, name = _target(command.words, 1)
    if kind == "pods":
        if name:
            return Intent("describe_pod", {"namespace": ns or "default", "name": name})
        return Intent(
            "get_pods", _clean({"namespace": _ns(command, ns), "selector": command.selector})
        )
    if kind == "deployments":
        return Intent(
            "get_deployments", _clean({"namespace": _ns(command, ns), "selector": command.selector})
        )
    if kind == "nodes":
        return Intent("get_nodes", _clean({"selector": command.selector}))
    if kind == "events":
        return Intent("get_events", _clean({"namespace": _ns(command, ns)}))
    return None


def _ns(command: Command, ns: str | None) -> str | None:
    if "all-namespaces" in command.flags:
        return None
    return ns or "default"


def _describe(command: Command, ns: str | None) -> Intent | Ask | None:
    kind, name = _target(command.words, 1)
    if kind == "pods" and name:
        return Intent("describe_pod", {"namespace": ns or "default", "name": name})
    return None


def _logs(command: Command, ns: str | None) -> Intent | Ask | None:
    if len(command.words) < 2:
        return Ask("kubectl_logs_which", ["kubectl logs api-7d9f -n shop"])
    name = command.words[1].removeprefix("pod/").removeprefix("pods/")
    args: dict[str, Any] = {"namespace": ns or "default", "name": name}
    if "tail" in command.flags and command.flags["tail"].isdigit():
        args["tail"] = int(command.flags["tail"])
    if command.flags.get("previous") == "true":
        args["previous"] = True
    if command.flags.get("container") or command.flags.get("c"):
        args["container"] = command.flags.get("container") or command.flags.get("c")
    return Intent("pod_logs", args)


def _rollout(command: Command, ns: str | None) -> Intent | Ask | None:
    sub = command.words[1] if len(command.words) > 1 else ""
    kind, name = _target(command.words, 2)
    if kind != "deployments" or not name:
        return Ask("kubectl_which_deployment", ["kubectl rollout restart deployment/api -n shop"])
    args: dict[str, Any] = {"namespace": ns or "default", "name": name}
    if sub == "restart":
        return Intent("rollout_restart", args)
    if sub == "status":
        return Intent("rollout_status", args)
    if sub == "undo":
        if command.flags.get("to-revision", "").isdigit():
            args["to_revision"] = int(command.flags["to-revision"])
        return Intent("rollout_undo", args)
    return Ask("kubectl_rollout_unsupported", [], {"sub": sub})


def _scale(command: Command, ns: str | None) -> Intent | Ask | None:
    kind, name = _target(command.words, 1)
    replicas = command.flags.get("replicas", "")
    if kind != "deployments" or not name or not replicas.isdigit():
        return Ask("kubectl_scale_which", ["kubectl scale deployment/api --replicas=3 -n shop"])
    return Intent("scale", {"namespace": ns or "default", "name": name, "replicas": int(replicas)})


def _cordon(command: Command, ns: str | None) -> Intent | Ask | None:
    if len(command.words) < 2:
        return Ask("kubectl_which_node", ["kubectl cordon worker-1"])
    return Intent("cordon", {"name": command.words[1].removeprefix("node/")})


def _top(command: Command, ns: str | None) -> Intent | Ask | None:
    kind, _ = _target(command.words, 1)
    if kind == "pods":
        return Intent("top_pods", _clean({"namespace": _ns(command, ns)}))
    return None


def _clean(args: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in args.items() if v is not None}


_HANDLERS = {
    "get": _get,
    "describe": _describe,
    "logs": _logs,
    "rollout": _rollout,
    "scale": _scale,
    "cordon": _cordon,
    "top": _top,
}
