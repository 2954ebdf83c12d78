"""Both eventing functions built as func's host builder would, served by func-python.

A real Alertmanager webhook goes to the adapter, whose K_SINK is the reindex function:
the adapter fans it out into CloudEvents (binary mode), the reindex function decodes
them and writes the alert documents into Redis.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import redis

from tests.eventing.conftest import DATA, db_url
from tests.support import funcbuild

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_adapter_and_reindex_functions_build_and_carry_a_webhook_into_redis(
    repo_root: Path, redis_url: str, tmp_path: Path
) -> None:
    url = db_url(redis_url)
    store = redis.Redis.from_url(url, decode_responses=True)
    store.flushdb()
    functions = repo_root / "functions"
    reindex = funcbuild.build(
        functions / "reindex",
        repo_root / "core",
        tmp_path / "reindex",
        preinstall=("torch==2.13.0",),
    )
    adapter = funcbuild.build(functions / "alert-adapter", repo_root / "core", tmp_path / "adapter")
    reindex_env = {
        "SMARTOPS_REDIS_URL": url,
        "HF_HUB_OFFLINE": "1",
        "SMARTOPS_DATA_DIR": str(tmp_path / "data"),
        "SMARTOPS_EVENTING_ALERTS_INDEX": "false",
    }
    with (
        funcbuild.serve(reindex, reindex_env, tmp_path / "reindex.log") as reindex_url,
        funcbuild.serve(adapter, {"K_SINK": reindex_url}, tmp_path / "adapter.log") as a_url,
    ):
        body = (DATA / "webhook.json").read_bytes()
        sent = httpx.post(
            a_url, content=body, timeout=60, headers={"content-type": "application/json"}
        )
        assert sent.status_code == 202, sent.text
        assert [e["subject"] for e in sent.json()["events"]] == [
            "PaymentsHighErrorRate",
            "KubePodCrashLooping",
        ]
        docs = {k: json.loads(v) for k, v in store.hgetall("smartops:alerts").items()}  # type: ignore[union-attr]
        assert docs["3f1c2a9b8d7e6f50"]["status"] == "firing"
        assert docs["a0b1c2d3e4f50617"]["labels"]["namespace"] == "shop"
        again = httpx.post(
            a_url, content=body, timeout=60, headers={"content-type": "application/json"}
        )
        assert again.status_code == 202  # delivered again, deduplicated by the reindex function
        assert store.hlen("smartops:alerts") == 2
        bad = httpx.post(a_url, content=body[:100], timeout=10)
        assert bad.status_code == 400 and "not valid JSON" in bad.json()["error"]["message"]
        direct = httpx.post(
            reindex_url, content=b"{}", timeout=10, headers={"content-type": "application/json"}
        )
        assert direct.status_code == 400 and "Not a CloudEvent" in direct.text
        metrics = httpx.get(f"{reindex_url}/metrics", timeout=10).text
        assert 'smartops_events_total{outcome="duplicate"' in metrics
    store.flushdb()
    assert (
        '"msg": "function started", "function": "reindex"' in (tmp_path / "reindex.log").read_text()
    )
