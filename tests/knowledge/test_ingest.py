"""Ingestion with the real embedding model: incremental, deletions, search and eval CLIs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from smartops.cli import main
from smartops.config import Settings
from smartops.errors import InvalidRequest
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.index import open_index
from smartops.knowledge.ingest import IngestReport, discover, ingest

pytestmark = pytest.mark.slow


def run(corpus: Path, settings: Settings, embedder: Embedder, *paths: str) -> IngestReport:
    return ingest(list(paths) or [str(corpus)], settings, open_index(settings), embedder)


def test_ingest_is_incremental(corpus: Path, settings: Settings, embedder: Embedder) -> None:
    first = run(corpus, settings, embedder)
    assert first.files >= 4 and first.new == first.chunks > 0
    assert first.updated == first.deleted == first.unchanged == 0
    again = run(corpus, settings, embedder)
    assert (again.new, again.updated, again.deleted) == (0, 0, 0)
    assert again.unchanged == first.chunks
    assert again.embed_seconds == 0

    runbook = next(corpus.rglob("KubePodCrashLooping.md"))
    runbook.write_text(runbook.read_text().replace("back-off delay", "longer back-off delay"))
    changed = run(corpus, settings, embedder)
    assert (changed.new, changed.updated, changed.deleted) == (0, 1, 0)

    gone = next(corpus.rglob("etcdNoLeader.md"))
    count = sum(1 for s in open_index(settings).stored().values() if s.source == str(gone))
    gone.unlink()
    deleted = run(corpus, settings, embedder)
    assert deleted.deleted == count > 0
    assert all(s.source != str(gone) for s in open_index(settings).stored().values())


def test_sources_are_paths_as_given(corpus: Path, settings: Settings, embedder: Embedder) -> None:
    alerts = str(corpus / "alerts")
    single = str(next(corpus.rglob("KubePodCrashLooping.md")))
    run(corpus, settings, embedder, alerts + "/", single)
    sources = {s.source for s in open_index(settings).stored().values()}
    assert single in sources
    assert all(s == single or s.startswith(alerts + "/") for s in sources)
    with pytest.raises(InvalidRequest):
        run(corpus, settings, embedder, str(corpus / "missing"))


def test_search_and_eval_cli(corpus: Path, settings: Settings, tmp_path: Path) -> None:
    env = {"SMARTOPS_DATA_DIR": str(settings.data_dir)}
    cli = CliRunner()
    out = cli.invoke(main, ["ingest", str(corpus), "--json"], env=env)
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["new"] == summary["chunks"] > 0

    out = cli.invoke(main, ["search", "container keeps restarting", "-k", "3", "--json"], env=env)
    assert out.exit_code == 0, out.output
    hits = json.loads(out.stdout)
    assert len(hits) == 3
    assert set(hits[0]) == {"source", "title", "heading", "score", "text"}
    assert hits[0]["source"].endswith("KubePodCrashLooping.md")

    devset = tmp_path / "dev.jsonl"
    rows = [
        {
            "id": "crash",
            "question": "my container keeps dying and gets restarted",
            "paths": [str(next(corpus.rglob("KubePodCrashLooping.md")))],
        },
        {
            "id": "etcd",
            "question": "the key value store has no leader",
            "paths": [str(next(corpus.rglob("etcdNoLeader.md")))],
        },
    ]
    devset.write_text("\n".join(json.dumps(r) for r in rows))
    out = cli.invoke(main, ["eval", "retrieval", str(devset), "--json"], env=env)
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    assert set(result) == {"hybrid", "bm25", "vector"}
    assert result["hybrid"]["figures"]["recall@5"] == 1.0
    assert [q["id"] for q in result["hybrid"]["questions"]] == ["crash", "etcd"]

    out = cli.invoke(main, ["search", "   ", "--json"], env=env)
    assert out.exit_code == 2 and "empty" in out.output
    out = cli.invoke(main, ["search", "x", "--collection", "Bad Name"], env=env)
    assert out.exit_code == 2 and "collection" in out.output


def test_a_missing_path_says_where_it_was_looked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InvalidRequest) as raised:
        discover(["../nowhere/docs"])
    message = raised.value.message
    assert message.startswith("No such file or folder: ../nowhere/docs")
    assert str(tmp_path.parent / "nowhere" / "docs") in message
    assert "Relative paths start from the current directory" in message
    assert "'../nowhere' is not a folder here either" in message
    (tmp_path / "docs").mkdir()
    assert discover(["docs"]) == []
