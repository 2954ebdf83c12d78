"""The labelled set and the exemplars: big and varied enough, valid, and disjoint."""

from __future__ import annotations

import re
from collections import Counter

from smartops.actions import catalog
from smartops.routing import exemplars
from smartops.routing.evaluate import Case, normal_args
from smartops.routing.normalize import normalize
from smartops.routing.types import LEARNED


def _words(text: str) -> set[str]:
    return set(re.findall(r"[\w-]+", text.lower()))


def test_the_labelled_set_is_big_mixed_and_has_a_held_out_fifth(cases: list[Case]) -> None:
    routes = Counter(c.route for c in cases)
    assert len(cases) >= 400
    assert sum(c.lang == "ru" for c in cases) >= 100
    assert sum(c.route == "knowledge" and c.hard for c in cases) >= 200
    assert routes["live_read"] + routes["write"] >= 150
    for route in ("investigate", "confirm", "cancel", "clarify"):
        assert routes[route] >= 5, route
    share = sum(c.split == "heldout" for c in cases) / len(cases)
    assert 0.18 <= share <= 0.22
    assert {c.split for c in cases} == {"dev", "heldout"}


def test_every_catalog_action_is_asked_for_in_several_phrasings(cases: list[Case]) -> None:
    asked = Counter(c.action for c in cases if c.action)
    assert set(asked) == set(catalog.ACTIONS)
    assert min(asked.values()) >= 4


def test_labels_are_valid_catalog_calls(cases: list[Case]) -> None:
    for case in cases:
        if case.route in ("live_read", "write"):
            assert case.action is not None, case.text
            assert normal_args(case.action, case.args) is not None, case.text
            kind = catalog.get(case.action).kind
            assert (case.route == "write") == (kind == "write"), case.text


def test_typos_and_lower_case_are_among_the_requests(cases: list[Case]) -> None:
    requests = [c for c in cases if c.route in ("live_read", "write")]
    assert sum(normalize(c.text) != " ".join(c.text.split()) for c in requests) >= 5
    assert sum(c.text == c.text.lower() for c in requests) >= 100


def test_the_exemplars_cover_every_learned_route_in_both_languages() -> None:
    rows = exemplars.load()
    for route in LEARNED:
        langs = {e.lang for e in rows if e.route == route}
        assert langs == {"en", "ru"}, route


def test_exemplars_and_the_labelled_set_are_disjoint(cases: list[Case]) -> None:
    """No evaluation item is an exemplar, nor a near copy of one (most words shared)."""
    rows = exemplars.load()
    seen = {normalize(e.text).lower() for e in rows}
    for case in cases:
        assert normalize(case.text).lower() not in seen, case.text
    for e in rows:
        a = _words(e.text)
        for case in cases:
            b = _words(case.text)
            assert len(a & b) / len(a | b) < 0.75, (e.text, case.text)
