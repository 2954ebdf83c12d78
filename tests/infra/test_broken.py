"""A deliberately broken manifest fails the check, with a message naming object and field.

Each test breaks one thing in a temporary copy of the manifests and expects exactly one
new problem compared with the unbroken copy.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from smartops.cli import main
from smartops.deploy.validate import SchemaStore
from tests.infra.tree import copy_manifests, edit_yaml, problems, settings_for


@pytest.fixture
def tree(repo_root: Path, tmp_path: Path) -> Path:
    return copy_manifests(repo_root, tmp_path / "repo")


@pytest.fixture
def new_problems(
    tree: Path, repo_root: Path, schema_store: SchemaStore
) -> Callable[[Any], list[str]]:
    """Problems that breaking the copy adds to those it already had."""

    def run(breaks: Any) -> list[str]:
        settings = settings_for(repo_root)
        before = set(problems(tree, settings, schema_store))
        breaks(tree)
        return [p for p in problems(tree, settings, schema_store) if p not in before]

    return run


def _on(kind: str, name: str, change: Any) -> Any:
    def apply(doc: dict[str, Any]) -> None:
        if doc.get("kind") == kind and doc["metadata"]["name"] == name:
            change(doc)

    return apply


def test_misspelled_field_of_a_custom_resource(
    tree: Path, new_problems: Callable[[Any], list[str]]
) -> None:
    def breaks(root: Path) -> None:
        def typo(doc: dict[str, Any]) -> None:
            doc["spec"]["predictor"]["minReplica"] = doc["spec"]["predictor"].pop("minReplicas")

        edit_yaml(
            root / "infra/base/inference/llm.yaml", _on("InferenceService", "smartops-llm", typo)
        )

    assert new_problems(breaks) == [
        "InferenceService smartops/smartops-llm: spec.predictor.minReplica: unknown field; "
        "did you mean 'minReplicas'?"
    ]


def test_wrong_type_in_a_builtin_kind(tree: Path, new_problems: Callable[[Any], list[str]]) -> None:
    def breaks(root: Path) -> None:
        def bad(doc: dict[str, Any]) -> None:
            doc["spec"]["replicas"] = "one"

        edit_yaml(
            root / "infra/base/ui/open-webui.yaml", _on("Deployment", "smartops-open-webui", bad)
        )

    found = new_problems(breaks)
    assert len(found) == 1
    assert found[0].startswith("Deployment smartops/smartops-open-webui: spec.replicas: 'one'")


def test_misspelled_field_in_a_dev_patch(
    tree: Path, new_problems: Callable[[Any], list[str]]
) -> None:
    def breaks(root: Path) -> None:
        path = root / "infra/overlays/dev/small-resources.yaml"
        path.write_text(path.read_text().replace("          env:", "          evn:", 1))

    assert new_problems(breaks) == [
        "StatefulSet smartops/smartops-opensearch: spec.template.spec.containers[0].evn: "
        "unknown field; did you mean 'env'?"
    ]


def test_trigger_on_an_event_type_not_in_the_catalog(
    tree: Path, new_problems: Callable[[Any], list[str]]
) -> None:
    def breaks(root: Path) -> None:
        def bad(doc: dict[str, Any]) -> None:
            doc["spec"]["filter"]["attributes"]["type"] = "dev.smartops.docs.change.v1"

        edit_yaml(
            root / "eventing/triggers.yaml", _on("Trigger", "smartops-reindex-docs-changed", bad)
        )

    assert new_problems(breaks) == [
        "Trigger smartops/smartops-reindex-docs-changed: spec.filter.attributes.type: "
        "'dev.smartops.docs.change.v1' is not in the event catalog"
    ]


def test_trigger_to_a_subscriber_that_does_not_exist(
    tree: Path, new_problems: Callable[[Any], list[str]]
) -> None:
    def breaks(root: Path) -> None:
        def bad(doc: dict[str, Any]) -> None:
            doc["spec"]["subscriber"]["ref"]["name"] = "smartops-reindexer"

        edit_yaml(
            root / "eventing/triggers.yaml", _on("Trigger", "smartops-reindex-scheduled", bad)
        )

    assert new_problems(breaks) == [
        "Trigger smartops/smartops-reindex-scheduled: spec.subscriber.ref: Service "
        "'smartops-reindexer' (serving.knative.dev/v1) is neither in the manifests nor a func.yaml"
    ]


def test_graph_step_naming_a_missing_inference_service(
    tree: Path, new_problems: Callable[[Any], list[str]]
) -> None:
    graph = tree / "inferencegraph" / "knowledge.yaml"
    docs = [d for d in yaml.safe_load_all(graph.read_text()) if d]
    spec = next(d for d in docs if d["kind"] == "InferenceGraph")
    name = spec["metadata"]["name"]
    node, index = next(
        (node, i)
        for node, body in spec["spec"]["nodes"].items()
        for i, step in enumerate(body.get("steps") or [])
        if "serviceName" in step
    )

    def breaks(root: Path) -> None:
        def bad(doc: dict[str, Any]) -> None:
            doc["spec"]["nodes"][node]["steps"][index]["serviceName"] = "smartops-embeder"

        edit_yaml(graph, _on("InferenceGraph", name, bad))

    assert new_problems(breaks) == [
        f"InferenceGraph smartops/{name}: spec.nodes.{node}.steps[{index}].serviceName: "
        "no InferenceService named 'smartops-embeder'"
    ]


def test_unknown_setting_in_a_container(
    tree: Path, new_problems: Callable[[Any], list[str]]
) -> None:
    def breaks(root: Path) -> None:
        path = root / "infra/base/inference/transformers.yaml"
        path.write_text(
            path.read_text().replace("SMARTOPS_OPENSEARCH_URL", "SMARTOPS_OPENSERCH_URL")
        )

    found = new_problems(breaks)
    assert found == [
        "InferenceService smartops/smartops-retriever: spec.predictor.containers[0]"
        ".env[2].name: SMARTOPS_OPENSERCH_URL is not a smartops setting"
    ]


def test_alert_on_a_metric_smartops_does_not_expose(
    tree: Path, new_problems: Callable[[Any], list[str]]
) -> None:
    def breaks(root: Path) -> None:
        path = root / "infra/base/monitoring/rules.yaml"
        path.write_text(
            path.read_text().replace(
                "rate(smartops_degraded_answers_total[10m])", "rate(smartops_degraded_total[10m])"
            )
        )

    assert new_problems(breaks) == [
        "PrometheusRule smartops/smartops-slo: spec.groups[smartops-slo.alerts]"
        ".rules[SmartopsAnswersDegraded].expr: metric smartops_degraded_total is not exposed "
        "by smartops"
    ]


def test_unknown_kserve_annotation_value(
    tree: Path, new_problems: Callable[[Any], list[str]]
) -> None:
    def breaks(root: Path) -> None:
        path = root / "infra/base/inference/llm.yaml"
        path.write_text(path.read_text().replace("deploymentMode: Standard", "deploymentMode: Raw"))

    assert new_problems(breaks) == [
        "InferenceService smartops/smartops-llm: metadata.annotations"
        "[serving.kserve.io/deploymentMode]: 'Raw' is not one of ['Knative', 'Standard']"
    ]


def test_cli_exits_1_and_names_object_and_field(tree: Path, repo_root: Path) -> None:
    path = tree / "infra/base/data/redis.yaml"
    path.write_text(path.read_text().replace("serviceName: smartops-redis", "serviceNam: x"))
    result = CliRunner().invoke(
        main,
        ["manifests", "check", "--overlay", "dev", "--renderer", "python", "--root", str(tree)],
        env={"SMARTOPS_MANIFESTS_SCHEMAS_DIR": str(settings_for(repo_root).manifests.schemas_dir)},
    )
    assert result.exit_code == 1
    assert "StatefulSet smartops/smartops-redis: spec.serviceNam: unknown field" in result.output
