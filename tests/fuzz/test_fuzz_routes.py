"""A bounded fuzz of every HTTP and WebSocket route, against the real request schemas.

Each test sends generated requests (``strategies``) to one route, in process, and
checks what every answer must be (``conftest.assert_sound``): no status of 500 or more
but the documented 503 and 504 (a backend down or slow), an OpenAI error body for every
error, the request's own id on each of its error log lines and on its access line.
``BUDGET`` is the number of requests per route, more than 10,000 in all, sized to run
in about a minute on two cores; ``SMARTOPS_FUZZ_SCALE`` multiplies it (a longer local
run: ``SMARTOPS_FUZZ_SCALE=10``). Every run draws new cases; a failure prints the
``@reproduce_failure`` blob that replays it.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartops.eventing.models import EVENT_TYPES
from tests.fuzz import schemas
from tests.fuzz import strategies as s
from tests.fuzz.conftest import Target, assert_sound, is_openai_error

pytestmark = pytest.mark.integration  # real Redis and a loopback upstream
SCALE = float(os.environ.get("SMARTOPS_FUZZ_SCALE", "1"))
# Requests per route in one run. The WebSocket sends 1-4 requests per session.
BUDGET = {
    "chat": 2100,
    "websocket": 1000,
    "webhook": 1800,
    "adapter": 400,
    "events binary": 1400,
    "events structured": 1400,
    "reindex function": 400,
    "other routes": 1700,
}
# A reindex (docs.changed, reindex.*) takes a tenth of a second: their ids come from a
# small pool, so most of them are re-sends that the dedupe answers at once.
REINDEX_IDS = st.sampled_from([f"reindex-{n}" for n in range(12)])
REINDEX_TYPES = {t for t in EVENT_TYPES if ".docs." in t or ".reindex." in t}


DATA_MEDIA = st.sampled_from(["application/json", "text/xml", 7])
EVENT_IDS = st.text("0123456789abcdef", min_size=1, max_size=12)
HEADER_IDS = st.one_of(EVENT_IDS, s.ce_header_values)
BODY_IDS = st.one_of(EVENT_IDS, s.texts)
EXTENSIONS = st.dictionaries(
    st.sampled_from(["ce-x", "ce-bad_name", "ce-datacontenttype", "ce-time"]),
    s.ce_header_values,
    max_size=2,
)
MEDIA = st.sampled_from(
    [
        "application/json",
        "application/vnd.x+json",
        "text/plain",
        "",
        "application/cloudevents-batch+json",
    ]
)


def fuzz(route: str, per_example: int = 1) -> Any:
    """Hypothesis settings for one route's share of the budget."""
    return settings(
        max_examples=examples(route, per_example),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def examples(route: str, per_example: int = 1) -> int:
    return max(1, int(BUDGET[route] * SCALE / per_example))


def sent(target: Target, before: int) -> int:
    return sum(target.counts.values()) - before


def reached(target: Target, route: str, before: int) -> None:
    """The route got (nearly) its whole budget: generation did not silently stop."""
    assert sent(target, before) >= 0.95 * BUDGET[route] * SCALE, target.counts


content_types = st.sampled_from(
    ["application/json", "text/plain", "", "application/x-www-form-urlencoded"]
)
ws_frames = st.lists(
    st.one_of(
        s.bodies(schemas.chat_request).map(lambda b: b.decode("utf-8", "replace")),
        s.bodies(schemas.chat_request),
    ),
    min_size=2,
    max_size=4,
)


def test_fuzz_chat_completions(target: Target) -> None:
    before = sum(target.counts.values())

    @fuzz("chat")
    @given(body=s.bodies(schemas.chat_request), content_type=content_types)
    def one(body: bytes, content_type: str) -> None:
        headers = {"content-type": content_type}
        assert_sound(target.send("POST", "/v1/chat/completions", content=body, headers=headers))

    one()
    reached(target, "chat", before)


def test_fuzz_websocket(target: Target) -> None:
    before = sum(target.counts.values())

    @fuzz("websocket", per_example=2)
    @given(frames=ws_frames)
    def one(frames: list[str | bytes]) -> None:
        target.logs.take()
        result = target.ws(frames)
        target.counts["websocket"] = target.counts.get("websocket", 0) + len(frames)
        assert result.abnormal is None, result.abnormal  # a real server: close code 1006
        assert result.accepted and result.closed is None, result
        assert len(result.replies) == len(frames)
        for replies in result.replies:
            assert replies, "a request got no frame at all"
            assert replies[-1] == "[DONE]" or is_openai_error(replies[-1].encode()), replies
        lines = [ln for ln in target.logs.take() if ln.level >= logging.WARNING]
        assert all(ln.request_id for ln in lines), lines  # each carries a request id

    one()
    reached(target, "websocket", before)


def test_fuzz_alertmanager_webhook(target: Target) -> None:
    before = sum(target.counts.values())

    @fuzz("webhook")
    @given(body=s.bodies(schemas.webhook))
    def one(body: bytes) -> None:
        exchange = target.send("POST", "/webhooks/alertmanager", content=body)
        assert_sound(exchange)
        if exchange.status == 200:
            outcomes = {e["outcome"] for e in exchange.response.json()["events"]}
            assert outcomes <= {"processed", "duplicate"}, outcomes

    one()
    reached(target, "webhook", before)
    # Whatever was stored, the alert question still answers (the store cannot be poisoned).
    question = {
        "model": "smartops",
        "messages": [{"role": "user", "content": "which alerts are firing?"}],
    }
    exchange = target.send("POST", "/v1/chat/completions", content=json.dumps(question).encode())
    assert_sound(exchange)
    assert exchange.status == 200


def test_fuzz_alert_adapter_function(target: Target) -> None:
    before = sum(target.counts.values())

    @fuzz("adapter")
    @given(body=s.bodies(schemas.webhook), path=st.sampled_from(["/", "/webhook", "/a/b"]))
    def one(body: bytes, path: str) -> None:
        exchange = target.send("POST", path, content=body, app="adapter")
        assert_sound(exchange)
        assert exchange.status in (202, 400, 413, 503), exchange.response.text[:300]

    one()
    reached(target, "adapter", before)


@st.composite
def binary_events(draw: st.DrawFn, root: str) -> tuple[dict[str, str], bytes]:
    """Binary mode: the attributes as ce- headers (some hostile), the data as the body."""
    event_type, data = draw(schemas.event_data(root))
    headers = {f"ce-{k}": s.percent_encoded(str(v)) for k, v in draw(schemas.attributes).items()}
    headers["ce-type"] = s.percent_encoded(event_type)
    headers["ce-id"] = draw(REINDEX_IDS if event_type in REINDEX_TYPES else HEADER_IDS)
    headers.update(draw(EXTENSIONS))
    headers["content-type"] = draw(MEDIA)
    return headers, s.encoded(draw, data)


@st.composite
def structured_events(draw: st.DrawFn, root: str) -> bytes:
    """Structured mode: the whole event as one JSON document (some not an event at all)."""
    event_type, data = draw(schemas.event_data(root))
    document: Any = {**draw(schemas.attributes), "type": event_type, "data": data}
    document["id"] = draw(REINDEX_IDS if event_type in REINDEX_TYPES else BODY_IDS)
    if s.chance(draw, 0.3):
        document["datacontenttype"] = draw(DATA_MEDIA)
    if s.chance(draw, 0.05):
        document["data_base64"] = "AAAA"
    if s.chance(draw, 0.05):
        document = draw(s.junk)
    return s.encoded(draw, document)


def test_fuzz_events_binary_mode(target: Target) -> None:
    before = sum(target.counts.values())

    @fuzz("events binary")
    @given(event=binary_events(str(target.docs)))
    def one(event: tuple[dict[str, str], bytes]) -> None:
        headers, body = event
        assert_sound(target.send("POST", "/events", content=body, headers=headers))

    one()
    reached(target, "events binary", before)


def test_fuzz_events_structured_mode(target: Target) -> None:
    before = sum(target.counts.values())

    @fuzz("events structured")
    @given(
        body=structured_events(str(target.docs)), charset=st.sampled_from(["", "; charset=utf-8"])
    )
    def one(body: bytes, charset: str) -> None:
        headers = {"content-type": f"application/cloudevents+json{charset}"}
        assert_sound(target.send("POST", "/events", content=body, headers=headers))

    one()
    reached(target, "events structured", before)


def test_fuzz_reindex_function(target: Target) -> None:
    before = sum(target.counts.values())
    root = str(target.docs)

    @fuzz("reindex function")
    @given(event=binary_events(root), structured=structured_events(root), pick=st.booleans())
    def one(event: tuple[dict[str, str], bytes], structured: bytes, pick: bool) -> None:
        headers, body = event if pick else ({"content-type": STRUCTURED}, structured)
        exchange = target.send("POST", "/", content=body, headers=headers, app="reindex")
        assert_sound(exchange)
        assert exchange.status in (200, 202, 400, 413, 503), exchange.response.text[:300]

    one()
    reached(target, "reindex function", before)


STRUCTURED = "application/cloudevents+json"
PRINTABLE = st.characters(min_codepoint=0xA1, max_codepoint=0x2FFF) | st.sampled_from("az09-_.~")
ROUTES = [
    ("GET", "/v1/models"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/v1/chat/completions"),
    ("PUT", "/events"),
    ("DELETE", "/webhooks/alertmanager"),
    ("GET", "/nowhere"),
    ("POST", "/v1/models"),
    ("OPTIONS", "/v1/chat/completions"),
    ("PATCH", "/v1/chat/completions/ws"),
]
authorizations = st.one_of(
    st.none(), st.sampled_from(["Bearer x", "Basic Zm9v", "Bearer ", "bearer " + "k" * 5000])
)


def test_fuzz_other_routes(target: Target) -> None:
    """The read-only routes, unknown paths and wrong methods, with any headers and body."""
    before = sum(target.counts.values())

    @fuzz("other routes")
    @given(
        route=st.sampled_from(ROUTES),
        authorization=authorizations,
        query=st.one_of(st.just(""), st.text(PRINTABLE, max_size=20).map(lambda q: "?q=" + q)),
        body=s.bodies(s.junk),
    )
    def one(route: tuple[str, str], authorization: str | None, query: str, body: bytes) -> None:
        method, path = route
        headers = {"authorization": authorization} if authorization else {}
        assert_sound(target.send(method, path + query, content=body, headers=headers))

    one()
    reached(target, "other routes", before)
