# ruff: noqa: RUF001  (the Russian words are Cyrillic on purpose)
"""Reading a question: Russian glossary and transliteration, identifiers, document type."""

from __future__ import annotations

import pytest

from smartops.knowledge.query_expand import (
    english_words,
    expand,
    is_russian,
    lookup,
    transliterate,
)
from smartops.knowledge.query_profile import identifiers, profile


def test_russian_is_told_from_english_with_identifiers() -> None:
    assert is_russian("Что делать, если сработал KubePodCrashLooping?")
    assert not is_russian("What does KubePodCrashLooping mean?")
    assert not is_russian("kubectl rollout undo deployment/api")


@pytest.mark.parametrize(
    ("word", "english"),
    [
        ("подов", "pod"),
        ("узле", "node"),
        ("деплоймент", "deployment"),
        ("развёртывания", "deployment"),
        ("откатить", "rollback undo rollout"),
        ("логи", "logs log"),
        ("масштабировать", "scale scaling"),
        ("алерта", "alert alerting"),
        ("масштабирование", "scale scaling"),  # a long stem takes a suffix too
        ("автомасштабирования", "autoscaling autoscaler scale"),
        ("умолчанию", "default"),  # "how often by default"
        ("максимальный", "maximum max"),
        ("размер", "size"),
        ("упавшего", "crashed failed previous"),  # a crashed container's logs: --previous
    ],
)
def test_glossary_reads_word_forms(word: str, english: str) -> None:
    assert lookup(word) == english


def test_short_words_match_whole_forms_only() -> None:
    assert lookup("поды") == "pod"
    assert lookup("подсеть") != "pod"  # a subnet, not a pod
    assert lookup("подробно") is None


def test_expand_appends_english_and_keeps_the_question() -> None:
    out = expand("Как откатить деплоймент на предыдущую ревизию?")
    assert out.startswith("Как откатить деплоймент")
    assert {"rollback", "deployment", "previous", "revision"} <= set(out.split())
    assert expand("how do I roll back") == "how do I roll back"


def test_unknown_names_are_transliterated_for_the_lexical_side_only() -> None:
    assert "redis" in transliterate("редиса")
    assert "redis" in english_words("упал редис", transliterated=True)
    assert "redis" not in english_words("упал редис")


def test_identifiers_are_names_not_acronyms() -> None:
    found = identifiers("Is KubePodCrashLooping from kube_pod_container_status_waiting_reason?")
    assert found == ("KubePodCrashLooping", "kube_pod_container_status_waiting_reason")
    assert identifiers("TTL of the API token") == ()
    assert identifiers("run prometheus --storage.tsdb.retention.time=15d") == (
        "--storage.tsdb.retention.time",
    )


@pytest.mark.parametrize(
    ("question", "definition", "remediation"),
    [
        ("Which metric and threshold drive KubePodCrashLooping?", True, False),
        ("What is the for: duration and severity of KubeAPIDown?", True, False),
        ("KubePodCrashLooping fired for my pod, how do I fix it?", False, True),
        ("What should I do when AlertmanagerFailedReload fires?", False, True),
        ("What is the expression of KubeHpaMaxedOut and how do I fix it?", True, True),
        ("How do I write unit tests for alerting rules?", False, False),
        ("What is a DaemonSet used for?", False, False),
        # "How do I" asks for a task's steps (the docs), not for a remedy (the runbook).
        ("How do I force delete a StatefulSet pod that is stuck terminating?", False, False),
        ("A StatefulSet pod is stuck terminating, how do I fix it?", False, True),
        ("Какой порог у алерта KubePodNotReady?", True, False),
        ("Что делать, если сработал KubeContainerWaiting?", False, True),
        # one weak cue and a name: the rule's definition; the same cue alone is not enough
        ("Which windows do the KubeAPIErrorBudgetBurn rules use?", True, False),
        ("Which windows do the burn rate rules use?", False, False),
    ],
)
def test_document_type_asked_for(question: str, definition: bool, remediation: bool) -> None:
    read = profile(question)
    assert (read.definition, read.remediation) == (definition, remediation)


def test_profile_of_a_russian_question() -> None:
    read = profile("Как масштабировать деплоймент до 5 реплик?")
    assert read.russian
    assert "deployment" in read.lexical and "scale" in read.semantic
    assert read.semantic.startswith("Как масштабировать")
    english = profile("How do I scale a deployment?")
    assert not english.russian and english.lexical == english.semantic == english.text


def test_the_query_vector_reads_the_question_as_asked_except_in_vector_search() -> None:
    from smartops.knowledge.retrieval import embedding_text

    question = "Как масштабировать деплоймент?"
    assert embedding_text(question) == question  # the gateway's one vector per turn
    assert "scale" in embedding_text(question, "vector")  # no BM25 to carry the glossary
    assert embedding_text("scale a deployment", "vector") == "scale a deployment"
