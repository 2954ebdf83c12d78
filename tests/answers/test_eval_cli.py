"""``smartops eval answers`` against a stand-in gateway on a free loopback port."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from smartops.cli.answers import answers
from smartops.stack.procs import free_port, port_open
from tests.answers.conftest import REPO

QUESTIONS = [
    {"id": "a", "question": "When does KubePodCrashLooping fire?", "split": "dev",
     "all_of": [["15m", "15 minutes"], ["warning"]], "sources": ["KubePodCrashLooping.md"]},
    {"id": "b", "question": "How severe is KubePodCrashLooping?", "split": "heldout",
     "all_of": [["critical"]], "sources": ["KubePodNotReady.md"]},
    {"id": "c", "question": "How do I store Terraform state?", "split": "heldout",
     "all_of": [], "abstain": True},
]  # fmt: skip


@pytest.fixture
def gateway() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.answers.stub_gateway", str(port)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        deadline = time.monotonic() + 20
        while not port_open("127.0.0.1", port):
            assert proc.poll() is None and time.monotonic() < deadline, "stub did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


def test_figures_per_split_and_mode(gateway: str, tmp_path: Path) -> None:
    file = tmp_path / "answers.jsonl"
    file.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS))
    result = CliRunner().invoke(
        answers, [str(file), "--url", gateway, "--mode", "extract", "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    dev, heldout = out["figures"]["extract"]["dev"], out["figures"]["extract"]["heldout"]
    assert dev["key_fact_accuracy"] == 1.0 and dev["citation_accuracy"] == 1.0
    assert heldout["key_fact_accuracy"] == 0.0 and heldout["citation_accuracy"] == 0.0
    assert heldout["abstention_rate"] == 1.0
    assert dev["first_token_ms"]["p50"] > 0
    assert dev["answer_ms"]["p50"] >= dev["first_token_ms"]["p50"]
    assert [a["abstained"] for a in out["answers"]["extract"]] == [False, False, True]
    assert "(mode: extract)" in out["answers"]["extract"][0]["answer"]


def test_plain_output_prints_one_line_per_split(gateway: str, tmp_path: Path) -> None:
    file = tmp_path / "answers.jsonl"
    file.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS))
    result = CliRunner().invoke(answers, [str(file), "--url", gateway, "--split", "dev"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert [line.split()[:2] for line in lines] == [["gateway", "dev"], ["gateway", "all"]]
    assert "key facts 100.0%" in lines[0] and "first token p50/p95" in lines[0]
