"""Build a function the way func's host builder does, and serve it with func-python.

func builds a Python function from the folder holding its ``func.yaml``: it writes a
scaffold project (``service``) that depends on ``func-python`` and on the function
project (named ``function``) by path, installs it into a fresh environment, and runs
``func_python.http.serve(new)``. These helpers do exactly that on loopback.

The gateway's build context is the repository root, whose project reaches the core
library as ``smartops @ {root:uri}/core``. A function under ``functions/`` only has
its own folder as build context: the core library reaches it as a wheel under
``wheels/``, which ``make function-wheels`` builds (here: into a copy of the folder).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from smartops.stack.procs import Child, free_port

FUNC_PYTHON = "func-python==0.8.1"
SCAFFOLD_PYPROJECT = """\
[project]
name = "service"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["{func_python}", "function @ {function_uri}"]

[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[tool.hatch.metadata]
allow-direct-references = true

[tool.hatch.build.targets.wheel]
packages = ["service"]
"""
SCAFFOLD_MAIN = """\
from func_python.http import serve

from function import new

if __name__ == "__main__":
    serve(new)
"""


def _run(argv: list[str], cwd: Path | None = None) -> None:
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )


# Never part of a build: environments, caches, VCS data, test output.
IGNORED = shutil.ignore_patterns(
    "wheels",
    "__pycache__",
    ".venv*",
    ".git",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".smartops",
    "test-artifacts",
    "*.egg-info",
    "build",
    "dist",
)


def prepare_context(function_dir: Path, core_dir: Path, work: Path) -> Path:
    """The build context func would see: a copy of the function folder (a fresh path, so
    pip never reuses a wheel it built from an earlier state of it), plus the core wheel."""
    context = work / "context"
    shutil.copytree(function_dir, context, ignore=IGNORED)
    if "{root:uri}/wheels/" not in (function_dir / "pyproject.toml").read_text():
        return context
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(context / "wheels"),
            str(core_dir),
        ]
    )
    return context


def build(function_dir: Path, core_dir: Path, work: Path, preinstall: tuple[str, ...] = ()) -> Path:
    """Scaffold + fresh venv + install; returns the scaffold folder (holding ``.venv``).

    ``preinstall`` goes in first: a function that needs PyTorch gets the CPU build
    pinned before anything can ask for the default (CUDA) one.
    """
    context = prepare_context(function_dir, core_dir, work)
    scaffold = work / "scaffold"
    (scaffold / "service").mkdir(parents=True)
    (scaffold / "pyproject.toml").write_text(
        SCAFFOLD_PYPROJECT.format(func_python=FUNC_PYTHON, function_uri=context.as_uri())
    )
    (scaffold / "service" / "__init__.py").write_text("")
    (scaffold / "service" / "main.py").write_text(textwrap.dedent(SCAFFOLD_MAIN))
    _run([sys.executable, "-m", "venv", str(scaffold / ".venv")])
    pip = [str(scaffold / ".venv" / "bin" / "python"), "-m", "pip", "install", "-q"]
    if preinstall:
        _run([*pip, *preinstall])
    _run([*pip, *preinstall, str(scaffold)])
    return scaffold


@contextmanager
def serve(scaffold: Path, env: dict[str, str], log_path: Path) -> Iterator[str]:
    """Run the built function under func-python's middleware; yield its base URL."""
    port = free_port()
    full_env = {**os.environ, **env, "LISTEN_ADDRESS": f"127.0.0.1:{port}"}
    python = str(scaffold / ".venv" / "bin" / "python")
    # -I: isolated mode, so the installed packages are served, never the working tree
    child = Child("function", [python, "-I", "-m", "service.main"], log_path, env=full_env)
    child.start()
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return httpx.get(f"{url}/health/readiness", timeout=0.5).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        child.wait_ready(ready, 120)
        yield url
    finally:
        child.stop()
