"""Child processes of the embedded stack: start, wait until ready, supervise, stop by PID.

Every child dies with the stack: it asks the kernel for a signal when its parent dies
(``PR_SET_PDEATHSIG``), so even a ``kill -9`` of the stack leaves no server behind, and
the stack stops each child's whole process group when it exits normally. Each child runs
in its own session, so a Ctrl-C in the terminal reaches the stack alone, which then stops
the children in order. The :class:`Supervisor` restarts a child that crashes, with
exponential backoff, and logs every exit and restart.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from smartops.errors import UpstreamUnavailable

log = logging.getLogger(__name__)
_PR_SET_PDEATHSIG = 1
Probe = Callable[[], bool]


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


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """libc's ``prctl``, resolved once (never between fork and exec); None off Linux."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4
    prctl.restype = ctypes.c_int
    return prctl  # type: ignore[no-any-return]


def die_with_parent(death_signal: int) -> Callable[[], None]:
    """A ``preexec_fn`` that makes the child receive ``death_signal`` when we die.

    The kernel sends it when the *thread* that forked the child ends, so children are
    only ever started from threads that outlive them (the main thread, or the
    supervisor's monitor thread, which ends after the children are stopped).
    """
    prctl = _prctl()
    parent = os.getpid()

    def preexec() -> None:
        if prctl is not None:
            prctl(_PR_SET_PDEATHSIG, death_signal, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request took effect
            os.kill(os.getpid(), death_signal)

    return preexec


@dataclass
class Child:
    """One child process with its log file.

    ``death_signal`` is what the child receives if the stack dies without stopping it:
    SIGTERM for a server that must flush its data (Redis), SIGKILL otherwise.
    ``pass_fds`` are inherited (the data dir lock: it is held until every child is gone).
    """

    name: str
    argv: Sequence[str]
    log_path: Path
    env: dict[str, str] | None = None
    death_signal: int = signal.SIGKILL
    pass_fds: tuple[int, ...] = ()
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)
    stopped: bool = field(default=False, init=False)  # stopped on purpose: no restart

    def start(self) -> None:
        self.stopped = False
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as out:
            # preexec_fn only calls prctl, resolved before the fork (see die_with_parent).
            self.process = subprocess.Popen(
                list(self.argv),
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self.env,
                start_new_session=True,
                pass_fds=self.pass_fds,
                preexec_fn=die_with_parent(self.death_signal),
            )
        log.info("started", extra={"component": self.name, "pid": self.process.pid})

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def returncode(self) -> int | None:
        return self.process.poll() if self.process else None

    def wait_ready(
        self, probe: Probe, timeout_s: float, cancel: threading.Event | None = None
    ) -> None:
        """Poll ``probe`` until it is true; fail early if the process exits."""
        deadline = time.monotonic() + timeout_s
        delay = 0.02
        while time.monotonic() < deadline:
            if cancel is not None and cancel.is_set():
                raise UpstreamUnavailable(f"{self.name}: startup cancelled, the stack stops.")
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
        self.stopped = True
        if self.process is None:
            return
        if self.process.poll() is not None:
            _kill_group(self.process.pid, signal.SIGKILL)  # anything it left in its group
            return
        _kill_group(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            _kill_group(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=grace_s)
        _kill_group(self.process.pid, signal.SIGKILL)
        log.info("stopped", extra={"component": self.name, "pid": self.process.pid})


def _kill_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


@dataclass(frozen=True)
class RestartPolicy:
    """Backoff between restarts: ``base_delay_s * 2**n``, capped; reset once stable."""

    base_delay_s: float = 0.5
    max_delay_s: float = 30.0
    stable_after_s: float = 60.0
    poll_s: float = 0.2

    def delay(self, failures: int) -> float:
        return float(min(self.base_delay_s * 2 ** max(failures - 1, 0), self.max_delay_s))


@dataclass
class _Supervised:
    child: Child
    probe: Probe
    timeout_s: float
    restart: bool
    started_at: float = 0.0
    failures: int = 0
    restarts: int = 0
    restart_at: float | None = None


@dataclass
class Supervisor:
    """The children of one stack: restarts them when they crash; stops them all, in
    reverse order of start. ``on_restart`` is called after each successful restart."""

    policy: RestartPolicy = field(default_factory=RestartPolicy)
    on_restart: Callable[[Child], None] | None = None
    children: list[Child] = field(default_factory=list)
    _entries: list[_Supervised] = field(default_factory=list, init=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, init=False)
    _stopping: threading.Event = field(default_factory=threading.Event, init=False)
    _monitor: threading.Thread | None = field(default=None, init=False)

    def start(self, child: Child, probe: Probe, timeout_s: float, restart: bool = False) -> Child:
        """Start ``child`` and wait until ``probe`` holds; with ``restart``, supervise it:
        restarted when it exits unless it was stopped on purpose (``Child.stop``)."""
        entry = _Supervised(child, probe, timeout_s, restart)
        with self._lock:
            self.children.append(child)
            self._entries.append(entry)
            child.start()
        child.wait_ready(probe, timeout_s, self._stopping)
        entry.started_at = time.monotonic()
        if restart and self._monitor is None:
            self._monitor = threading.Thread(target=self._watch, name="supervisor", daemon=True)
            self._monitor.start()
        return child

    def get(self, name: str) -> Child | None:
        return next((c for c in self.children if c.name == name), None)

    def healthy(self, name: str) -> bool:
        """The child runs and is not waiting for a restart."""
        entry = next((e for e in self._entries if e.child.name == name), None)
        return entry is not None and entry.restart_at is None and entry.child.running()

    def restarts(self, name: str) -> int:
        return sum(e.restarts for e in self._entries if e.child.name == name)

    def stop_all(self) -> None:
        self._stopping.set()
        with self._lock:
            for child in reversed(self.children):
                try:
                    child.stop()
                except Exception:
                    log.exception("could not stop child", extra={"component": child.name})
            self.children.clear()
            self._entries.clear()
        # The monitor thread ends only now: it started some children, and they receive
        # their death signal when it ends.
        if self._monitor is not None and self._monitor is not threading.current_thread():
            self._monitor.join(timeout=10)
        self._monitor = None

    def _watch(self) -> None:
        while not self._stopping.wait(self.policy.poll_s):
            for entry in list(self._entries):
                if self._stopping.is_set():
                    return
                self._check(entry)

    def _check(self, entry: _Supervised) -> None:
        now = time.monotonic()
        child = entry.child
        if entry.restart_at is None:
            if child.running() or child.stopped or not entry.restart:
                if now - entry.started_at > self.policy.stable_after_s:
                    entry.failures = 0
                return
            entry.failures += 1
            delay = self.policy.delay(entry.failures)
            entry.restart_at = now + delay
            log.warning(
                "child exited; restarting",
                extra={
                    "component": child.name,
                    "pid": child.pid,
                    "returncode": child.returncode(),
                    "delay_s": delay,
                    "failures": entry.failures,
                },
            )
            return
        if now >= entry.restart_at:
            self._restart(entry)

    def _restart(self, entry: _Supervised) -> None:
        child = entry.child
        with self._lock:
            if self._stopping.is_set():
                return
            child.stop()  # reap, and clear whatever it left in its process group
            child.start()
        try:
            child.wait_ready(entry.probe, entry.timeout_s, self._stopping)
        except UpstreamUnavailable as exc:
            entry.failures += 1
            entry.restart_at = time.monotonic() + self.policy.delay(entry.failures)
            log.error("restart failed", extra={"component": child.name, "error": exc.message})
            return
        entry.restart_at = None
        entry.started_at = time.monotonic()
        entry.restarts += 1
        log.warning(
            "child restarted",
            extra={"component": child.name, "pid": child.pid, "restarts": entry.restarts},
        )
        if self.on_restart is not None:
            self.on_restart(child)
