"""One stack per data dir: an exclusive lock file, and the state file beside it.

``DATA_DIR/stack.lock`` is held with ``flock`` by the stack and inherited by each of its
servers, so it stays held until the last of them is gone: a second stack on the same
data dir (which would run a second Redis over the same files) is refused, even while a
server of a killed stack is still shutting down. ``DATA_DIR/stack.json`` says which
processes the running stack is made of (for ``smartops bench concurrency`` and people).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType

from smartops.errors import InvalidRequest

LOCK_FILE = "stack.lock"
STATE_FILE = "stack.json"


class DataDirLock:
    """``flock(LOCK_EX)`` on ``DATA_DIR/stack.lock``; refuses when another stack holds it."""

    def __init__(self, data_dir: Path, wait_s: float = 5.0) -> None:
        self.path = data_dir / LOCK_FILE
        self.wait_s = wait_s
        self._fd: int | None = None

    @property
    def fd(self) -> int:
        if self._fd is None:
            raise RuntimeError("the data dir lock is not held")
        return self._fd

    def acquire(self) -> None:
        """Take the lock, waiting up to ``wait_s`` for a stopping stack to let it go."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        deadline = time.monotonic() + self.wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
                    os.close(fd)
                    message = _in_use(self.path.parent, holder)
                    raise InvalidRequest(message, code="data_dir_in_use") from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        os.close(self._fd)  # the children's copies, if any are left, keep it held
        self._fd = None

    def __enter__(self) -> DataDirLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def in_use(data_dir: Path) -> bool:
    """Whether a stack (or a server of one) holds the data dir's lock right now."""
    try:
        fd = os.open(data_dir / LOCK_FILE, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _in_use(data_dir: Path, holder: str) -> str:
    who = f" (pid {holder})" if holder.isdigit() else ""
    return (
        f"The data dir {data_dir} is in use by another smartops stack{who}, or by a server "
        "of one that is still shutting down. Stop it first, or set SMARTOPS_DATA_DIR to "
        "another folder."
    )


@dataclass
class ChildState:
    pid: int
    url: str


@dataclass
class StackState:
    """What ``DATA_DIR/stack.json`` holds while a stack runs."""

    pid: int
    url: str = ""
    children: dict[str, ChildState] = field(default_factory=dict)

    def write(self, data_dir: Path) -> None:
        """Atomically (write, then rename)."""
        path = data_dir / STATE_FILE
        temp = path.with_suffix(".json.tmp")
        temp.write_text(json.dumps(asdict(self), indent=2) + "\n")
        temp.replace(path)

    @classmethod
    def read(cls, data_dir: Path) -> StackState | None:
        try:
            data = json.loads((data_dir / STATE_FILE).read_text())
            children = {
                name: ChildState(pid=int(c["pid"]), url=str(c["url"]))
                for name, c in data.get("children", {}).items()
            }
            return cls(pid=int(data["pid"]), url=str(data.get("url", "")), children=children)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    @staticmethod
    def remove(data_dir: Path) -> None:
        with contextlib.suppress(OSError):
            (data_dir / STATE_FILE).unlink()
