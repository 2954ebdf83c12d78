"""A reindex never leaves its root, and an event never creates a collection.

Inside the docs root: a runbook, a symlink to it (kept: it stays inside), a symlink to
a file outside the root, and a symlinked folder outside. Only the two inside are read.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from redis.asyncio import Redis

from smartops.cache.service import markdown_files
from smartops.config import Settings
from smartops.errors import InvalidRequest
from smartops.eventing.runs import LOCK_PREFIX, Reindexer, allowed_collections
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.index import open_index
from smartops.knowledge.ingest import discover, ingest
from smartops.metrics import Metrics

OUTSIDE = "The payroll database lives at db.internal and its admin console is open."


@pytest.fixture
def root(tmp_path: Path) -> Path:
    docs, outside = tmp_path / "docs", tmp_path / "private"
    docs.mkdir()
    (outside / "more").mkdir(parents=True)
    (outside / "payroll.md").write_text(f"# Payroll\n\n{OUTSIDE}\n")
    (outside / "more" / "hr.md").write_text(f"# HR\n\n{OUTSIDE}\n")
    (docs / "disk.md").write_text("# Disk full\n\nFree space with `journalctl --vacuum-size`.\n")
    (docs / "alias.md").symlink_to(docs / "disk.md")
    (docs / "payroll.md").symlink_to(outside / "payroll.md")
    (docs / "more").symlink_to(outside / "more", target_is_directory=True)
    return docs


def test_the_walk_skips_links_out_of_the_root_and_says_so(
    root: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        found = {Path(source).name for source, _ in discover([str(root)])}
    assert found == {"disk.md", "alias.md"}
    messages = {(r.getMessage(), Path(str(getattr(r, "path", ""))).name) for r in caplog.records}
    assert ("symlink out of the docs folder skipped", "payroll.md") in messages
    assert ("symlinked folder not walked", "more") in messages
    assert {Path(s).name for s, _ in markdown_files([str(root)])} == {"disk.md", "alias.md"}


def test_nothing_outside_the_root_is_indexed(
    root: Path, tmp_path: Path, embedder: Embedder
) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    index = open_index(settings)
    ingest([str(root)], settings, index, embedder)
    hits = index.search("payroll database admin console", None, 5, "bm25")
    assert all(OUTSIDE not in h.chunk.text for h in hits)
    assert {Path(s.source).name for s in index.stored().values()} == {"disk.md", "alias.md"}


async def test_an_unknown_collection_is_refused_and_never_created(
    tmp_path: Path, root: Path, redis: Redis, embedder: Embedder
) -> None:
    settings = Settings(data_dir=tmp_path / "data", eventing_reindex_paths=[str(root)])
    opened: list[str] = []

    def opener(name: str):  # type: ignore[no-untyped-def]
        opened.append(name)
        return open_index(settings, name)

    reindexer = Reindexer(
        settings, Metrics(), redis, embedder, opener, collections=allowed_collections(settings)
    )
    assert allowed_collections(settings) == {"default", "alerts"}
    with pytest.raises(InvalidRequest, match="Unknown collection 'attacker-made'"):
        await reindexer.run([str(root)], "attacker-made", "dev.smartops.docs.changed.v1")
    assert opened == []
    assert not (settings.data_dir / "index" / "attacker-made").exists()
    assert await redis.get(LOCK_PREFIX + "attacker-made") is None
    assert await redis.xlen(settings.eventing.runs_stream) == 0  # no run was recorded
