"""`smartops up` with nothing configured, and `smartops ask --json`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from smartops.stack.components import EMBEDDED_LLM_REQUEST_ID_HEADER
from tests.support.services import require_binary, stack_process

pytestmark = pytest.mark.integration


def _child_pids(log: str) -> dict[str, int]:
    """The pids of the components the stack logged as started."""
    pids = {}
    for line in log.splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("msg") == "started":
                pids[entry["component"]] = entry["pid"]
    return pids


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_up_with_zero_configuration_starts_and_stops_everything(tmp_path: Path) -> None:
    require_binary("redis-server")
    with stack_process(tmp_path, {}) as (url, child):
        assert httpx.get(url.removesuffix("/v1") + "/readyz", timeout=5).status_code == 200
        reply = httpx.post(
            f"{url}/chat/completions",
            timeout=60,
            json={
                "model": "smartops",
                "max_tokens": 12,
                "messages": [{"role": "user", "content": "Say hi"}],
            },
        )
        assert reply.status_code == 200
        pids = _child_pids(child.tail(400))
        assert set(pids) == {"redis", "llm"}
        assert all(_alive(pid) for pid in pids.values())
        assert child.process is not None
        child.process.send_signal(signal.SIGINT)
        child.process.wait(timeout=30)
        assert child.process.returncode == 0
    assert not any(_alive(pid) for pid in pids.values())
    assert (tmp_path / "redis").is_dir() and (tmp_path / "logs" / "llm.log").is_file()


def test_ask_prints_answer_sources_timings_and_request_id(
    llm_url: str, redis_url: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "SMARTOPS_LLM_BASE_URL": llm_url,
        "SMARTOPS_REDIS_URL": redis_url,
        "SMARTOPS_DATA_DIR": str(tmp_path),
        "SMARTOPS_LLM_REQUEST_ID_HEADER": EMBEDDED_LLM_REQUEST_ID_HEADER,
        "SMARTOPS_KNOWLEDGE_ENABLED": "false",  # the generated path (see below)
        "SMARTOPS_CACHE_ENABLED": "false",
    }
    result = subprocess.run(
        [sys.executable, "-m", "smartops.cli", "ask", "What is a pod?", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert set(output) == {"answer", "route", "sources", "timings_ms", "request_id"}
    assert output["answer"].strip()
    assert isinstance(output["sources"], list)
    assert output["timings_ms"]["llm_total"] > 0
    assert len(output["request_id"]) == 32


def test_ask_reports_a_down_llm_as_an_error(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SMARTOPS_LLM_BASE_URL": "http://127.0.0.1:9/v1",
        "SMARTOPS_REDIS_URL": "redis://127.0.0.1:9/0",
        "SMARTOPS_DATA_DIR": str(tmp_path),
        "SMARTOPS_LLM_CONNECT_RETRIES": "0",
        # The LLM path alone: with knowledge on, an ungrounded question abstains first.
        "SMARTOPS_KNOWLEDGE_ENABLED": "false",
        "SMARTOPS_CACHE_ENABLED": "false",
    }
    result = subprocess.run(
        [sys.executable, "-m", "smartops.cli", "ask", "What is a pod?"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "cannot be reached" in result.stderr
    assert "Traceback" not in result.stderr
