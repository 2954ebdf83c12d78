"""The README's commands, run as written against an embedded stack this test starts.

A fenced block right after the line ``<!-- readme-test -->`` is run: ``bash`` blocks with
``bash -euo pipefail`` from the repository root, ``python`` blocks with the project's
interpreter. Each must exit 0 and print something. The stack is ``smartops up --knowledge
docs`` (what ``make run`` starts) on a free loopback port in a temporary data dir; the
only change made to a block is the gateway address: ``127.0.0.1:8000`` becomes that port.
The test corpus ``../shared/corpus`` must lie beside the checkout, as the README says.
Every ``smartops`` command of the README's command table must also exist (``--help``).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.services import require_binary, stack_process

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


@pytest.mark.integration
def test_the_readme_runs_as_written(tmp_path: Path) -> None:
    require_binary("redis-server")
    if not CORPUS.is_dir():
        pytest.skip("the test corpus ../shared/corpus is not beside this checkout")
    data = tmp_path / "data"
    data.mkdir()
    env = {"SMARTOPS_KNOWLEDGE_PATHS": "docs"}
    with stack_process(data, env) as (url, child):
        assert "knowledge: " in child.tail(4000)  # docs/ indexed before READY
        address = url.removeprefix("http://").removesuffix("/v1")
        run_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("SMARTOPS_")},
            "SMARTOPS_DATA_DIR": str(data),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        for snippet in snippets(README.read_text()):
            code = snippet.code.replace(ADDRESS, address)
            argv = (
                ["bash", "-euo", "pipefail", "-c", code]
                if snippet.lang == "bash"
                else [sys.executable, "-c", code]
            )
            result = subprocess.run(
                argv,
                cwd=ROOT,
                env=run_env,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            where = f"README.md:{snippet.line} {shlex.quote(code[:60])}"
            assert result.returncode == 0, (
                f"{where}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
            )
            assert result.stdout.strip(), f"{where} printed nothing"
