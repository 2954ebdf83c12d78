"""``smartops manifests check``: render every overlay, validate every object and func.yaml
against its schema, and run the cross-checks. Used by the CLI and the tests."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from smartops.config import Settings
from smartops.deploy.crosscheck import Context, crosscheck
from smartops.deploy.objects import Obj, Problem
from smartops.deploy.render import Renderer, overlays, render
from smartops.deploy.validate import SchemaStore, validate_func_yaml, validate_objects
from smartops.errors import InvalidRequest
from smartops.metrics import Metrics

_SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "summary": ("_count", "_sum", "_created"),
    "gauge": ("",),
}


@dataclass
class Report:
    """What one check found: for an overlay, or for the func.yaml files."""

    subject: str
    objects: int
    renderer: str = ""
    problems: list[Problem] = field(default_factory=list)


def check(
    root: Path,
    settings: Settings,
    names: list[str] | None = None,
    renderer: Renderer | None = None,
    store: SchemaStore | None = None,
) -> list[Report]:
    """Reports for the func.yaml files, then for each overlay (all when ``names`` is empty).

    ``store`` lets several checks share the loaded schemas (the tests do).
    """
    schemas = settings.manifests.schemas_dir
    store = store or SchemaStore(
        schemas if schemas.is_absolute() else root / schemas, settings.manifests.k8s_version
    )
    funcs = load_funcs(root)
    reports = [
        Report(
            "func.yaml files",
            len(funcs),
            problems=[p for path, doc in funcs for p in validate_func_yaml(Path(path), doc, store)],
        )
    ]
    available = overlays(root / "infra")
    for name in names or available:
        if name not in available:
            raise InvalidRequest(f"no overlay {name!r} (there are: {', '.join(available)})")
        reports.append(check_overlay(root, name, settings, store, funcs, renderer))
    return reports


def check_overlay(
    root: Path,
    name: str,
    settings: Settings,
    store: SchemaStore,
    funcs: list[tuple[str, Obj]],
    renderer: Renderer | None = None,
) -> Report:
    objects, used = render(
        root / "infra" / "overlays" / name, renderer or settings.manifests.renderer
    )
    context = Context(
        objects=objects,
        funcs=funcs,
        event_types=load_event_types(root),
        settings_fields=Settings.env_names(),
        metric_names=exposed_metrics(),
        min_router_timeout_s=settings.llm.read_timeout_s,
    )
    problems = validate_objects(objects, store) + crosscheck(context)
    return Report(f"overlay {name}", len(objects), used, problems)


def load_funcs(root: Path) -> list[tuple[str, Obj]]:
    """(path relative to root, document) of every func.yaml: the root one and functions/*/."""
    files = [root / "func.yaml"] if (root / "func.yaml").is_file() else []
    files += sorted((root / "functions").glob("*/func.yaml"))
    out = []
    for file in files:
        doc = yaml.safe_load(file.read_text())
        if not isinstance(doc, dict):
            raise InvalidRequest(f"{file.relative_to(root)} is not a YAML mapping")
        out.append((str(file.relative_to(root)), doc))
    return out


def load_event_types(root: Path) -> frozenset[str]:
    """Event types from the generated catalog (eventing/catalog/*.json), else from a list
    in eventing/event-types.yaml (for a tree without a catalog yet)."""
    catalog = sorted((root / "eventing" / "catalog").glob("*.json"))
    if catalog:
        types = set()
        for path in catalog:
            doc = json.loads(path.read_text())
            types.add(str(doc.get("x-cloudevent-type") or path.stem))
        return frozenset(types)
    listed = root / "eventing" / "event-types.yaml"
    if not listed.is_file():
        raise InvalidRequest(
            "no event catalog (eventing/catalog/*.json) or eventing/event-types.yaml"
        )
    return frozenset(
        str(t) for t in (yaml.safe_load(listed.read_text()) or {}).get("eventTypes", [])
    )


def exposed_metrics() -> frozenset[str]:
    """Every sample name the smartops processes expose (from the one Metrics class)."""
    names: set[str] = set()
    for family in Metrics().registry.collect():
        names.add(family.name)
        names.update(family.name + suffix for suffix in _SUFFIXES.get(family.type, ("",)))
    return frozenset(names)
