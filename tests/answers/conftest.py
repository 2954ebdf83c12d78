"""Fixtures for grounded answers: evidence read from the real corpus files.

The corpus is ``../shared/corpus`` beside the repository; the sample under
``tests/knowledge/data/corpus`` (the same upstream files) stands in when it is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from smartops.answers import Evidence
from smartops.answers.evidence import kind_of
from smartops.cache.sections import parse_file
from smartops.knowledge.alert_rules import chunk_alert_rules

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "corpus"
SAMPLE = REPO / "tests" / "knowledge" / "data" / "corpus"
DATA = Path(__file__).parent / "data"


def corpus_file(shared: str, sample: str) -> Path:
    """A file of the shared corpus, or its copy in the sample corpus."""
    path = SHARED / shared
    return path if path.is_file() else SAMPLE / sample


def markdown_evidence(path: Path) -> list[Evidence]:
    """A markdown file's sections as evidence (the docs cache's parsing)."""
    text = path.read_text(encoding="utf-8")
    return [
        Evidence(
            text=s.text,
            source=s.source,
            title=s.title,
            heading=s.heading,
            url=s.url,
            kind=kind_of(s.source),
        )
        for s in parse_file(str(path), text)
    ]


def rule_evidence(path: Path, name: str | None = None) -> list[Evidence]:
    """A rules file's alert documents as evidence (the index's chunking)."""
    chunks = chunk_alert_rules(path.read_text(encoding="utf-8"), str(path), model="test")
    return [
        Evidence(
            text=c.text,
            source=c.source,
            title=c.title,
            heading=c.heading,
            url=c.url,
            kind="alert_rule",
        )
        for c in chunks
        if name is None or c.title == name
    ]


@pytest.fixture(scope="session")
def crashloop_runbook() -> list[Evidence]:
    return markdown_evidence(
        corpus_file(
            "runbooks/content/runbooks/kubernetes/KubePodCrashLooping.md",
            "runbooks/KubePodCrashLooping.md",
        )
    )


@pytest.fixture(scope="session")
def crashloop_rule() -> list[Evidence]:
    path = corpus_file(
        "alerts/manifests/kubernetesControlPlane-prometheusRule.yaml", "alerts/example-rules.yaml"
    )
    return rule_evidence(path, "KubePodCrashLooping")
