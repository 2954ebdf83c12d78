"""Knowledge on first start: the folders given to ``smartops up`` are indexed before READY,
and a start with unchanged files keeps the index without parsing them again."""

from __future__ import annotations

import io
import os
from pathlib import Path

from smartops.config import Settings
from smartops.knowledge.index import open_index
from smartops.stack.knowledge import STATE_FILE, index_knowledge, with_knowledge

RUNBOOK = """# Disk pressure on a node

## Check

Run `df -h` on the node and look for the kubelet's image garbage collection.

## Fix

Raise `imageGCHighThresholdPercent` or add disk.
"""


def _settings(tmp_path: Path, folder: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", knowledge_paths=[str(folder)])


def test_folders_are_indexed_then_kept_while_unchanged(tmp_path: Path) -> None:
    folder = tmp_path / "runbooks"
    folder.mkdir()
    (folder / "disk.md").write_text(RUNBOOK)
    settings = _settings(tmp_path, folder)
    out = io.StringIO()
    first = index_knowledge(settings, out)
    assert first is not None and not first.skipped and first.files == 1
    assert first.embedded == first.chunks > 0
    assert "knowledge: indexing 1 files" in out.getvalue()
    assert "knowledge: embedding 100%" in out.getvalue()  # progress lines, then the summary
    stored = open_index(settings).stored()
    assert len(stored) == first.chunks
    assert (settings.data_dir / "knowledge" / STATE_FILE).exists()

    again = index_knowledge(settings, io.StringIO())
    assert again is not None and again.skipped and again.embedded == 0

    (folder / "disk.md").write_text(
        RUNBOOK + "\n## Prevent\n\nAlert on `node_filesystem_avail_bytes`.\n"
    )
    os.utime(folder / "disk.md", ns=(1, 2))  # a new size and time: a new fingerprint
    changed = index_knowledge(settings, io.StringIO())
    assert changed is not None and not changed.skipped
    assert 0 < changed.embedded < changed.chunks + 1
    assert len(open_index(settings).stored()) == changed.chunks > first.chunks


def test_no_folders_no_indexing_and_the_docs_cache_follows_them(tmp_path: Path) -> None:
    assert index_knowledge(Settings(data_dir=tmp_path), io.StringIO()) is None
    settings = _settings(tmp_path, tmp_path)
    assert with_knowledge(settings).cag.paths == [str(tmp_path)]
    own = settings.with_changes(cag_paths=["elsewhere"])
    assert with_knowledge(own).cag.paths == ["elsewhere"]


def test_the_environment_names_the_folders() -> None:
    settings = Settings.from_mapping({"SMARTOPS_KNOWLEDGE_PATHS": "docs, ../shared/corpus"})
    assert settings.knowledge.paths == ["docs", "../shared/corpus"]
