"""The README's commands, run as written against an embedded stack this test starts.

A fenced block right after the line ``<!-- readme-test -->`` is run: ``bash`` blocks with
``bash -euo pipefail`` from the repository root, ``python`` blocks with the project's
interpreter. Each must exit 0 and print what the README promises (``CHECKS``: the answer
is about the alert and cites its sources, ``--json`` has its keys). The stack is what the
README's ``make run KNOWLEDGE="docs ../shared/corpus"`` starts (the folders read from
that line), on a free loopback port in a temporary data dir; the only change made to a
block is the gateway address: ``127.0.0.1:8000`` becomes that port. The test corpus must
lie beside the checkout, as the README says (under ``CI=true`` its absence fails).
Every ``smartops`` command of the README's command table must also exist (``--help``).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.services import require, require_binary, stack_process

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
CORPUS = ROOT.parent / "shared" / "corpus"
MARK = "<!-- readme-test -->"
ADDRESS = "127.0.0.1:8000"
RUNNERS = ("bash", "python")


@dataclass(frozen=True)
class Snippet:
    lang: str
    code: str
    line: int


def snippets(text: str) -> list[Snippet]:
    """The marked blocks of a markdown text, in order."""
    lines = text.splitlines()
    found: list[Snippet] = []
    for i, line in enumerate(lines):
        if line.strip() != MARK:
            continue
        fence = lines[i + 1].strip() if i + 1 < len(lines) else ""
        lang = fence.removeprefix("```").split(" ")[0]
        if not fence.startswith("```") or lang not in RUNNERS:
            raise AssertionError(f"README.md:{i + 1}: {MARK} must precede a bash/python block")
        end = next(j for j in range(i + 2, len(lines)) if lines[j].strip() == "```")
        found.append(Snippet(lang, "\n".join(lines[i + 2 : end]), i + 2))
    return found


def table_commands(text: str) -> list[list[str]]:
    """``smartops SUB [SUB]`` of every line of the README's command-line block."""
    block = text.split("The command line:", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands: list[list[str]] = []
    for line in block.splitlines():
        usage = line.split("#", 1)[0]
        for part in usage.split(" / "):
            words = part.split()
            if not words or words[0] != "smartops":
                continue
            head = [w for w in words[1:3] if re.fullmatch(r"[a-z][a-z|-]*", w)]
            for choice in head[1].split("|") if len(head) == 2 else [""]:
                commands.append([head[0], choice] if choice else head[:1])
    return commands


def test_marked_blocks_are_found_and_runnable_kinds() -> None:
    text = README.read_text()
    found = snippets(text)
    assert {s.lang for s in found} == {"bash", "python"}, found
    assert any("smartops ingest" in s.code for s in found)
    sample = f"x\n{MARK}\n```bash\necho hi\n```\n"
    assert snippets(sample) == [Snippet("bash", "echo hi", 3)]
    with pytest.raises(AssertionError):
        snippets(f"{MARK}\n```yaml\na: 1\n```\n")


def test_every_command_of_the_table_exists() -> None:
    commands = table_commands(README.read_text())
    assert ["eval", "retrieval"] in commands and ["bench", "cache"] in commands
    assert ["up"] in commands and ["ingest"] in commands
    for command in commands:
        result = subprocess.run(
            [sys.executable, "-m", "smartops.cli", *command, "--help"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, (command, result.stderr[-2000:])


def knowledge_paths(text: str) -> list[str]:
    """The folders the README's ``make run KNOWLEDGE="..."`` example indexes."""
    found = re.search(r'make run KNOWLEDGE="([^"]+)"', text)
    assert found, "README.md: no make run KNOWLEDGE=... example"
    return found.group(1).split()


# What each marked block must print, by a phrase of its code: the README's promises.
def _check_python(out: str) -> None:
    assert "CrashLoopBackOff" in out, out[-2000:]  # the answer is about the alert
    assert "KubePodCrashLooping" in out and "Sources" in out, out[-2000:]


def _check_bash(out: str) -> None:
    policy, *_ = out.split("\n\n", 1)
    assert "SMARTOPS_ACTIONS_POLICY_FILE" in out and "docs/actions.md" in out, policy
    assert re.search(r"chunks?", out), out[-2000:]  # ingest reports what it indexed
    assert "KubePodCrashLooping" in out, out[-2000:]  # search finds the runbook
    answer = json.loads(out.strip().splitlines()[-1])
    assert {"answer", "sources", "timings_ms", "request_id"} <= set(answer), answer
    assert answer["sources"] and "CrashLoopBackOff" in answer["answer"], answer


CHECKS = {"client.chat.completions.create": _check_python, "smartops ingest": _check_bash}


def test_each_marked_block_has_its_checks() -> None:
    found = snippets(README.read_text())
    assert all(sum(marker in s.code for marker in CHECKS) == 1 for s in found), found
    assert knowledge_paths(README.read_text())[0] == "docs"


@pytest.mark.integration
def test_the_readme_runs_as_written(tmp_path: Path) -> None:
    require_binary("redis-server")
    text = README.read_text()
    paths = knowledge_paths(text)
    missing = [p for p in paths if not (ROOT / p).is_dir()]
    # The corpus lies beside the checkout in CI, as the README says.
    require(not missing, f"{missing} not beside this checkout (the README's example corpus)")
    data = tmp_path / "data"
    data.mkdir()
    # What `make run KNOWLEDGE="docs ../shared/corpus"` starts, from the repository root.
    env = {"SMARTOPS_KNOWLEDGE_PATHS": ",".join(str(ROOT / p) for p in paths)}
    with stack_process(data, env, timeout_s=900) as (url, child):
        assert "knowledge: " in child.tail(4000)  # indexed before READY
        address = url.removeprefix("http://").removesuffix("/v1")
        run_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("SMARTOPS_")},
            "SMARTOPS_DATA_DIR": str(data),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        for snippet in snippets(text):
            out = _run(snippet, address, run_env)
            check = next(c for marker, c in CHECKS.items() if marker in snippet.code)
            check(out)


def _run(snippet: Snippet, address: str, env: dict[str, str]) -> str:
    code = snippet.code.replace(ADDRESS, address)
    argv = (
        ["bash", "-euo", "pipefail", "-c", code]
        if snippet.lang == "bash"
        else [sys.executable, "-c", code]
    )
    result = subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    where = f"README.md:{snippet.line} {shlex.quote(code[:60])}"
    assert result.returncode == 0, f"{where}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    assert result.stdout.strip(), f"{where} printed nothing"
    return result.stdout
