"""A Python build of the subset of kustomize smartops' overlays use, for machines
without kubectl. Anything outside the subset is refused, never silently ignored.

Supported kustomization fields: ``resources`` (files and directories with their own
kustomization), ``namespace``, ``labels`` (without selectors or templates), ``patches``
(strategic merge or JSON 6902, from ``path`` or inline ``patch``, with an optional
``target``), ``configMapGenerator`` (``files``, ``literals``, ``options.labels``) with
``generatorOptions.disableNameSuffixHash: true``, and ``images``. Transformers run in
kustomize's order: patches, namespace, labels, images.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from smartops.deploy.objects import Obj, group_of, name_of, version_of
from smartops.deploy.patch import json6902, strategic_merge
from smartops.errors import InvalidRequest

FIELDS = {
    "apiVersion",
    "kind",
    "resources",
    "namespace",
    "labels",
    "patches",
    "configMapGenerator",
    "generatorOptions",
    "images",
}
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
# Kinds the namespace transformer leaves alone (cluster-scoped).
CLUSTER_SCOPED = {
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PersistentVolume",
    "StorageClass",
    "PriorityClass",
    "IngressClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "APIService",
    "ClusterServingRuntime",
    "ClusterStorageContainer",
}
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ORIGIN = "\0origin-namespace"
BUILTIN_GROUPS = {
    "",
    "apps",
    "batch",
    "policy",
    "autoscaling",
    "networking.k8s.io",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "scheduling.k8s.io",
}


def build(directory: Path) -> list[Obj]:
    """Every object the kustomization in ``directory`` produces."""
    return [{k: v for k, v in obj.items() if k != _ORIGIN} for obj in _build(directory)]


def _build(directory: Path) -> list[Obj]:
    # Each object carries the namespace it was written with (under _ORIGIN) until the end:
    # like kustomize, a patch without a namespace matches an object by that one too.
    kustomization, file = _load_kustomization(directory)
    objects: list[Obj] = []
    for entry in kustomization.get("resources") or []:
        objects.extend(_resource(directory, str(entry), file))
    objects.extend(_with_origin(o) for o in _generate(directory, kustomization, file))
    for patch in kustomization.get("patches") or []:
        objects = _apply_patch(directory, patch, objects, file)
    if kustomization.get("namespace"):
        objects = [_with_namespace(obj, str(kustomization["namespace"])) for obj in objects]
    for label in kustomization.get("labels") or []:
        objects = [_with_labels(obj, label, file) for obj in objects]
    for image in kustomization.get("images") or []:
        objects = [_with_image(obj, image) for obj in objects]
    return objects


def _with_origin(obj: Obj) -> Obj:
    return {**obj, _ORIGIN: str((obj.get("metadata") or {}).get("namespace", ""))}


def _load_kustomization(directory: Path) -> tuple[dict[str, Any], Path]:
    for name in KUSTOMIZATION_FILES:
        file = directory / name
        if file.is_file():
            data = yaml.safe_load(file.read_text()) or {}
            unknown = sorted(set(data) - FIELDS)
            if unknown:
                raise InvalidRequest(
                    f"{file}: kustomization field(s) {unknown} are outside "
                    "the supported subset; install kubectl to render it"
                )
            return data, file
    raise InvalidRequest(f"{directory}: no kustomization.yaml")


def _resource(directory: Path, entry: str, file: Path) -> list[Obj]:
    target = (directory / entry).resolve()
    if target.is_dir():
        return _build(target)
    if not target.is_file():
        raise InvalidRequest(f"{file}: resource {entry!r} does not exist")
    return [_with_origin(obj) for obj in load_documents(target)]


def load_documents(path: Path) -> list[Obj]:
    """The non-empty YAML documents of a manifest file."""
    try:
        docs = list(yaml.load_all(path.read_text(), Loader=_LOADER))
    except yaml.YAMLError as exc:
        raise InvalidRequest(f"{path}: not valid YAML: {exc}") from None
    for doc in docs:
        if doc is not None and not isinstance(doc, dict):
            raise InvalidRequest(f"{path}: a document is not a mapping")
    return [doc for doc in docs if doc]


def _generate(directory: Path, kustomization: dict[str, Any], file: Path) -> list[Obj]:
    generators = kustomization.get("configMapGenerator") or []
    options = kustomization.get("generatorOptions") or {}
    if generators and options.get("disableNameSuffixHash") is not True:
        raise InvalidRequest(
            f"{file}: configMapGenerator needs generatorOptions."
            "disableNameSuffixHash: true in the supported subset"
        )
    out = []
    for gen in generators:
        data: dict[str, str] = {}
        for item in gen.get("files") or []:
            key, _, source = str(item).rpartition("=") if "=" in str(item) else ("", "", item)
            path = directory / source
            data[key or Path(source).name] = path.read_text()
        for literal in gen.get("literals") or []:
            key, _, value = str(literal).partition("=")
            data[key] = value
        meta: dict[str, Any] = {"name": gen["name"]}
        labels = {
            **(options.get("labels") or {}),
            **((gen.get("options") or {}).get("labels") or {}),
        }
        if labels:
            meta["labels"] = labels
        out.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data})
    return out


def _apply_patch(
    directory: Path, patch: dict[str, Any], objects: list[Obj], file: Path
) -> list[Obj]:
    text = (directory / patch["path"]).read_text() if "path" in patch else patch.get("patch")
    if not isinstance(text, str):
        raise InvalidRequest(f"{file}: a patch needs 'path' or 'patch'")
    docs = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    target = patch.get("target")
    if len(docs) == 1 and isinstance(docs[0], list):
        if not target:
            raise InvalidRequest(f"{file}: a JSON 6902 patch needs a target")
        return _each_match(objects, target, file, lambda obj: json6902(obj, docs[0]))
    for doc in docs:
        selector = target or {
            "kind": doc.get("kind"),
            "name": name_of(doc),
            "group": group_of(doc),
            "version": version_of(doc),
            "namespace": (doc.get("metadata") or {}).get("namespace", ""),
        }
        objects = _each_match(
            objects, selector, file, lambda obj, d=doc: _merge_keeping_identity(obj, d)
        )
    return objects


def _merge_keeping_identity(obj: Obj, patch: Obj) -> Obj:
    body = {key: value for key, value in patch.items() if key not in ("apiVersion", "kind")}
    meta = {k: v for k, v in (body.get("metadata") or {}).items() if k not in ("name", "namespace")}
    body["metadata"] = meta
    return strategic_merge(obj, body, group_of(obj) in BUILTIN_GROUPS)  # type: ignore[no-any-return]


def _each_match(objects: list[Obj], target: dict[str, Any], file: Path, change: Any) -> list[Obj]:
    out, hits = [], 0
    for obj in objects:
        if _matches(obj, target):
            out.append(change(obj))
            hits += 1
        else:
            out.append(obj)
    if hits == 0:
        raise InvalidRequest(f"{file}: patch target {target} matches no object")
    return out


def _matches(obj: Obj, target: dict[str, Any]) -> bool:
    checks = {"kind": obj.get("kind"), "group": group_of(obj), "version": version_of(obj)}
    for key, actual in checks.items():
        if key in target and target[key] is not None and target[key] != actual:
            return False
    if target.get("namespace") is not None:
        current = (obj.get("metadata") or {}).get("namespace", "")
        wanted = {str(target["namespace"])} - {"default"} or {""}
        if not wanted & ({current, obj.get(_ORIGIN, "")} - {"default"} or {""}):
            return False
    name = target.get("name")
    return not name or re.fullmatch(str(name), name_of(obj)) is not None


def _with_namespace(obj: Obj, namespace: str) -> Obj:
    if obj.get("kind") in CLUSTER_SCOPED:
        return obj
    return {**obj, "metadata": {**(obj.get("metadata") or {}), "namespace": namespace}}


def _with_labels(obj: Obj, label: dict[str, Any], file: Path) -> Obj:
    if label.get("includeSelectors") or label.get("includeTemplates") or label.get("fields"):
        raise InvalidRequest(
            f"{file}: labels with selectors, templates or fields are outside the supported subset"
        )
    meta = obj.get("metadata") or {}
    labels = {**(meta.get("labels") or {}), **(label.get("pairs") or {})}
    return {**obj, "metadata": {**meta, "labels": labels}}


def _with_image(obj: Obj, image: dict[str, Any]) -> Obj:
    return _retag(obj, image)  # type: ignore[no-any-return]


def _retag(node: Any, image: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_retag(item, image) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _retag(value, image) for key, value in node.items()}
    for key in ("containers", "initContainers"):
        for container in out.get(key) or []:
            if isinstance(container, dict) and "image" in container:
                container["image"] = _new_image(str(container["image"]), image)
    return out


def _new_image(current: str, image: dict[str, Any]) -> str:
    name, tag = current, ""
    if "@" in current:
        name, tag = current.split("@", 1)
        tag = "@" + tag
    elif ":" in current.rsplit("/", 1)[-1]:
        name, tag = current.rsplit(":", 1)
        tag = ":" + tag
    if name != image.get("name"):
        return current
    name = str(image.get("newName") or name)
    if image.get("digest"):
        return f"{name}@{image['digest']}"
    if image.get("newTag"):
        return f"{name}:{image['newTag']}"
    return name + tag
