"""Child processes of the embedded stack: start, wait until ready, stop by PID."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from smartops.errors import UpstreamUnavailable

log = logging.getLogger(__name__)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def port_open(host: str, port: int, timeout_s: float = 0.2) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


@dataclass
class Child:
    """One child process with its log file."""

    name: str
    argv: Sequence[str]
    log_path: Path
    env: dict[str, str] | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as out:
            self.process = subprocess.Popen(
                list(self.argv),
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self.env,
                start_new_session=True,
            )
        log.info("started", extra={"component": self.name, "pid": self.process.pid})

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_ready(self, probe: Callable[[], bool], timeout_s: float) -> None:
        """Poll ``probe`` until it is true; fail early if the process exits."""
        deadline = time.monotonic() + timeout_s
        delay = 0.02
        while time.monotonic() < deadline:
            if not self.running():
                raise UpstreamUnavailable(
                    f"{self.name} exited during startup; see {self.log_path}:\n{self.tail()}"
                )
            if probe():
                log.info("ready", extra={"component": self.name, "pid": self.pid})
                return
            time.sleep(delay)
            delay = min(delay * 1.5, 0.25)
        self.stop()
        raise UpstreamUnavailable(
            f"{self.name} was not ready after {timeout_s:.0f} s; see {self.log_path}"
        )

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, grace_s: float = 5.0) -> None:
        """SIGTERM the process group, then SIGKILL after ``grace_s``."""
        if not self.running():
            return
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=grace_s)
        log.info("stopped", extra={"component": self.name, "pid": self.process.pid})


@dataclass
class Supervisor:
    """The children of one stack; stops them all, in reverse order of start."""

    children: list[Child] = field(default_factory=list)

    def start(self, child: Child, probe: Callable[[], bool], timeout_s: float) -> Child:
        self.children.append(child)
        child.start()
        child.wait_ready(probe, timeout_s)
        return child

    def stop_all(self) -> None:
        for child in reversed(self.children):
            try:
                child.stop()
            except Exception:
                log.exception("could not stop child", extra={"component": child.name})
        self.children.clear()
