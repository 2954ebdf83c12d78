"""``smartops up`` as a child process in its own process group, on free ports.

Each stack gets a temporary data dir; its processes are read from ``stack.json``.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from smartops.stack.lock import StackState
from smartops.stack.procs import Child
from tests.support.services import require_binary

STARTUP_S = 180


def alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def stream_field(client: redis.Redis, stream: str, name: bytes) -> list[bytes]:
    """One field of every entry of a Redis stream, oldest first."""
    entries: Any = client.xrange(stream)
    return [fields[name] for _, fields in entries]


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout_s} s: {what}")


@dataclass
class Stack:
    child: Child
    data_dir: Path

    @property
    def state(self) -> StackState:
        state = StackState.read(self.data_dir)
        assert state is not None, f"no stack.json in {self.data_dir}"
        return state

    @property
    def url(self) -> str:
        return self.state.url

    @property
    def root(self) -> str:
        return self.url.removesuffix("/v1")

    def pid(self, name: str) -> int:
        return self.state.children[name].pid

    def chat(self, question: str, max_tokens: int = 32) -> tuple[str, str | None]:
        """One streamed answer: (text, finish_reason)."""
        body = {
            "model": "smartops",
            "stream": True,
            "max_tokens": max_tokens,
            "messages": [{"role": "user", "content": question}],
        }
        text, finish = "", None
        with httpx.stream("POST", f"{self.url}/chat/completions", json=body, timeout=300) as r:
            assert r.status_code == 200, r.read()
            for line in r.iter_lines():
                if not line.startswith("data: {"):
                    continue
                chunk = json.loads(line[6:])
                assert "error" not in chunk, chunk
                for choice in chunk.get("choices") or []:
                    text += (choice.get("delta") or {}).get("content") or ""
                    finish = choice.get("finish_reason") or finish
        return text, finish

    def kill_group(self) -> None:
        assert self.child.pid is not None
        os.killpg(self.child.pid, signal.SIGKILL)  # the stack runs in its own group


def start_stack(data_dir: Path, log_name: str = "", extra: dict[str, str] | None = None) -> Child:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTOPS_")}
    env["SMARTOPS_DATA_DIR"] = str(data_dir)
    env.update(extra or {})
    child = Child(
        "stack",
        [sys.executable, "-m", "smartops.cli", "up", "--port", "0"],
        data_dir.parent / f"{data_dir.name}-{log_name or time.monotonic_ns()}.log",
        env=env,
    )
    child.start()
    return child


def _ready(child: Child, data_dir: Path) -> bool:
    if "READY " not in child.tail(400):
        return False
    state = StackState.read(data_dir)
    return state is not None and state.pid == child.pid and bool(state.url)


@contextmanager
def running_stack(data_dir: Path, env: dict[str, str] | None = None) -> Iterator[Stack]:
    require_binary("redis-server")
    child = start_stack(data_dir, extra=env)
    try:
        child.wait_ready(lambda: _ready(child, data_dir), STARTUP_S)
        yield Stack(child, data_dir)
    finally:
        child.stop()


@pytest.fixture
def stack_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"
