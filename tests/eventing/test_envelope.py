"""CloudEvents over HTTP (binary and structured mode), checked against the spec's rules."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from smartops.errors import InvalidRequest
from smartops.eventing import envelope
from smartops.eventing.envelope import CloudEvent

EVENT = CloudEvent(
    type="dev.smartops.docs.changed.v1",
    source="https://git.example.dev/docs",
    id="abc-1",
    data={"paths": ["docs/runbooks"], "reason": "Euro € 😀"},
    subject='runbooks "main" 100%',
    time=datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
    extensions={"traceparent": "00-abc-def-01"},
)


def test_header_encoding_follows_the_binding_example() -> None:
    assert envelope.encode_header("Euro € 😀") == "Euro%20%E2%82%AC%20%F0%9F%98%80"
    assert envelope.decode_header("Euro%20%e2%82%ac%20%F0%9F%98%80") == "Euro € 😀"
    assert envelope.encode_header('a "b" 5%') == "a%20%22b%22%205%25"


def test_quoted_header_values_are_unquoted_before_percent_decoding() -> None:
    assert envelope.decode_header('"a \\"quoted\\" value"') == 'a "quoted" value'


def test_overlong_utf8_is_rejected() -> None:
    with pytest.raises(InvalidRequest):
        envelope.decode_header("%C0%A0")


@pytest.mark.parametrize("encode", [envelope.to_binary, envelope.to_structured])
def test_round_trip_in_both_modes(encode) -> None:  # type: ignore[no-untyped-def]
    headers, body = encode(EVENT)
    assert envelope.from_http(headers, body) == EVENT


def test_binary_mode_puts_attributes_in_ce_headers() -> None:
    headers, body = envelope.to_binary(EVENT)
    assert headers["ce-id"] == "abc-1"
    assert headers["ce-specversion"] == "1.0"
    assert headers["ce-time"] == "2026-11-24T10:00:00Z"
    assert headers["ce-subject"] == "runbooks%20%22main%22%20100%25"
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == EVENT.data


def test_structured_mode_from_another_producer() -> None:
    body = json.dumps(
        {
            "specversion": "1.0",
            "id": "p-1",
            "source": "/ping",
            "type": "dev.smartops.reindex.scheduled.v1",
            "datacontenttype": "application/json",
            "data": {"scope": "full"},
            "knativearrivaltime": "2026-11-24T03:17:00Z",
        }
    ).encode()
    event = envelope.from_http({"Content-Type": "application/cloudevents+json"}, body)
    assert event.type == "dev.smartops.reindex.scheduled.v1"
    assert event.data == {"scope": "full"}
    assert event.extensions == {"knativearrivaltime": "2026-11-24T03:17:00Z"}


@pytest.mark.parametrize(
    ("headers", "body", "message"),
    [
        ({"content-type": "application/json"}, b"{}", "Not a CloudEvent"),
        ({"ce-specversion": "1.0", "ce-id": "1", "ce-source": "s"}, b"{}", "type"),
        (
            {"ce-specversion": "0.3", "ce-id": "1", "ce-source": "s", "ce-type": "t"},
            b"{}",
            "specversion",
        ),
        (
            {"ce-specversion": "1.0", "ce-id": "1", "ce-source": "s", "ce-type": "t"},
            b"{trunc",
            "not valid JSON",
        ),
        (
            {"ce-specversion": "1.0", "ce-id": "1", "ce-source": "s", "ce-type": "t"},
            b"[1]",
            "JSON object",
        ),
        ({"content-type": "application/cloudevents-batch+json"}, b"[]", "Batched"),
        ({"content-type": "application/cloudevents+json"}, b'{"specversion": "1.0"', "JSON"),
    ],
)
def test_what_is_not_a_valid_event_is_a_400(
    headers: dict[str, str], body: bytes, message: str
) -> None:
    with pytest.raises(InvalidRequest, match=message) as caught:
        envelope.from_http(headers, body)
    assert caught.value.status == 400
