"""Every overlay renders, every object and func.yaml validates, every cross-check holds."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from smartops.deploy import kustomize
from smartops.deploy.check import check
from smartops.deploy.render import overlays, render_kubectl
from smartops.deploy.validate import SchemaStore
from tests.infra.tree import settings_for
from tests.support.services import require

OVERLAYS = ("dev", "prod", "gpu")


def test_the_three_overlays_exist(repo_root: Path) -> None:
    assert overlays(repo_root / "infra") == sorted(OVERLAYS)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders_and_validates(
    repo_root: Path, overlay: str, schema_store: SchemaStore
) -> None:
    reports = check(repo_root, settings_for(repo_root), [overlay], store=schema_store)
    found = [f"{r.subject}: {p}" for r in reports for p in r.problems]
    assert found == []
    assert reports[1].objects >= 40


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_python_build_equals_kubectl_kustomize(repo_root: Path, overlay: str) -> None:
    kubectl = shutil.which("kubectl")
    require(kubectl is not None, "kubectl is not installed: nothing to compare the Python build to")
    directory = repo_root / "infra" / "overlays" / overlay

    def by_id(objects: list[dict[str, Any]]) -> dict[tuple[str, ...], dict[str, Any]]:
        return {
            (
                o["apiVersion"],
                o["kind"],
                o["metadata"].get("namespace", ""),
                o["metadata"]["name"],
            ): o
            for o in objects
        }

    ours, theirs = by_id(kustomize.build(directory)), by_id(render_kubectl(directory, str(kubectl)))
    assert sorted(ours) == sorted(theirs)
    for key, obj in ours.items():
        assert obj == theirs[key], key


def test_every_overlay_keeps_the_namespace_of_the_func_yaml_files(repo_root: Path) -> None:
    for overlay in OVERLAYS:
        objects = kustomize.build(repo_root / "infra" / "overlays" / overlay)
        namespaces = {o["metadata"].get("namespace") for o in objects} - {None}
        assert namespaces == {"smartops"}, overlay
