"""The cache function built as func's host builder would, served by func-python."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from redis import Redis

from smartops.eventing import envelope
from smartops.eventing.models import DOCS_CHANGED
from tests.support import funcbuild

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_cache_function_builds_and_serves_lookups_stores_and_events(
    repo_root: Path, redis_url: str, docs_dir: Path, tmp_path: Path
) -> None:
    url = redis_url.rsplit("/", 1)[0] + "/3"  # a database of its own, emptied around the test
    Redis.from_url(url).flushdb()
    try:
        check_function(repo_root, url, docs_dir, tmp_path)
    finally:
        Redis.from_url(url).flushdb()


def check_function(repo_root: Path, redis_url: str, docs_dir: Path, tmp_path: Path) -> None:
    scaffold = funcbuild.build(
        repo_root / "functions" / "cache",
        repo_root / "core",
        tmp_path,
        preinstall=("torch==2.13.0",),
    )
    env = {
        "SMARTOPS_REDIS_URL": redis_url,
        "SMARTOPS_CAG_PATHS": str(docs_dir),
        "HF_HUB_OFFLINE": "1",
    }
    with (
        funcbuild.serve(scaffold, env, tmp_path / "function.log") as url,
        httpx.Client(base_url=url, timeout=60) as http,
    ):
        found = http.post("/lookup", json={"scope": "s", "question": "KubePodCrashLooping?"})
        assert found.status_code == 200, found.text
        docs = found.json()["docs"]
        assert docs["how"] == "key" and docs["confident"]
        stored = http.post(
            "/store",
            json={"scope": "s", "question": "What is a PDB?", "answer": "A disruption budget."},
        )
        assert stored.status_code == 200
        hit = http.post("/lookup", json={"scope": "s", "question": "what is a pdb"}).json()
        assert hit["how"] == "exact" and hit["answer"]["answer"] == "A disruption budget."
        bad = http.post("/lookup", json={"scope": "", "question": 3})
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_request"
        event = envelope.CloudEvent(
            type=DOCS_CHANGED, source="test", id="e-1", data={"paths": [str(docs_dir)]}
        )
        headers, body = envelope.to_binary(event)
        reloaded = http.post("/", headers=headers, content=body)
        assert reloaded.status_code == 200, reloaded.text
        assert reloaded.json()["files"] == 3 and reloaded.json()["embedded"] == 0
        kept = http.post("/lookup", json={"scope": "s", "question": "what is a pdb"}).json()
        # Nothing in the docs changed (0 re-embedded): the generation, and the answer, stay.
        assert kept["answer"] is not None and kept["answer"]["answer"] == "A disruption budget."
