"""What the deploy checks share: a problem found in a manifest, and how objects are named."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one object: which object, which field, what is wrong."""

    obj: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.obj}: {self.field}" if self.field else self.obj
        return f"{where}: {self.message}"


def describe(obj: Obj) -> str:
    """``Kind namespace/name``, the way every problem names its object."""
    meta = obj.get("metadata") or {}
    name = meta.get("name", "<unnamed>")
    namespace = meta.get("namespace")
    return (
        f"{obj.get('kind', '<no kind>')} {namespace}/{name}"
        if namespace
        else (f"{obj.get('kind', '<no kind>')} {name}")
    )


def field_path(parts: Iterable[object]) -> str:
    """``spec.containers[0].image`` from a JSON-schema error path."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def group_of(obj: Obj) -> str:
    """The API group of an object ("" for the core group)."""
    api_version = str(obj.get("apiVersion", ""))
    return api_version.split("/")[0] if "/" in api_version else ""


def version_of(obj: Obj) -> str:
    return str(obj.get("apiVersion", "")).split("/")[-1]


def name_of(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name", ""))


def of_kind(objects: Sequence[Obj], kind: str, group: str | None = None) -> Iterator[Obj]:
    for obj in objects:
        if obj.get("kind") == kind and (group is None or group_of(obj) == group):
            yield obj
