"""Each reindex run as an MLflow run, when a tracking URI is configured (optional extra).

``pip install 'smartops[mlflow]'`` (the MLflow client, ``mlflow-skinny``) and set
``SMARTOPS_EVENTING_MLFLOW_URI`` (an MLflow tracking server such as
``http://mlflow:5000``, or a database URI). The run carries the trigger, collection and
status as tags and documents, chunks, new/updated/deleted, errors, duration and canary
recall as metrics. MLflow being down never fails a reindex: the failure is logged and
counted as a reindex error metric, nothing else.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from smartops.eventing.models import ReindexCompletedData

log = logging.getLogger(__name__)
TIMEOUT_S = 10.0
METRICS = ("documents", "chunks", "new", "updated", "deleted", "duration_s", "recall")


class MlflowRecorder:
    def __init__(self, tracking_uri: str, experiment: str) -> None:
        # MLflow's HTTP client retries for minutes by default; a reindex waits seconds.
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1")
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "5")
        from mlflow.tracking import MlflowClient  # the optional extra, loaded only when used

        self.client: Any = MlflowClient(tracking_uri=tracking_uri)
        self.experiment = experiment
        self._experiment_id: str | None = None

    def _experiment(self) -> str:
        if self._experiment_id is None:
            found = self.client.get_experiment_by_name(self.experiment)
            self._experiment_id = (
                found.experiment_id if found else self.client.create_experiment(self.experiment)
            )
        return self._experiment_id

    def record_sync(self, record: ReindexCompletedData) -> str:
        """Log one finished reindex run; returns the MLflow run id."""
        tags = {
            "smartops.run_id": record.run_id,
            "trigger": record.trigger,
            "collection": record.collection,
            "status": record.status,
        }
        run = self.client.create_run(self._experiment(), tags=tags, run_name=record.run_id)
        run_id: str = run.info.run_id
        values = record.model_dump()
        for name in METRICS:
            if values.get(name) is not None:
                self.client.log_metric(run_id, name, float(values[name]))
        self.client.log_metric(run_id, "errors", float(len(record.errors)))
        self.client.set_terminated(run_id, "FINISHED" if record.status == "ok" else "FAILED")
        return run_id

    async def record(self, record: ReindexCompletedData) -> str | None:
        """Log the run, waiting at most ``TIMEOUT_S`` (MLflow's client retries for long)."""
        try:
            return await asyncio.wait_for(asyncio.to_thread(self.record_sync, record), TIMEOUT_S)
        except Exception as exc:  # tracking is best effort
            log.warning("mlflow logging failed", extra={"error": f"{type(exc).__name__}: {exc}"})
            return None
