"""The pieces of the manifest check on their own: patches, the kustomize subset, schemas."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from smartops.deploy.check import load_event_types
from smartops.deploy.kustomize import build
from smartops.deploy.observability import PIPELINE_STAGES
from smartops.deploy.patch import json6902, strategic_merge
from smartops.deploy.validate import SchemaStore, as_text_dates, validate_func_yaml, validate_object
from smartops.errors import InvalidRequest
from smartops.metrics import Metrics

POD: dict[str, Any] = {
    "containers": [
        {
            "name": "a",
            "image": "x:1",
            "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
        }
    ]
}


def test_strategic_merge_merges_builtin_lists_by_key() -> None:
    patch = {"containers": [{"name": "a", "env": [{"name": "B", "value": "3"}]}]}
    merged = strategic_merge(POD, patch, builtin=True)
    assert merged["containers"][0]["image"] == "x:1"
    assert merged["containers"][0]["env"] == [
        {"name": "B", "value": "3"},
        {"name": "A", "value": "1"},
    ]
    assert POD["containers"][0]["env"][1]["value"] == "2"  # the input is left alone


def test_strategic_merge_replaces_lists_of_custom_resources_and_deletes_nulls() -> None:
    merged = strategic_merge(
        {"args": ["--a", "--b"], "keep": 1, "drop": 2},
        {"args": ["--c"], "drop": None},
        builtin=False,
    )
    assert merged == {"args": ["--c"], "keep": 1}


def test_json6902_add_replace_remove_and_missing_path() -> None:
    doc = {"spec": {"schedule": "a", "list": [1, 2]}}
    out = json6902(
        doc,
        [
            {"op": "replace", "path": "/spec/schedule", "value": "b"},
            {"op": "add", "path": "/spec/list/-", "value": 3},
            {"op": "remove", "path": "/spec/list/0"},
        ],
    )
    assert out == {"spec": {"schedule": "b", "list": [2, 3]}}
    with pytest.raises(InvalidRequest, match="/spec/nope/x"):
        json6902(doc, [{"op": "replace", "path": "/spec/nope/x", "value": 1}])


def test_kustomize_subset_refuses_what_it_does_not_implement(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("namePrefix: x-\nresources: []\n")
    with pytest.raises(InvalidRequest, match=r"\['namePrefix'\] are outside the supported subset"):
        build(tmp_path)


def test_kustomize_patch_that_matches_nothing_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n")
    (tmp_path / "kustomization.yaml").write_text(
        yaml.safe_dump(
            {
                "resources": ["cm.yaml"],
                "patches": [{"patch": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n"}],
            }
        )
    )
    with pytest.raises(InvalidRequest, match="matches no object"):
        build(tmp_path)


def test_go_only_regex_of_the_prometheus_rule_schema_is_handled(schema_store: SchemaStore) -> None:
    store = schema_store
    rule = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "r", "namespace": "n"},
        "spec": {
            "groups": [
                {
                    "name": "g",
                    "partial_response_strategy": "Warn",
                    "rules": [{"alert": "A", "expr": "up == 0"}],
                }
            ]
        },
    }
    assert list(validate_object(rule, store)) == []
    rule["spec"]["groups"][0]["partial_response_strategy"] = "sometimes"  # type: ignore[index]
    found = [str(p) for p in validate_object(rule, store)]
    assert len(found) == 1
    assert found[0].startswith(
        "PrometheusRule n/r: spec.groups[0].partial_response_strategy: 'sometimes' does not match"
    )


def test_func_yaml_with_an_unquoted_created_date_validates(schema_store: SchemaStore) -> None:
    store = schema_store
    doc = yaml.safe_load(
        "specVersion: 0.36.0\nname: demo\nruntime: python\ncreated: 2026-01-02T03:04:05Z\n"
    )
    assert isinstance(doc["created"], datetime.datetime)
    assert as_text_dates(doc)["created"] == "2026-01-02T03:04:05Z"
    assert validate_func_yaml(Path("func.yaml"), doc, store) == []
    doc["name"] = "Bad_Name"
    found = [str(p) for p in validate_func_yaml(Path("func.yaml"), doc, store)]
    assert len(found) == 1
    assert found[0].startswith("func.yaml func.yaml: name: 'Bad_Name' does not match")


def test_dashboard_stages_are_the_stages_metrics_documents() -> None:
    documentation = Metrics().stage_latency._documentation
    for stage in PIPELINE_STAGES:
        assert stage in documentation


def test_patch_without_namespace_matches_by_the_namespace_written_in_the_file(
    tmp_path: Path,
) -> None:
    """As kustomize: the overlay's namespace does not count, the one in the file does."""
    (tmp_path / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: x\n"
    )
    patch = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n{ns}data:\n  k: v\n"
    kustomization = {"namespace": "x", "resources": ["cm.yaml"], "patches": [{"patch": ""}]}
    kustomization["patches"][0]["patch"] = patch.format(ns="")  # type: ignore[index]
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
    with pytest.raises(InvalidRequest, match="matches no object"):
        build(tmp_path)
    kustomization["patches"][0]["patch"] = patch.format(ns="  namespace: x\n")  # type: ignore[index]
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
    assert build(tmp_path)[0]["data"] == {"k": "v"}


def test_event_types_come_from_the_catalog_else_from_a_list(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest, match="no event catalog"):
        load_event_types(tmp_path)
    (tmp_path / "eventing").mkdir()
    (tmp_path / "eventing" / "event-types.yaml").write_text("eventTypes: [a.b.v1]\n")
    assert load_event_types(tmp_path) == {"a.b.v1"}
    (tmp_path / "eventing" / "catalog").mkdir()
    (tmp_path / "eventing" / "catalog" / "x.json").write_text('{"x-cloudevent-type": "c.d.v1"}')
    (tmp_path / "eventing" / "catalog" / "e.f.v1.json").write_text("{}")
    assert load_event_types(tmp_path) == {"c.d.v1", "e.f.v1"}


def test_the_repository_catalog_lists_the_five_event_types(repo_root: Path) -> None:
    assert load_event_types(repo_root) == {
        "dev.smartops.alert.firing.v1",
        "dev.smartops.alert.resolved.v1",
        "dev.smartops.docs.changed.v1",
        "dev.smartops.reindex.scheduled.v1",
        "dev.smartops.reindex.completed.v1",
    }
