"""A reindex killed in the middle and started again leaves the index consistent.

``smartops reindex`` runs as a child process over a real corpus (the runbooks in
../shared/corpus, or generated markdown when the corpus is absent). A first run indexes
half of it; the next run, over all of it, is killed with SIGKILL while it works (the run
log proves it never finished); a run started again completes. The index then holds
exactly the chunks the files yield: none lost, none duplicated, one vector each.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import redis

from smartops.config import Settings
from smartops.knowledge.embedder import embedding_signature
from smartops.knowledge.index.embedded import EmbeddedIndex
from smartops.knowledge.ingest import discover, parse_file
from tests.eventing.conftest import db_url

pytestmark = [pytest.mark.integration, pytest.mark.slow]
CORPUS = Path(__file__).resolve().parents[3] / "shared/corpus/runbooks/content/runbooks"
COLLECTION = "killtest"


def corpus(target: Path) -> Path:
    if CORPUS.is_dir():
        shutil.copytree(CORPUS, target)
        return target
    target.mkdir()
    for n in range(150):
        sections = "\n\n".join(
            f"## Step {s}\n\n" + f"Check component {n} part {s}. " * 30 for s in range(4)
        )
        (target / f"Doc{n}.md").write_text(f"# Doc {n}\n\n{sections}\n")
    return target


def run(env: dict[str, str], path: Path, log: Path) -> subprocess.Popen[bytes]:
    argv = [
        sys.executable,
        "-m",
        "smartops.cli",
        "reindex",
        str(path),
        "--collection",
        COLLECTION,
        "--json",
    ]
    with open(log, "ab") as out:
        return subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)


def runs(store: redis.Redis) -> list[dict[str, object]]:
    entries: list[tuple[bytes, dict[bytes, bytes]]] = store.xrange("smartops:runs")  # type: ignore[assignment]
    return [{"phase": f[b"phase"].decode(), **json.loads(f[b"run"])} for _, f in entries]


def test_killed_reindex_started_again_loses_and_duplicates_nothing(
    redis_url: str, tmp_path: Path
) -> None:
    url = db_url(redis_url)
    store = redis.Redis.from_url(url)
    store.flushdb()
    docs = corpus(tmp_path / "docs")
    env = {
        **os.environ,
        "SMARTOPS_REDIS_URL": url,
        "SMARTOPS_DATA_DIR": str(tmp_path / "d"),
        "SMARTOPS_EVENTING_REINDEX_LOCK_TTL_S": "2",
        "HF_HUB_OFFLINE": "1",
        # The slowest backend in small batches: the run embeds long enough to be killed in
        # the middle (the default ONNX int8 does these 400 chunks in about 2 s).
        "SMARTOPS_EMBED_BACKEND": "torch",
        "SMARTOPS_EMBED_BATCH_SIZE": "4",
    }
    log = tmp_path / "reindex.log"
    # A first, complete run over a part of the corpus (a folder of it, or one file).
    parts = sorted(docs.iterdir())
    seed = next((p for p in parts if p.is_dir()), parts[0])
    assert run(env, seed, log).wait(300) == 0, log.read_text()[-2000:]
    seeded = stored_rows(tmp_path / "d" / "index" / COLLECTION)[0]

    victim = run(env, docs, log)
    while not any(r["phase"] == "started" and r["paths"] == [str(docs)] for r in runs(store)):
        assert victim.poll() is None, log.read_text()[-2000:]
        time.sleep(0.05)
    time.sleep(2.0)  # loading the model and embedding (about 15 s in all)
    assert victim.poll() is None, "the run finished before it could be killed"
    victim.send_signal(signal.SIGKILL)
    victim.wait(30)
    killed = [r for r in runs(store) if r["paths"] == [str(docs)]]
    assert [r["phase"] for r in killed] == ["started"]  # killed in the middle
    after_kill = stored_rows(tmp_path / "d" / "index" / COLLECTION)[0]
    assert after_kill == seeded  # the committed index survived the kill untouched

    while store.exists(f"smartops:reindex:lock:{COLLECTION}"):  # the killed run's lock expires
        time.sleep(0.2)
    again = run(env, docs, log)
    assert again.wait(600) == 0, log.read_text()[-2000:]

    index = tmp_path / "d" / "index" / COLLECTION
    stored, vectors = stored_rows(index)
    runs_with = Settings(embed_backend="torch")
    ids = [c["id"] for c in stored]
    expected = {
        c.id: c.hash
        for source, file in discover([str(docs)])
        for c in parse_file(source, file, Settings(), embedding_signature(runs_with.embed))
    }
    assert len(ids) == len(set(ids)), "duplicated chunks"
    assert {c["id"]: c["hash"] for c in stored} == expected, "lost or stale chunks"
    assert vectors.shape[0] == len(stored)
    finished = [r for r in runs(store) if r["phase"] == "finished"]
    assert finished[-1]["status"] == "ok" and finished[-1]["chunks"] == len(expected)
    store.flushdb()


def stored_rows(folder: Path) -> tuple[list[dict[str, object]], np.ndarray]:
    """The committed chunks and vectors, read the way the knowledge stage reads them."""
    index = EmbeddedIndex(folder)
    return [c.to_dict() for c in index.chunks], index.vectors
