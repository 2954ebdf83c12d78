# ruff: noqa: RUF001  (Russian text is Cyrillic on purpose)
"""Abstention: below the threshold the answer says so, in the user's language."""

from __future__ import annotations

from smartops.answers import Evidence, Thresholds, abstention, extract, grounded
from smartops.answers.abstain import is_abstention
from smartops.answers.terms import proper_names

UNRELATED = [
    Evidence(
        text="Knative Serving scales revisions with the Knative Pod Autoscaler.",
        source="knative/docs/serving/autoscaling/README.md",
        title="Autoscaling",
        heading="Autoscaling",
        similarity=0.31,
    ),
    Evidence(
        text="A Broker routes events to Triggers.",
        source="knative/docs/eventing/brokers/README.md",
        title="Brokers",
        heading="Brokers",
        similarity=0.28,
    ),
]


def test_unrelated_evidence_is_below_the_threshold() -> None:
    question = "How do I store Terraform state in an S3 bucket with locking?"
    result = grounded(question, UNRELATED)
    assert not result.ok
    assert result.score < Thresholds().minimum
    assert result.cosine == 0.31


def test_the_runbook_of_the_named_alert_is_above_it(crashloop_runbook: list[Evidence]) -> None:
    supported = [e.__class__(**{**e.__dict__, "similarity": 0.62}) for e in crashloop_runbook]
    result = grounded("What does KubePodCrashLooping mean?", supported)
    assert result.ok and result.identifiers_found == 1


def test_a_named_identifier_missing_from_the_evidence_pulls_the_score_down(
    crashloop_runbook: list[Evidence],
) -> None:
    named = grounded("What does KubeFrobnicatorStalled mean?", crashloop_runbook)
    plain = grounded("What does the alert mean?", crashloop_runbook)
    assert named.identifiers_missing == 1 and not named.ok
    assert named.score < plain.score


S3_DOCS = [
    Evidence(
        text="Store and serve models from Amazon S3 buckets; set the S3 region and "
        "credentials in the storage secret.",
        source="kserve/docs/model-serving/storage/s3.md",
        title="S3",
        heading="Storage > S3",
        similarity=0.71,
    )
]


def test_a_product_the_question_names_and_no_evidence_mentions_vetoes_the_answer() -> None:
    question = "How do I store Terraform state in an S3 bucket?"
    vetoed = grounded(question, S3_DOCS)
    assert not vetoed.ok and vetoed.unknown_names == ("terraform",)
    assert grounded("How do I store models in an S3 bucket?", S3_DOCS).ok  # the same otherwise
    text = abstention(question, collections=["default"], unknown=vetoed.unknown_names)
    assert "No document found mentions Terraform." in text
    titled = [S3_DOCS[0].__class__(**{**S3_DOCS[0].__dict__, "title": "Terraform and S3"})]
    assert grounded(question, titled).unknown_names == ()  # the page's title names it


def test_a_capitalised_word_that_starts_a_sentence_is_no_name() -> None:
    # The alert name starts the message: an identifier, checked as one (not as a name).
    assert proper_names("PrometheusRuleFailures fired. Where do I see it? Ask Bob") == {"bob"}
    assert proper_names("How do I use HTTP and S3 from DynamoDB?") == {"dynamodb"}


def test_extract_below_the_threshold_leaves_the_answer_to_the_abstention() -> None:
    result = extract("How do I store Terraform state in S3?", None, UNRELATED)
    assert not result.grounding.ok and result.markdown == ""


def test_abstention_names_collections_closest_titles_and_how_to_add_documents() -> None:
    text = abstention(
        "How do I store Terraform state in S3?",
        collections=["default", "runbooks"],
        closest=UNRELATED,
        docs_cache=True,
    )
    assert is_abstention(text)
    assert "collection `default`, collection `runbooks`, the docs cache" in text
    assert "- Autoscaling (`knative/docs/serving/autoscaling/README.md`)" in text
    assert "`smartops ingest PATH`" in text and "`make run KNOWLEDGE=DIR`" in text


def test_russian_question_gets_the_russian_abstention() -> None:
    text = abstention("Как хранить состояние Terraform в S3?", collections=["default"])
    assert is_abstention(text)
    assert text.startswith("В проиндексированной документации нет ответа")
    assert "коллекция `default`" in text and "`smartops ingest ПУТЬ`" in text
    assert "I could not find" not in text


def test_nothing_indexed_says_so() -> None:
    text = abstention("What is a PodDisruptionBudget?", collections=[])
    assert "nothing is indexed yet" in text
