"""Score fusion and second-stage re-ranking (knowledge.fusion, knowledge.rerank, ranking)."""

from __future__ import annotations

import pytest

from smartops.knowledge.documents import Chunk, Hit, make_chunk
from smartops.knowledge.fusion import combine, normalise
from smartops.knowledge.query_profile import profile
from smartops.knowledge.ranking import RankingConfig, bm25_share, rank
from smartops.knowledge.rerank import RerankWeights, doc_type, rerank


def chunk(name: str, *, kind: str = "doc", source: str = "", heading: str = "") -> Chunk:
    return make_chunk(
        source=source or f"docs/{name}.md",
        title=name,
        heading=heading or f"{name} > Overview",
        text=f"text of {name}",
        ordinal=0,
        model="m",
        kind=kind,
    )


def hits(*scored: tuple[Chunk, float]) -> list[Hit]:
    return [Hit(c, s) for c, s in scored]


def ids(found: list[Hit]) -> list[str]:
    return [h.chunk.title for h in found]


def test_normalise() -> None:
    assert normalise([4.0, 2.0, 0.0]) == [1.0, 0.5, 0.0]
    assert normalise([3.0, 3.0]) == [1.0, 1.0]
    assert normalise([0.6, 0.3], "max") == [1.0, 0.5]
    z = normalise([1.0, 2.0, 3.0], "zscore")
    assert z[1] == pytest.approx(0.0) and z[0] == pytest.approx(-z[2])


def test_a_confident_mode_keeps_its_lead() -> None:
    a, b, c, d = (chunk(n) for n in "abcd")
    lexical = hits((a, 30.0), (b, 5.0), (c, 4.5), (d, 4.0))  # BM25 is sure about a
    semantic = hits((b, 0.62), (c, 0.61), (d, 0.60), (a, 0.58))  # kNN hardly separates
    assert ids(combine([lexical, semantic], [0.5, 0.5], "max"))[0] == "a"
    # Min-max stretches the weak mode's 0.58-0.62 over 0..1: it would overrule BM25.
    assert ids(combine([lexical, semantic], [0.5, 0.5], "minmax"))[0] == "b"
    # Rank fusion would not see the margin: b is second and first, a first and last.
    from smartops.knowledge.index.base import rrf

    fused = rrf([ids(lexical), ids(semantic)], 4, 10)
    assert fused[0][0] == "b"


def test_a_candidate_only_one_mode_found_keeps_only_its_share() -> None:
    a, b, c = (chunk(n) for n in "abc")
    fused = combine([hits((a, 2.0), (b, 1.0)), hits((c, 0.9), (b, 0.1))], [0.8, 0.2])
    scores = {h.chunk.title: h.score for h in fused}
    assert scores["a"] == pytest.approx(0.8) and scores["c"] == pytest.approx(0.2)
    assert combine([hits((a, 2.0)), []], [0.5, 0.5])[0].score == pytest.approx(1.0)


def test_bm25_share_follows_the_question() -> None:
    config = RankingConfig(bm25_share=0.4, bm25_share_identifier=0.8, bm25_share_russian=0.6)
    assert bm25_share(profile("how do pods restart"), config) == 0.4
    assert bm25_share(profile("why does KubePodCrashLooping fire"), config) == 0.8
    assert bm25_share(profile("почему под перезапускается"), config) == 0.6


def test_doc_type() -> None:
    assert doc_type(chunk("KubePodCrashLooping", kind="alert")) == "alert"
    runbook = chunk("Kube Pod Crash Looping", heading="Kube Pod Crash Looping > Diagnosis")
    assert doc_type(runbook) == "runbook"
    assert doc_type(chunk("X", source="runbooks/content/runbooks/node/X.md")) == "runbook"
    assert doc_type(chunk("Deployments")) == "doc"


RULE = chunk("KubePodCrashLooping", kind="alert", source="alerts/rules.yaml")
RUNBOOK = chunk(
    "Kube Pod Crash Looping",
    source="runbooks/KubePodCrashLooping.md",
    heading="Kube Pod Crash Looping > KubePodCrashLooping > Meaning",
)
OTHER = chunk("Pod Lifecycle")
# BM25 as it scores the three for an alert question: the runbook says the name most often.
CANDIDATES = hits((RUNBOOK, 1.0), (RULE, 0.95), (OTHER, 0.6))


def test_a_definition_question_gets_the_rule_and_a_remediation_one_the_runbook() -> None:
    weights = RerankWeights()
    asked = profile("Which metric and threshold drive KubePodCrashLooping?")
    assert ids(rerank(asked, CANDIDATES, weights))[0] == "KubePodCrashLooping"
    fix = profile("KubePodCrashLooping fired, how do I fix it?")
    assert ids(rerank(fix, CANDIDATES, weights))[0] == "Kube Pod Crash Looping"
    both = rerank(
        profile("expression of KubePodCrashLooping and how to fix it"), CANDIDATES, weights
    )
    assert set(ids(both)[:2]) == {"KubePodCrashLooping", "Kube Pod Crash Looping"}


def test_an_identifier_in_a_title_lifts_its_document() -> None:
    other = chunk("KubePodNotReady", kind="alert", source="alerts/rules.yaml")
    found = rerank(profile("KubePodNotReady"), hits((RULE, 1.0), (other, 0.8)), RerankWeights())
    assert ids(found)[0] == "KubePodNotReady"
    off = RerankWeights(identifier=0, identifier_text=0, doc_type=0, heading=0, title=0)
    assert ids(rerank(profile("KubePodNotReady"), hits((RULE, 1.0), (other, 0.8)), off))[0] == (
        "KubePodCrashLooping"
    )


def test_a_page_whose_whole_title_the_question_names_is_lifted() -> None:
    about = chunk("Brokers", heading="Brokers")
    detail = chunk("Available broker types", heading="Available broker types > Kafka broker")
    question = profile("What is a broker?")
    weights = RerankWeights(identifier=0, identifier_text=0, doc_type=0, heading=0)
    found = rerank(question, hits((detail, 1.0), (about, 0.97)), weights)
    assert ids(found) == ["Brokers", "Available broker types"]
    no_title = RerankWeights(identifier=0, identifier_text=0, doc_type=0, heading=0, title=0)
    assert ids(rerank(question, hits((detail, 1.0), (about, 0.97)), no_title))[0] == (
        "Available broker types"
    )
    # A one-word title in a longer question says little: it gains a fraction of the bonus.
    metrics = chunk("Metrics", heading="Metrics")
    long = profile("How often does the autoscaler controller check pod metrics by default?")
    answer = chunk("Sync period", heading="Sync period")
    assert ids(rerank(long, hits((answer, 1.0), (metrics, 0.95)), weights))[0] == "Sync period"


def test_rank_runs_single_modes_and_rrf() -> None:
    a, b = chunk("a"), chunk("b")
    assert ids(rank("a question", hits((b, 3.0), (a, 9.0)), None)) == ["a", "b"]
    assert ids(rank("a question", None, hits((b, 0.9), (a, 0.1)))) == ["b", "a"]
    rrf = RankingConfig(fusion="rrf", rerank=RerankWeights(0, 0, 0, 0))
    fused = rank("q", hits((a, 9.0), (b, 1.0)), hits((b, 0.9), (a, 0.8)), rrf)
    assert fused[0].score == pytest.approx(1.0) and len(fused) == 2
