"""Fixtures of the manifest tests: the schemas, loaded once per test run."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartops.deploy.validate import SchemaStore
from tests.infra.tree import schemas_dir


@pytest.fixture(scope="session")
def schema_store(repo_root: Path) -> SchemaStore:
    return SchemaStore(schemas_dir(repo_root), "1.33")
