"""The embedded index's file and its writers' merge on commit.

A collection's folder holds ``index.npz`` (the chunks as JSON in row order, their
vectors, a ``version`` and the ``redaction`` level its text was masked at) and
``index.lock``. Every writer (``smartops ingest``, the gateway's reindex handlers, the
alert index) keeps its own changes as pending operations and commits them under an
exclusive ``flock`` on the lock file: it re-reads the file when its version or stamp
moved since this writer last saw it, applies its operations on top of that latest
state, writes a temporary file, renames it into place and bumps the version. No
writer overwrites another's chunks, and a reader never sees a half-written file.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from smartops import redact
from smartops.errors import UpstreamUnavailable
from smartops.knowledge.documents import Chunk

INDEX_FILE = "index.npz"
LOCK_FILE = "index.lock"
Stamp = tuple[int, int, int, int]


@dataclass(frozen=True)
class Snapshot:
    """One committed state of a collection."""

    chunks: list[Chunk]
    vectors: np.ndarray
    version: int = 0
    stamp: Stamp | None = None

    @classmethod
    def empty(cls) -> Snapshot:
        return cls([], np.zeros((0, 0), dtype=np.float32))


class IndexFile:
    """``index.npz`` in one folder: stamp, version, read, write, and the writers' lock."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / INDEX_FILE

    def exists(self) -> bool:
        return self.path.exists()

    def stamp(self) -> Stamp | None:
        try:
            info = self.path.stat()
        except OSError:
            return None
        return info.st_ino, info.st_mtime_ns, info.st_ctime_ns, info.st_size

    def version(self) -> int:
        """The committed version (0: no file, or one written before versions)."""
        if not self.path.exists():
            return 0
        with self._open() as data:
            return int(data["version"]) if "version" in data.files else 0

    def read(self) -> Snapshot:
        """The committed state; text redacted again if written at an older level."""
        stamp = self.stamp()
        if stamp is None:
            return Snapshot.empty()
        with self._open() as data:
            try:
                rows = json.loads(data["chunks"].tobytes().decode())
                vectors = np.asarray(data["vectors"], dtype=np.float32)
                version = int(data["version"]) if "version" in data.files else 0
                level = int(data["redaction"]) if "redaction" in data.files else 0
            except (KeyError, ValueError) as exc:
                raise self._unreadable(exc) from None
        chunks = [Chunk.from_dict(row) for row in rows]
        if len(chunks) != len(vectors):
            raise UpstreamUnavailable(f"The index at {self.folder} is inconsistent; ingest again.")
        if level < redact.LEVEL:  # built before this redaction: mask it now
            chunks = [c.redacted() for c in chunks]
        return Snapshot(chunks, vectors, version, stamp)

    def write(self, chunks: Sequence[Chunk], vectors: np.ndarray, version: int) -> Stamp | None:
        """Write atomically (temporary file, fsync, rename); call it holding ``locked``."""
        self.folder.mkdir(parents=True, exist_ok=True)
        rows = json.dumps([c.to_dict() for c in chunks]).encode()
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f"{INDEX_FILE}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                np.savez(
                    out,
                    chunks=np.frombuffer(rows, dtype=np.uint8),
                    vectors=np.asarray(vectors, dtype=np.float32),
                    version=np.int64(version),
                    redaction=np.int64(redact.LEVEL),
                )
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)  # one rename: all of it or none of it
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _fsync_dir(self.folder)
        return self.stamp()

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the collection's writer lock (blocks while another writer commits)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    @contextlib.contextmanager
    def _open(self) -> Iterator[np.lib.npyio.NpzFile]:
        try:
            data = np.load(self.path)
        except (OSError, ValueError) as exc:
            raise self._unreadable(exc) from None
        try:
            yield data
        finally:
            data.close()

    def _unreadable(self, exc: Exception) -> UpstreamUnavailable:
        return UpstreamUnavailable(f"The index at {self.folder} cannot be read: {exc}")


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@dataclass
class Pending:
    """A writer's uncommitted operations: chunk id -> (chunk, vector), or None: deleted.

    The last operation on an id wins; ``apply`` replays them on any committed state.
    """

    ops: dict[str, tuple[Chunk, np.ndarray] | None] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.ops)

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        for chunk, vector in zip(chunks, vectors, strict=True):
            self.ops.pop(chunk.id, None)
            self.ops[chunk.id] = (chunk, vector)

    def delete(self, ids: Iterable[str]) -> None:
        for chunk_id in ids:
            self.ops.pop(chunk_id, None)
            self.ops[chunk_id] = None

    def clear(self) -> None:
        self.ops.clear()

    def apply(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> tuple[list[Chunk], np.ndarray]:
        """New lists: rows kept in place (replaced or not), deleted dropped, new appended."""
        if not self.ops:
            return list(chunks), vectors
        out: list[Chunk] = []
        base_rows: list[int] = []  # output row -> committed row, for the untouched ones
        fresh: list[tuple[int, np.ndarray]] = []  # output row -> new vector
        present = set()
        for row, chunk in enumerate(chunks):
            present.add(chunk.id)
            if chunk.id not in self.ops:
                base_rows.append(row)
                out.append(chunk)
            elif (op := self.ops[chunk.id]) is not None:
                fresh.append((len(out), op[1]))
                out.append(op[0])
        for chunk_id, op in self.ops.items():
            if op is not None and chunk_id not in present:
                fresh.append((len(out), op[1]))
                out.append(op[0])
        return out, _matrix(len(out), vectors, base_rows, fresh)


def _matrix(
    n: int, vectors: np.ndarray, base_rows: list[int], fresh: list[tuple[int, np.ndarray]]
) -> np.ndarray:
    dim = len(fresh[0][1]) if fresh else (vectors.shape[1] if vectors.ndim == 2 else 0)
    if base_rows and vectors.shape[1] != dim:
        raise ValueError(
            f"The index holds {vectors.shape[1]}-dimensional vectors, the new ones have {dim}:"
            " the embedding model changed; ingest everything again."
        )
    matrix = np.empty((n, dim), dtype=np.float32)
    new_rows = {row for row, _ in fresh}
    kept = [i for i in range(n) if i not in new_rows]
    if base_rows:
        matrix[kept] = vectors[base_rows]
    if fresh:
        matrix[[row for row, _ in fresh]] = np.stack([v for _, v in fresh])
    return matrix
