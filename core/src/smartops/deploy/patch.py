"""The two kinds of kustomize patch, for the fields smartops uses.

Strategic merge: maps merge key by key, ``null`` deletes a key. Lists are replaced,
except in built-in kinds, where the lists Kubernetes declares as merged by a key
(containers by name, env by name, volumeMounts by mountPath, ...) are merged item by item,
the patch's items first. JSON 6902: add, remove, replace (RFC 6902 with JSON pointers).
"""

from __future__ import annotations

import copy
from typing import Any

from smartops.errors import InvalidRequest

# List fields that built-in kinds merge by a key (the patchMergeKey of the Kubernetes API).
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "ports": "containerPort",
    "imagePullSecrets": "name",
}


def strategic_merge(base: Any, patch: Any, builtin: bool) -> Any:
    """``base`` with ``patch`` merged in (neither is modified)."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = copy.deepcopy(base)
        for key, value in patch.items():
            if isinstance(key, str) and key.startswith("$"):
                raise InvalidRequest(f"patch directive {key!r} is not supported")
            if value is None:
                out.pop(key, None)
            elif key in out and builtin and key in MERGE_KEYS and isinstance(value, list):
                out[key] = _merge_list(out[key], value, MERGE_KEYS[key], builtin)
            elif key in out:
                out[key] = strategic_merge(out[key], value, builtin)
            else:
                out[key] = copy.deepcopy(value)
        return out
    return copy.deepcopy(patch)


def _merge_list(base: list[Any], patch: list[Any], key: str, builtin: bool) -> list[Any]:
    if not all(isinstance(item, dict) and key in item for item in [*base, *patch]):
        return copy.deepcopy(patch)
    by_key = {item[key]: item for item in base}
    merged = [
        strategic_merge(by_key[item[key]], item, builtin)
        if item[key] in by_key
        else copy.deepcopy(item)
        for item in patch
    ]
    patched = {item[key] for item in patch}
    return merged + [copy.deepcopy(item) for item in base if item[key] not in patched]


def json6902(doc: Any, operations: list[dict[str, Any]]) -> Any:
    """``doc`` with the operations applied in order (the input is not modified)."""
    out = copy.deepcopy(doc)
    for op in operations:
        kind, path = op.get("op"), str(op.get("path", ""))
        parent, last = _walk(out, _pointer(path), path)
        if kind in ("add", "replace"):
            _set(parent, last, copy.deepcopy(op.get("value")), kind == "add", path)
        elif kind == "remove":
            _remove(parent, last, path)
        else:
            raise InvalidRequest(f"JSON patch operation {kind!r} is not supported ({path})")
    return out


def _pointer(path: str) -> list[str]:
    if not path.startswith("/"):
        raise InvalidRequest(f"JSON patch path {path!r} must start with '/'")
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _walk(doc: Any, parts: list[str], path: str) -> tuple[Any, str]:
    node = doc
    for part in parts[:-1]:
        try:
            node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError, TypeError):
            raise InvalidRequest(f"JSON patch path {path!r} does not exist") from None
    return node, parts[-1]


def _set(parent: Any, last: str, value: Any, add: bool, path: str) -> None:
    if isinstance(parent, list):
        index = len(parent) if last == "-" else int(last)
        if add:
            parent.insert(index, value)
        elif index < len(parent):
            parent[index] = value
        else:
            raise InvalidRequest(f"JSON patch path {path!r} does not exist")
    elif isinstance(parent, dict):
        if not add and last not in parent:
            raise InvalidRequest(f"JSON patch path {path!r} does not exist")
        parent[last] = value
    else:
        raise InvalidRequest(f"JSON patch path {path!r} does not exist")


def _remove(parent: Any, last: str, path: str) -> None:
    try:
        del parent[int(last) if isinstance(parent, list) else last]
    except (KeyError, IndexError, ValueError, TypeError):
        raise InvalidRequest(f"JSON patch path {path!r} does not exist") from None
