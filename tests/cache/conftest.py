"""Fixtures for the cache: the real embedding model, a docs folder, a clean Redis."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
CORPUS_RUNBOOKS = Path(__file__).resolve().parents[3] / "shared/corpus/runbooks/content/runbooks"


@pytest.fixture
def docs_dir(tmp_path: Path) -> Path:
    """A docs folder to change freely: real runbooks from the corpus when it is there."""
    target = tmp_path / "docs"
    target.mkdir()
    if CORPUS_RUNBOOKS.is_dir():
        for name in ("KubePodCrashLooping.md", "KubeNodeNotReady.md"):
            shutil.copy(CORPUS_RUNBOOKS / "kubernetes" / name, target / name)
        shutil.copy(DATA / "docs" / "probes.md", target / "probes.md")
    else:
        for file in (DATA / "docs").glob("*.md"):
            shutil.copy(file, target / file.name)
    return target
