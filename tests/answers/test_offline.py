"""The extract measured in process: a real index of corpus files, the real embedder."""

from __future__ import annotations

import shutil
from pathlib import Path

from smartops.answers.evaluate import AnswerQuestion, by_split
from smartops.answers.gather import gather
from smartops.answers.offline import evaluate_locally
from smartops.config import Settings
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.index import open_index
from smartops.knowledge.index.base import Index
from smartops.knowledge.ingest import ingest
from smartops.knowledge.named import named_alerts
from tests.answers.conftest import corpus_file

QUESTIONS = [
    AnswerQuestion(
        "meaning",
        "What does KubePodCrashLooping mean?",
        (("CrashLoop",),),
        ("KubePodCrashLooping.md",),
    ),
    AnswerQuestion(
        "rule",
        "How long must KubePodCrashLooping hold before it fires, and how severe is it?",
        (("15m",), ("warning",)),
        ("KubePodCrashLooping.md", "rules"),
        "heldout",
    ),
    AnswerQuestion("none", "How do I store Terraform state in S3?", (), (), "heldout", True),
]


def test_gather_puts_the_named_alerts_rule_first(tmp_path: Path, embedder: Embedder) -> None:
    _, index = _index(tmp_path, embedder)
    assert named_alerts("Is KubePodCrashLooping a PodDisruptionBudget thing?") == [
        "KubePodCrashLooping",
        "PodDisruptionBudget",
    ]
    evidence = gather("When does KubePodCrashLooping fire?", index, embedder, k=3)
    assert evidence[0].kind == "alert_rule" and evidence[0].title == "KubePodCrashLooping"
    assert all(e.similarity is not None for e in evidence[:3])
    assert len({(e.source, e.heading, e.text) for e in evidence}) == len(evidence)


def test_evaluate_locally_scores_extracts_and_abstentions(
    tmp_path: Path, embedder: Embedder
) -> None:
    _, index = _index(tmp_path, embedder)
    outcomes = evaluate_locally(QUESTIONS, index, embedder, k=5)
    assert [o.correct for o in outcomes] == [True, True, True], [o.answer for o in outcomes]
    assert outcomes[2].abstained and not outcomes[0].abstained
    figures = by_split(outcomes)
    assert figures["dev"].key_fact_accuracy == 1.0
    assert figures["heldout"].abstention_rate == 1.0
    assert figures["all"].first_token_ms["p50"] < figures["all"].answer_ms["p50"]


def _index(tmp_path: Path, embedder: Embedder) -> tuple[Settings, Index]:
    corpus = tmp_path / "corpus"
    (corpus / "runbooks").mkdir(parents=True)
    (corpus / "rules").mkdir()
    shutil.copy(
        corpus_file(
            "runbooks/content/runbooks/kubernetes/KubePodCrashLooping.md",
            "runbooks/KubePodCrashLooping.md",
        ),
        corpus / "runbooks",
    )
    shutil.copy(corpus_file("", "runbooks/etcdNoLeader.md"), corpus / "runbooks")
    shutil.copy(corpus_file("", "alerts/example-rules.yaml"), corpus / "rules")
    settings = Settings(data_dir=tmp_path / "data")
    index = open_index(settings)
    ingest([str(corpus)], settings, index, embedder)
    return settings, index


async def test_the_retriever_serves_the_named_alerts_documents_too(
    tmp_path: Path, embedder: Embedder
) -> None:
    """The gateway's path (the retriever transformer) gets what ``gather`` gets: a question
    naming an alert reaches the alert's rule and its runbook's sections even at k=1."""
    from smartops.knowledge.kserve_models import RetrieverModel

    settings, index = _index(tmp_path, embedder)
    question = "KubePodCrashLooping fires for my pod: which commands show why?"
    vector = embedder.embed_query(question).tolist()
    retriever = RetrieverModel("retriever", index, settings)
    out = await retriever.predict({"instances": [{"query": question, "vector": vector, "k": 1}]})
    hits = out["predictions"][0]["hits"]
    kinds = [h["kind"] for h in hits]
    texts = " ".join(h["text"] for h in hits)
    assert kinds[0] == "alert", kinds
    assert "describe pod" in texts  # the runbook's Diagnosis section
    assert len(hits) <= 1 + 4
