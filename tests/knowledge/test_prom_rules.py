"""Prometheus's loaded alerting rules (/api/v1/rules) become alert documents.

The integration case loads a real kube-prometheus rules file from the corpus into a real
Prometheus and indexes what that Prometheus reports, through the same start-up hook
`smartops up` runs; the documents must say what the rules file says.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml

from smartops.config import Settings
from smartops.knowledge.alert_rules import chunk_alert_rules, rule_groups
from smartops.knowledge.documents import Chunk
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.index import open_index
from smartops.knowledge.ingest import ingest
from smartops.knowledge.prom_rules import SOURCE, duration, index_rules, rule_chunks
from smartops.stack.knowledge import index_prometheus_rules
from smartops.stack.procs import free_port
from tests.support.prometheus import monitoring_stack

RULES_FILE = "alerts/manifests/nodeExporter-prometheusRule.yaml"


def api_rules(*names: str) -> dict[str, Any]:
    """A /api/v1/rules answer's data as Prometheus writes it (one recording rule too)."""
    rules: list[dict[str, Any]] = [
        {
            "type": "alerting",
            "name": name,
            "query": 'kube_job_failed{job="kube-state-metrics"} > 0',
            "duration": 900,
            "labels": {"severity": "warning"},
            "annotations": {
                "summary": "Job failed to complete.",
                "runbook_url": f"https://runbooks.example/{name}",
            },
            "health": "ok",
            "state": "inactive",
        }
        for name in names
    ]
    rules.append({"type": "recording", "name": "job:up:sum", "query": "sum(up)"})
    return {"groups": [{"name": "jobs", "file": "/etc/prometheus/rules/jobs.yml", "rules": rules}]}


def test_durations_read_as_prometheus_writes_them() -> None:
    assert duration(900) == "15m"
    assert duration(5400.0) == "1h30m"
    assert duration(0) == "" and duration("n/a") == ""


def test_an_api_rule_is_the_alert_document_its_rules_file_would_give() -> None:
    chunks = list(rule_chunks(api_rules("KubeJobFailed"), model="m").values())
    assert [c.title for c in chunks] == ["KubeJobFailed"]  # the recording rule is skipped
    (chunk,) = chunks
    assert chunk.kind == "alert" and chunk.source == SOURCE + "/etc/prometheus/rules/jobs.yml"
    assert chunk.url == "https://runbooks.example/KubeJobFailed"
    file_form = {
        "groups": [
            {
                "name": "jobs",
                "rules": [
                    {
                        "alert": "KubeJobFailed",
                        "expr": 'kube_job_failed{job="kube-state-metrics"} > 0',
                        "for": "15m",
                        "labels": {"severity": "warning"},
                        "annotations": {
                            "summary": "Job failed to complete.",
                            "runbook_url": "https://runbooks.example/KubeJobFailed",
                        },
                    }
                ],
            }
        ]
    }
    (from_file,) = chunk_alert_rules(yaml.safe_dump(file_form), "jobs.yml", model="m")
    assert chunk.text == from_file.text
    assert "severity warning" in chunk.text and "for 15m" in chunk.text


def test_a_rule_prometheus_dropped_leaves_the_index_and_rule_files_stay(
    tmp_path: Path, embedder: Embedder
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "jobs.yml").write_text(
        yaml.safe_dump({"groups": [{"name": "f", "rules": [{"alert": "FromFile", "expr": "up"}]}]})
    )
    settings = Settings(data_dir=tmp_path / "data")
    index = open_index(settings)
    ingest([str(folder)], settings, index, embedder)
    first = index_rules(api_rules("KubeJobFailed", "KubeJobStuck"), index, embedder)
    assert (first.new, first.deleted) == (2, 0)
    again = index_rules(api_rules("KubeJobFailed", "KubeJobStuck"), index, embedder)
    assert (again.new, again.unchanged) == (0, 2)  # nothing re-embedded
    later = index_rules(api_rules("KubeJobFailed"), index, embedder)
    assert later.deleted == 1
    titles = sorted(c.title for c in open_index(settings).chunks)  # type: ignore[attr-defined]
    assert titles == ["FromFile", "KubeJobFailed"]


def test_a_prometheus_that_is_down_is_said_and_changes_nothing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, actions_prometheus_url=f"http://127.0.0.1:{free_port()}")  # type: ignore[call-arg]
    out = io.StringIO()
    assert index_prometheus_rules(settings, out) is None
    assert "alerting rules not indexed" in out.getvalue()
    assert "cannot be reached" in out.getvalue()
    assert not (tmp_path / "index").exists()


@pytest.mark.integration
def test_the_start_indexes_what_a_real_prometheus_has_loaded(
    tmp_path: Path, repo_root: Path
) -> None:
    manifest = yaml.safe_load((repo_root.parent / "shared/corpus" / RULES_FILE).read_text())
    groups = rule_groups(manifest)
    expected = chunk_alert_rules(yaml.safe_dump(manifest), "f", model="m")
    (tmp_path / "mon").mkdir()
    with monitoring_stack(tmp_path / "mon", {"groups": groups}) as monitoring:
        settings = Settings(
            data_dir=tmp_path / "data", actions_prometheus_url=monitoring.prometheus
        )  # type: ignore[call-arg]
        out = io.StringIO()
        report = index_prometheus_rules(settings, out)
    assert report is not None and report.chunks == len(expected) > 10
    assert f"{len(expected)} alerting rules from Prometheus" in out.getvalue()
    stored = open_index(settings).chunks  # type: ignore[attr-defined]
    assert all(c.kind == "alert" and c.source.startswith(SOURCE) for c in stored)
    assert all(c.url.startswith("https://") for c in stored)

    def facts(chunks: list[Chunk]) -> list[tuple[str, str, str]]:
        # Prometheus reprints the expression; the rest of the document is the file's.
        return sorted((c.url, str(c.meta), c.text.split("\nExpression:")[0]) for c in chunks)

    assert facts(stored) == facts(expected)
