"""Start real servers for tests (redis-server, llama.cpp, the gateway) and stop them.

A component that truly cannot run here is skipped with the reason, except in CI
(``CI=true``), where a missing required service is a failure.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from smartops.config import Settings
from smartops.stack.components import start_llm, start_redis
from smartops.stack.procs import Child, Supervisor, free_port, port_open


def require(condition: bool, reason: str) -> None:
    """Skip when a real component is missing; fail instead when running in CI."""
    if condition:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def require_binary(name: str) -> str:
    path = shutil.which(name)
    require(path is not None, f"{name} is not installed (make setup installs it)")
    assert path is not None
    return path


@contextmanager
def redis_server(data_dir: Path) -> Iterator[str]:
    require_binary("redis-server")
    supervisor = Supervisor()
    try:
        yield start_redis(Settings(data_dir=data_dir), supervisor)
    finally:
        supervisor.stop_all()


@contextmanager
def llm_server(data_dir: Path) -> Iterator[str]:
    supervisor = Supervisor()
    try:
        yield start_llm(Settings(data_dir=data_dir, llm_embedded_threads=2), supervisor)
    finally:
        supervisor.stop_all()


@contextmanager
def stack_process(
    data_dir: Path, env: dict[str, str], timeout_s: float = 180
) -> Iterator[tuple[str, Child]]:
    """``smartops up`` as a child process; yields its /v1 URL once it printed READY."""
    port = free_port()
    full_env = {**os.environ, "SMARTOPS_DATA_DIR": str(data_dir), **env}
    full_env.pop("SMARTOPS_API_KEY", None) if "SMARTOPS_API_KEY" not in env else None
    child = Child(
        "stack",
        [sys.executable, "-m", "smartops.cli", "up", "--port", str(port)],
        data_dir / "stack.log",
        env=full_env,
    )
    child.start()
    try:
        child.wait_ready(lambda: port_open("127.0.0.1", port) and _ready_line(child), timeout_s)
        yield f"http://127.0.0.1:{port}/v1", child
    finally:
        child.stop()


def _ready_line(child: Child) -> bool:
    return any(line.startswith("READY ") for line in child.tail(400).splitlines())
