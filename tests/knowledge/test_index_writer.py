"""The embedded index's writers merge on commit: no writer overwrites another's chunks.

Two instances over one folder stand for ``smartops ingest`` and the running gateway;
separate processes commit at the same time too.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from smartops.knowledge.documents import Chunk, make_chunk
from smartops.knowledge.index.embedded import EmbeddedIndex
from smartops.knowledge.index.store import IndexFile

DIM = 8
REPO = Path(__file__).resolve().parents[2]


def doc(source: str, n: int = 2, text: str = "step {i} of {source}") -> list[Chunk]:
    return [
        make_chunk(
            source=source,
            title=source,
            heading=f"{source} > {i}",
            text=text.format(i=i, source=source),
            ordinal=i,
            model="m",
        )
        for i in range(n)
    ]


def vectors(n: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def sources(index: EmbeddedIndex) -> set[str]:
    return {c.source for c in index.chunks}


def test_two_writers_over_one_folder_keep_both_sets(tmp_path: Path) -> None:
    cli, gateway = EmbeddedIndex(tmp_path), EmbeddedIndex(tmp_path)  # both open it empty
    cli.upsert(doc("runbooks/a.md"), vectors(2, 1))
    cli.commit()
    gateway.upsert(doc("docs/b.md"), vectors(2, 2))
    gateway.commit()  # its view never saw a.md: it must not write it away
    reopened = EmbeddedIndex(tmp_path)
    assert sources(reopened) == {"runbooks/a.md", "docs/b.md"}
    assert reopened.count() == 4 == gateway.count()
    assert len(reopened.vectors) == 4
    row = [c.source for c in reopened.chunks].index("runbooks/a.md")
    np.testing.assert_allclose(reopened.vectors[row], vectors(2, 1)[0])
    assert IndexFile(tmp_path).version() == 2


def test_a_stale_writer_neither_resurrects_deleted_chunks_nor_undoes_updates(
    tmp_path: Path,
) -> None:
    first = EmbeddedIndex(tmp_path)
    first.upsert(doc("a.md") + doc("b.md"), vectors(4))
    first.commit()
    stale = EmbeddedIndex(tmp_path)  # sees a.md and b.md
    first.delete([c.id for c in doc("a.md")])
    first.upsert(doc("b.md", text="new text {i}"), vectors(2, 5))
    first.commit()
    stale.upsert(doc("c.md"), vectors(2, 3))
    stale.commit()
    final = EmbeddedIndex(tmp_path)
    assert sources(final) == {"b.md", "c.md"}
    assert {c.text for c in final.chunks if c.source == "b.md"} == {"new text 0", "new text 1"}


def test_pending_changes_survive_another_writers_commit_seen_by_a_search(
    tmp_path: Path,
) -> None:
    mine, other = EmbeddedIndex(tmp_path), EmbeddedIndex(tmp_path)
    mine.upsert(doc("mine.md"), vectors(2, 1))
    other.upsert(doc("other.md"), vectors(2, 2))
    other.commit()
    assert sources(mine) == {"mine.md"}
    mine.stored()  # refreshes: the other's commit, with my pending changes replayed
    assert sources(mine) == {"mine.md", "other.md"}
    mine.commit()
    assert sources(EmbeddedIndex(tmp_path)) == {"mine.md", "other.md"}


def test_the_version_catches_a_change_the_file_stamp_missed(tmp_path: Path) -> None:
    """A coarse clock can give two writes one stamp; the version still tells them apart."""
    first, second = EmbeddedIndex(tmp_path), EmbeddedIndex(tmp_path)
    first.upsert(doc("a.md"), vectors(2))
    first.commit()
    second.upsert(doc("b.md"), vectors(2, 1))
    second._stamp = second._file.stamp() if second._file else None  # as if unchanged
    second.commit()
    assert sources(EmbeddedIndex(tmp_path)) == {"a.md", "b.md"}


def test_an_index_written_before_versions_is_read_merged_and_redacted(tmp_path: Path) -> None:
    import json

    old = doc("old.md", 1, text="connect with password=Sup3rS3cret! to the db")
    rows = json.dumps([c.to_dict() for c in old]).encode()
    with open(tmp_path / "index.npz", "wb") as out:  # the format of earlier releases
        np.savez(out, chunks=np.frombuffer(rows, dtype=np.uint8), vectors=vectors(1))
    index = EmbeddedIndex(tmp_path)
    assert index.chunks[0].text == "connect with password=**** to the db"
    index.upsert(doc("new.md", 1), vectors(1, 1))
    index.commit()
    raw = (tmp_path / "index.npz").read_bytes()
    assert b"Sup3rS3cret" not in raw
    assert sources(EmbeddedIndex(tmp_path)) == {"old.md", "new.md"}


def test_a_different_embedding_size_is_refused_not_mixed(tmp_path: Path) -> None:
    index = EmbeddedIndex(tmp_path)
    index.upsert(doc("a.md"), vectors(2))
    index.commit()
    other = EmbeddedIndex(tmp_path)
    with pytest.raises(ValueError, match="embedding model changed"):
        other.upsert(doc("b.md"), np.ones((2, DIM * 2), dtype=np.float32))


WORKER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import numpy as np
    from smartops.knowledge.documents import make_chunk
    from smartops.knowledge.index.embedded import EmbeddedIndex

    folder, worker, rounds = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    Path(sys.argv[4]).touch()
    while not Path(sys.argv[5]).exists():  # start together
        pass
    rng = np.random.default_rng(worker)
    for r in range(rounds):
        index = EmbeddedIndex(folder)  # a fresh process view each round, often stale
        source = f"w{worker}/doc{r}.md"
        chunks = [
            make_chunk(source=source, title=source, heading=f"h{i}", text=f"{source} {i}",
                       ordinal=i, model="m")
            for i in range(3)
        ]
        v = rng.normal(size=(3, 8)).astype(np.float32)
        index.upsert(chunks, v / np.linalg.norm(v, axis=1, keepdims=True))
        if r > 0:  # and delete one chunk of its previous round
            index.delete([make_chunk(source=f"w{worker}/doc{r - 1}.md", title="", heading="h0",
                                     text="", ordinal=0, model="m").id])
        index.commit()
    """
)


def test_concurrent_processes_lose_no_write(tmp_path: Path) -> None:
    workers, rounds = 4, 6
    go = tmp_path / "go"
    procs = []
    for w in range(workers):
        argv = [sys.executable, "-c", WORKER, str(tmp_path / "index"), str(w), str(rounds)]
        argv += [str(tmp_path / f"ready{w}"), str(go)]
        procs.append(subprocess.Popen(argv, cwd=REPO))
    try:
        while not all((tmp_path / f"ready{w}").exists() for w in range(workers)):
            if any(p.poll() not in (None, 0) for p in procs):
                break
        go.touch()
        codes = [p.wait(timeout=120) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert codes == [0] * workers
    final = EmbeddedIndex(tmp_path / "index")
    expected = workers * (rounds * 3 - (rounds - 1))  # every round's chunks, less deletes
    assert final.count() == expected == len({c.id for c in final.chunks})
    assert sources(final) == {f"w{w}/doc{r}.md" for w in range(workers) for r in range(rounds)}
    assert IndexFile(tmp_path / "index").version() == workers * rounds
    assert not list((tmp_path / "index").glob("*.tmp"))
