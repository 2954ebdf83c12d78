"""Fixtures for knowledge: the real embedding model and a small corpus to ingest.

The corpus is a slice of ``../shared/corpus`` (node runbooks and their alert rules) when
that folder is beside the repository, else the sample under ``data/corpus``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from smartops.config import Settings

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "corpus"
SAMPLE = DATA / "corpus"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A corpus folder the test may change: runbooks and alert rules."""
    target = tmp_path / "corpus"
    if SHARED.is_dir():
        shutil.copytree(SHARED / "runbooks/content/runbooks/node", target / "runbooks/node")
        shutil.copytree(SAMPLE / "runbooks", target / "runbooks/sample")
        (target / "alerts").mkdir()
        shutil.copy(SHARED / "alerts/manifests/nodeExporter-prometheusRule.yaml", target / "alerts")
    else:
        shutil.copytree(SAMPLE, target)
    return target


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", llm_model="test-model")
