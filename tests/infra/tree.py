"""Shared by the manifest tests: the schemas folder, a writable copy of the manifests."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from smartops.config import Settings
from smartops.deploy.check import check
from smartops.deploy.validate import SchemaStore
from tests.support.services import require

MANIFEST_DIRS = ("infra", "eventing", "inferencegraph")


def schemas_dir(repo_root: Path) -> Path:
    path = repo_root.parent / "shared" / "schemas"
    require(path.is_dir(), f"the offline JSON schemas are not at {path}")
    return path


def settings_for(repo_root: Path, **changes: object) -> Settings:
    return Settings(manifests_schemas_dir=schemas_dir(repo_root), **changes)  # type: ignore[arg-type]


def copy_manifests(repo_root: Path, dest: Path) -> Path:
    """Every manifest and func.yaml of the repository, copied under ``dest``."""
    for name in MANIFEST_DIRS:
        if (repo_root / name).is_dir():
            shutil.copytree(repo_root / name, dest / name)
    for func in [repo_root / "func.yaml", *sorted((repo_root / "functions").glob("*/func.yaml"))]:
        target = dest / func.relative_to(repo_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(func, target)
    return dest


def problems(root: Path, settings: Settings, store: SchemaStore, overlay: str = "dev") -> list[str]:
    return [
        str(p)
        for report in check(root, settings, [overlay], "python", store)
        for p in report.problems
    ]


def edit_yaml(path: Path, change: object) -> None:
    """Rewrite a multi-document YAML file with ``change(doc)`` applied to each document."""
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
    for doc in docs:
        change(doc)  # type: ignore[operator]
    path.write_text(yaml.safe_dump_all(docs, sort_keys=False))
