"""Validate objects against their JSON schemas, offline.

Custom resources: the CRD schemas under the schemas folder (``<group>/<kind>_<version>.json``),
made strict on an in-memory copy: every object with ``properties`` and no
``x-kubernetes-preserve-unknown-fields`` gets ``additionalProperties: false``, so that a
misspelled field fails instead of being pruned by the API server. Built-in kinds: the
strict schemas of the ``kubernetes-validate`` package. ``func.yaml``: the schema of
Knative func, after turning the dates YAML reads from unquoted timestamps back into text.

One Prometheus Operator schema has a Go (RE2) pattern, ``^(?i)(abort|warn)?$``, whose
inline flag Python's ``re`` rejects after ``^``. ``_python_pattern`` moves such a leading
flag group to the very front, which means the same in both engines; any other pattern
Python cannot compile is reported as a problem of the schema, never skipped.
"""

from __future__ import annotations

import copy
import datetime
import difflib
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from kubernetes_validate import utils as k8s_utils
from packaging.version import Version
from referencing import Registry, Resource

from smartops.deploy.objects import Obj, Problem, describe, field_path, group_of, version_of
from smartops.errors import InvalidRequest

_LEADING_FLAGS = re.compile(r"^\^(\(\?[aiLmsux]+\))")


class SchemaStore:
    """Loads, fixes and caches the schemas of one schemas folder."""

    def __init__(self, schemas_dir: Path, k8s_version: str) -> None:
        if not schemas_dir.is_dir():
            raise InvalidRequest(
                f"no JSON schemas folder at {schemas_dir} (set SMARTOPS_MANIFESTS_SCHEMAS_DIR)"
            )
        self.dir = schemas_dir
        self.k8s_version = k8s_version
        self.crd_groups = {p.name for p in schemas_dir.iterdir() if p.is_dir() and "." in p.name}
        self._validator = cache(self._load)
        self._builtin = cache(self._load_builtin)
        self._k8s_dir = _k8s_schema_dir(k8s_version)

    def validator(self, group: str, kind: str, version: str) -> jsonschema.protocols.Validator:
        return self._validator(group, kind.lower(), version)

    def builtin_validator(
        self, api_version: str, kind: str
    ) -> jsonschema.protocols.Validator | None:
        """The strict schema of a built-in kind from kubernetes-validate (None: no such kind)."""
        return self._builtin(api_version, kind)

    def func_validator(self) -> jsonschema.protocols.Validator:
        return self._validator("func", "func", "yaml-schema")

    def _load(self, group: str, kind: str, version: str) -> jsonschema.protocols.Validator:
        path = self.dir / group / f"{kind}_{version}.json"
        if not path.is_file():
            raise InvalidRequest(f"no schema {path.relative_to(self.dir)} in {self.dir}")
        schema = json.loads(path.read_text())
        if group != "func":
            schema = strict(schema)
        schema = _fix_patterns(schema, path.name)
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        return cls(schema)  # type: ignore[no-any-return]

    def _load_builtin(self, api_version: str, kind: str) -> jsonschema.protocols.Validator | None:
        # What kubernetes_validate.validate() does, with each schema loaded once, not per object.
        group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
        try:
            schema = k8s_utils.schema_contents(
                f"kubernetes-json-schema/{self._k8s_dir}/{kind.lower()}-{group_version}.json",
                self.k8s_version,
            )
        except FileNotFoundError:
            return None
        definitions = k8s_utils.schema_contents(
            f"kubernetes-json-schema/{self._k8s_dir}/_definitions.json", self.k8s_version
        )
        registry: Registry[Any] = Resource.from_contents(schema) @ Registry()
        registry = Resource.from_contents(definitions) @ registry
        return jsonschema.Draft202012Validator(schema, registry=registry)


def _k8s_schema_dir(version: str) -> str:
    """The strict schemas folder of kubernetes-validate for a Kubernetes version."""
    wanted = k8s_utils.major_minor(version.removeprefix("v"))
    known = [
        v for v in k8s_utils.all_versions() if Version(k8s_utils.major_minor(v)) <= Version(wanted)
    ]
    if not known:
        raise InvalidRequest(f"kubernetes-validate has no schemas for Kubernetes {version}")
    return f"v{known[-1]}-local-strict"


def validate_objects(objects: list[Obj], store: SchemaStore) -> list[Problem]:
    """Every schema problem of every object (an empty list when all are valid)."""
    problems: list[Problem] = []
    for obj in objects:
        problems.extend(validate_object(obj, store))
    return problems


def validate_object(obj: Obj, store: SchemaStore) -> Iterator[Problem]:
    name = describe(obj)
    if not obj.get("apiVersion") or not obj.get("kind"):
        yield Problem(name, "", "has no apiVersion or kind")
        return
    if not (obj.get("metadata") or {}).get("name"):
        yield Problem(name, "metadata.name", "is missing")
    group = group_of(obj)
    if group in store.crd_groups:
        validator = store.validator(group, str(obj["kind"]), version_of(obj))
        for error in sorted(validator.iter_errors(obj), key=lambda e: list(e.absolute_path)):
            yield _problem(name, error)
        return
    builtin = store.builtin_validator(str(obj["apiVersion"]), str(obj["kind"]))
    if builtin is None:
        yield Problem(name, "apiVersion", f"no schema for {obj['apiVersion']} {obj['kind']}")
        return
    for error in sorted(builtin.iter_errors(obj), key=lambda e: list(e.absolute_path)):
        yield _problem(name, error)


def validate_func_yaml(path: Path, doc: Any, store: SchemaStore) -> list[Problem]:
    """Problems of one func.yaml against Knative func's schema."""
    validator = store.func_validator()
    name = f"func.yaml {path}"
    return [_problem(name, error) for error in validator.iter_errors(as_text_dates(doc))]


def as_text_dates(node: Any) -> Any:
    """YAML reads an unquoted ``created: 2025-01-01T00:00:00Z`` as a datetime: make it text."""
    if isinstance(node, dict):
        return {key: as_text_dates(value) for key, value in node.items()}
    if isinstance(node, list):
        return [as_text_dates(item) for item in node]
    if isinstance(node, datetime.datetime | datetime.date):
        return node.isoformat().replace("+00:00", "Z")
    return node


def strict(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy where no object with declared properties accepts undeclared ones."""
    out = copy.deepcopy(schema)
    _close(out)
    # Some CRD schemas leave the envelope out; every object has it.
    envelope = {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"type": "object"},
    }
    out["properties"] = {**envelope, **out.get("properties", {})}
    return out


def _close(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _close(item)
        return
    if not isinstance(node, dict):
        return
    if (
        "properties" in node
        and "additionalProperties" not in node
        and not node.get("x-kubernetes-preserve-unknown-fields")
    ):
        node["additionalProperties"] = False
    for key, value in node.items():
        if key in ("properties", "patternProperties", "definitions", "$defs"):
            for subschema in value.values():
                _close(subschema)
        elif key not in ("enum", "default", "example", "const"):
            _close(value)


def _fix_patterns(node: Any, source: str) -> Any:
    if isinstance(node, list):
        return [_fix_patterns(item, source) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _fix_patterns(value, source) for key, value in node.items()}
    if isinstance(out.get("pattern"), str):
        out["pattern"] = _python_pattern(out["pattern"], source)
    return out


def _python_pattern(pattern: str, source: str) -> str:
    moved = _LEADING_FLAGS.sub(lambda m: m.group(1) + "^", pattern)
    try:
        re.compile(moved)
    except re.error as exc:
        raise InvalidRequest(
            f"{source}: pattern {pattern!r} is not valid in Python: {exc}"
        ) from None
    return moved


def _problem(name: str, error: jsonschema.ValidationError) -> Problem:
    path = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set((error.schema or {}).get("properties", {}))
        extra = sorted(k for k in error.instance if k not in allowed)
        if extra:
            close = difflib.get_close_matches(extra[0], allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            return Problem(name, field_path([*path, extra[0]]), f"unknown field{hint}")
    return Problem(name, field_path(path), error.message)
