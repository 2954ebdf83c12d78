"""Everyday phrasing read in the documentation's words (knowledge.phrasal)."""

from __future__ import annotations

from smartops.answers import Evidence, grounded
from smartops.knowledge.phrasal import plain
from smartops.knowledge.query_profile import profile


def test_phrasal_verbs_become_the_documented_verb() -> None:
    assert plain("How do I turn off alerting?") == "How do I disable alerting?"
    assert plain("Switching on the batcher") == "enable the batcher"
    assert plain("get rid of stuck pods and tear down the namespace") == (
        "remove stuck pods and delete the namespace"
    )
    assert plain("How do I roll back a deployment?") == "How do I rollback a deployment?"


def test_other_words_are_left_alone() -> None:
    for text in ("What does the turnover of pods mean?", "Set the offset", "Upset node"):
        assert plain(text) == text


def test_lexical_search_and_answers_read_the_documented_verb() -> None:
    read = profile("What does agent mode turn off?")
    assert "disable" in read.lexical and "turn" not in read.lexical
    assert "disable" in read.semantic
    assert read.text == "What does agent mode turn off?"  # the embedder reads it as asked


def test_a_question_in_everyday_words_is_grounded_by_the_documented_verb() -> None:
    evidence = [
        Evidence(
            text=(
                "Agent mode is an operational mode of the relay binary. It disables the "
                "relay's usual features: local storage, alerting and rule evaluation."
            ),
            source="docs/relay/agent.md",
            title="Relay agent mode",
            heading="Relay agent mode",
        )
    ]
    result = grounded("What does relay agent mode turn off?", evidence)
    assert result.ok and result.coverage == 1.0  # "turn" would be the one word missing
