"""A transformer entry point runs as a real KServe model server with KServe's flags."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

from smartops.stack.procs import Child, free_port, port_open

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def test_prompt_assembler_serves_v1_predict(tmp_path: Path) -> None:
    port = free_port()
    argv = [
        sys.executable,
        str(REPO / "transformers/prompt-assembler/model.py"),
        "--http_port",
        str(port),
        "--grpc_port",
        str(free_port()),
    ]
    child = Child("assembler", argv, tmp_path / "assembler.log")
    child.start()
    try:
        child.wait_ready(lambda: port_open("127.0.0.1", port), 60)
        base = f"http://127.0.0.1:{port}/v1/models/smartops-prompt-assembler"
        ready = httpx.get(base, timeout=5)
        assert ready.status_code == 200 and ready.json()["ready"] is True
        hit = {
            "source": "runbooks/X.md",
            "heading": "X > Meaning",
            "text": "x means y",
            "score": 0.5,
        }
        body = {"instances": [{"query": "what is x?", "hits": [hit]}]}
        answer = httpx.post(base + ":predict", json=body, timeout=10)
        assert answer.status_code == 200, answer.text
        request = answer.json()
        assert request["messages"][-1] == {"role": "user", "content": "what is x?"}
        assert "[1] runbooks/X.md — X > Meaning\nx means y" in request["messages"][0]["content"]
        bad = httpx.post(base + ":predict", json={"instances": "nope"}, timeout=10)
        assert bad.status_code == 400
    finally:
        child.stop()
