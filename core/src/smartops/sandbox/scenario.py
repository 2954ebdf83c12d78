"""A scenario folder: a small cluster written down, as the API server would return it.

- ``cluster.yaml``: any number of Kubernetes objects (multi-document YAML) with their
  ``status``: pods with ``containerStatuses``, nodes with conditions, ``v1`` Events...
- ``logs/<namespace>/<pod>/<container>.log``: what ``pods/log`` returns, and
  ``<container>.previous.log``: what it returns with ``previous=true``;
- ``README.md`` (optional): what the scenario shows.

Timestamps can be moved so that the newest one is a minute ago: ages then read as they
would on a live cluster ("Back-off restarting failed container ... 2m ago").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from smartops.errors import InvalidRequest

Json = dict[str, Any]
LogKey = tuple[str, str, str, bool]  # (namespace, pod, container, previous)
CLUSTER_SCOPED = {
    "Node",
    "Namespace",
    "PersistentVolume",
    "StorageClass",
    "ClusterRole",
    "ClusterRoleBinding",
    "PriorityClass",
    "IngressClass",
    "CustomResourceDefinition",
}
TIME_KEYS = {
    "creationTimestamp",
    "lastTimestamp",
    "firstTimestamp",
    "eventTime",
    "startedAt",
    "finishedAt",
    "lastTransitionTime",
    "lastProbeTime",
    "lastHeartbeatTime",
    "startTime",
    "lastUpdateTime",
    "lastScheduleTime",
    "lastSuccessfulTime",
    "completionTime",
    "lastObservedTime",
    "lastScaleTime",
}
_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$")


@dataclass(frozen=True)
class Scenario:
    name: str
    path: Path
    objects: list[Json] = field(default_factory=list)
    logs: dict[LogKey, str] = field(default_factory=dict)
    readme: str = ""

    def namespaces(self) -> list[str]:
        return sorted(
            {
                str(o["metadata"]["namespace"])
                for o in self.objects
                if o["metadata"].get("namespace")
            }
        )


def _field(obj: dict[str, Any], path: str) -> str:
    value: Any = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def selected(obj: dict[str, Any], labels: str, fields: str) -> bool:
    """Equality label and field selectors (``a=b``, ``a!=b``), as the API server applies them."""
    have = (obj.get("metadata") or {}).get("labels") or {}
    for term in filter(None, (t.strip() for t in labels.split(","))):
        key, negate, value = _term(term)
        if (have.get(key) == value) == negate:
            return False
    for term in filter(None, (t.strip() for t in fields.split(","))):
        key, negate, value = _term(term)
        if (_field(obj, key) == value) == negate:
            return False
    return True


def _term(term: str) -> tuple[str, bool, str]:
    if "!=" in term:
        key, value = term.split("!=", 1)
        return key.strip(), True, value.strip()
    key, value = term.replace("==", "=").split("=", 1)
    return key.strip(), False, value.strip()


def plural(kind: str) -> str:
    low = kind.lower()
    if low == "endpoints":
        return low
    if low.endswith("s"):
        return low + "es"
    if low.endswith("y"):
        return low[:-1] + "ies"
    return low + "s"


def resource_path(obj: Json) -> str:
    """``v1/pods``, ``apps/v1/deployments``: how the emulator keys an object's kind."""
    return f"{obj['apiVersion']}/{plural(str(obj['kind']))}"


def packaged() -> Path:
    return Path(str(resources.files("smartops.sandbox").joinpath("scenarios")))


def resolve_scenario(where: str | Path) -> Path:
    """A scenario folder from a path, or the name of one that ships with smartops."""
    path = Path(where).expanduser()
    if (path / "cluster.yaml").is_file():
        return path
    shipped = packaged() / str(where)
    if (shipped / "cluster.yaml").is_file():
        return shipped
    names = ", ".join(
        sorted(p.name for p in packaged().iterdir() if (p / "cluster.yaml").is_file())
    )
    raise InvalidRequest(
        f"No scenario at {where}: a folder with a cluster.yaml, or one of: {names}.",
        code="no_scenario",
    )


def load(where: str | Path, *, rebase: bool = False, now: datetime | None = None) -> Scenario:
    path = resolve_scenario(where)
    objects = list(_objects(path / "cluster.yaml"))
    if rebase:
        _rebase(objects, now or datetime.now(UTC))
    readme = path / "README.md"
    return Scenario(
        name=path.name,
        path=path,
        objects=objects,
        logs=_logs(path / "logs"),
        readme=readme.read_text(encoding="utf-8") if readme.is_file() else "",
    )


def _objects(file: Path) -> Iterator[Json]:
    try:
        docs = list(yaml.safe_load_all(file.read_text(encoding="utf-8")))
    except yaml.YAMLError as exc:
        raise InvalidRequest(f"{file}: not valid YAML ({exc})", code="bad_scenario") from None
    for index, doc in enumerate(docs):
        if doc is None:
            continue
        items = doc.get("items") if isinstance(doc, dict) and doc.get("kind") == "List" else [doc]
        for obj in items or []:
            yield _checked(obj, file, index)


def _checked(obj: Any, file: Path, index: int) -> Json:
    if not isinstance(obj, dict) or not obj.get("apiVersion") or not obj.get("kind"):
        raise InvalidRequest(
            f"{file}: document {index + 1} is not a Kubernetes object "
            "(apiVersion and kind are required)",
            code="bad_scenario",
        )
    meta = obj.setdefault("metadata", {})
    if not meta.get("name"):
        raise InvalidRequest(
            f"{file}: document {index + 1} ({obj['kind']}) has no metadata.name",
            code="bad_scenario",
        )
    if obj["kind"] not in CLUSTER_SCOPED:
        meta.setdefault("namespace", "default")
    meta.setdefault("uid", f"{obj['kind'].lower()}-{meta.get('namespace', '')}-{meta['name']}")
    return dict(obj)


def _logs(root: Path) -> dict[LogKey, str]:
    found: dict[LogKey, str] = {}
    if not root.is_dir():
        return found
    for file in sorted(root.glob("*/*/*.log")):
        namespace, pod = file.parent.parent.name, file.parent.name
        previous = file.name.endswith(".previous.log")
        container = file.name.removesuffix(".log").removesuffix(".previous")
        found[(namespace, pod, container, previous)] = file.read_text(encoding="utf-8")
    return found


def _stamps(value: Any) -> Iterator[tuple[Any, str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in TIME_KEYS and isinstance(item, str) and _STAMP.match(item):
                yield value, key, item
            else:
                yield from _stamps(item)
    elif isinstance(value, list):
        for item in value:
            yield from _stamps(item)


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _rebase(objects: list[Json], now: datetime) -> None:
    found = list(_stamps(objects))
    if not found:
        return
    newest = max(_parse(stamp) for _, _, stamp in found)
    shift = (now - timedelta(minutes=1)) - newest
    for holder, key, stamp in found:
        holder[key] = (_parse(stamp) + shift).strftime("%Y-%m-%dT%H:%M:%SZ")
