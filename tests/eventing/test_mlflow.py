"""Reindex runs logged to MLflow (its own tracking store, read back with its client)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient
from redis.asyncio import Redis

from smartops.config import Settings
from smartops.eventing.runs import Reindexer
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.index import open_index
from smartops.metrics import Metrics
from smartops.stack.procs import free_port
from tests.eventing.conftest import DATA, db_url

pytestmark = pytest.mark.integration


async def reindex(tmp_path: Path, redis_url: str, embedder: Embedder, uri: str) -> object:
    docs = tmp_path / "docs"
    shutil.copytree(DATA / "runbooks", docs)
    settings = Settings(
        data_dir=tmp_path / "data",
        redis_url=db_url(redis_url),
        eventing_mlflow_uri=uri,
        eventing_reindex_paths=[str(docs)],
    )
    redis = Redis.from_url(settings.redis_url)
    try:
        runner = Reindexer(settings, Metrics(), redis, embedder, lambda c: open_index(settings, c))
        return await runner.run([str(docs)], "mlflow-test", "test")
    finally:
        await redis.aclose()


async def test_each_run_is_an_mlflow_run_with_its_figures(
    tmp_path: Path, redis_url: str, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # a file store needs no server
    uri = f"file://{tmp_path / 'mlruns'}"
    record = await reindex(tmp_path, redis_url, embedder, uri)
    client = MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name("smartops-reindex")
    assert experiment is not None
    (run,) = client.search_runs([experiment.experiment_id])
    assert run.info.status == "FINISHED"
    assert run.data.tags["collection"] == "mlflow-test"
    assert run.data.tags["smartops.run_id"] == record.run_id  # type: ignore[attr-defined]
    assert run.data.metrics["chunks"] == record.chunks > 0  # type: ignore[attr-defined]
    assert run.data.metrics["errors"] == 0


async def test_mlflow_down_never_fails_a_reindex(
    tmp_path: Path, redis_url: str, embedder: Embedder
) -> None:
    record = await reindex(tmp_path, redis_url, embedder, f"http://127.0.0.1:{free_port()}")
    assert record.status == "ok" and record.chunks > 0  # type: ignore[attr-defined]
