"""``scripts/build-progress``: the native build's progress as a few lines, errors in full."""

from __future__ import annotations

import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build-progress"


def _run(log: str) -> str:
    done = subprocess.run(
        ["bash", str(SCRIPT)], input=log, capture_output=True, text=True, timeout=30, check=True
    )
    return done.stdout


def test_ninja_counters_become_percent_lines() -> None:
    log = "".join(f"  [{i}/8] Building CXX object src/f{i}.o\n" for i in range(1, 9))
    out = _run("-- Configuring done\n" + log + "Saved ./wheels/llama.whl\n")
    assert out.splitlines() == [
        *(f"  llama.cpp build {i * 100 // 8:3d}% ({i}/8)" for i in range(1, 9)),
        "  Saved ./wheels/llama.whl",
    ]


def test_cmake_percentages_still_count_and_repeats_are_dropped() -> None:
    out = _run("[  5%] Building C object a.o\n[  5%] Building C object b.o\n[ 10%] Linking\n")
    assert out.splitlines() == ["  llama.cpp build   5%", "  llama.cpp build  10%"]


def test_an_error_shows_the_end_of_the_log() -> None:
    out = _run("[1/3] Building a.o\nerror: undefined reference to `ggml_init'\n")
    assert "llama.cpp build  33% (1/3)" in out and "undefined reference" in out


def test_chatter_alone_prints_nothing() -> None:
    assert _run("Collecting llama-cpp-python\n  Running command cmake\n") == ""


STEP = SCRIPT.parent / "step"


def _step(tmp_path: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(STEP), "PyTorch (CPU)", *command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_setup_step_prints_its_name_and_duration_not_its_chatter(tmp_path: Path) -> None:
    done = _step(tmp_path, "bash", "-c", "echo 'UserWarning: noisy'; echo WARNING: pip >&2")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "PyTorch (CPU) ..." and lines[-1].startswith("  done in ")
    assert "noisy" not in done.stdout + done.stderr and "WARNING" not in done.stdout
    log = tmp_path / ".smartops" / "setup" / "PyTorch--CPU-.log"
    assert "UserWarning: noisy" in log.read_text()  # kept, not lost


def test_a_failing_step_shows_the_end_of_its_log_and_fails(tmp_path: Path) -> None:
    done = _step(tmp_path, "bash", "-c", "echo 'ERROR: No matching distribution'; exit 3")
    assert done.returncode == 3
    assert "PyTorch (CPU) failed after" in done.stdout and "(exit 3)" in done.stdout
    assert "ERROR: No matching distribution" in done.stdout
