"""The request shapes that used to crash the gateway (500, status 0 in the access log, no
request id, a dropped connection; a WebSocket closed with 1006), each pinned down.

Each must now be a clear 4xx with an OpenAI error body, or, where the input is only
text that is not quite Unicode, an answer; every log line of the request carries its id.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from smartops.eventing.envelope import encode_header
from tests.fuzz.conftest import Exchange, Target, assert_sound, is_openai_error

pytestmark = pytest.mark.integration  # real Redis and a loopback upstream
CHAT = "/v1/chat/completions"
STRUCTURED = {"content-type": "application/cloudevents+json"}


def chat_body(content: str = "What is a PodDisruptionBudget?", **extra: Any) -> dict[str, Any]:
    return {"model": "smartops", "messages": [{"role": "user", "content": content}], **extra}


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def webhook(**alert: Any) -> dict[str, Any]:
    first = {
        "status": "firing",
        "labels": {"alertname": "KubePodCrashLooping", "namespace": "shop"},
        "annotations": {"summary": "web-1 restarts"},
        "startsAt": "2026-11-24T10:01:00Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "fingerprint": "a0b1c2d3e4f50617",
        **alert,
    }
    return {"version": "4", "status": "firing", "externalURL": "http://am:9093", "alerts": [first]}


def binary_headers(event_type: str, event_id: str) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "ce-specversion": "1.0",
        "ce-id": event_id,
        "ce-source": "/tests/fuzz",
        "ce-type": event_type,
    }


def docs_changed(target: Target, paths: list[str], event_id: str) -> Exchange:
    body = json.dumps({"paths": paths}, ensure_ascii=True).encode()
    headers = binary_headers("dev.smartops.docs.changed.v1", event_id)
    return target.send("POST", "/events", content=body, headers=headers)


def refused(exchange: Exchange, status: int = 400, *, says: str = "") -> dict[str, Any]:
    assert_sound(exchange)
    assert exchange.status == status, exchange.response.text[:300]
    error = exchange.error()
    assert says.lower() in error["message"].lower(), error
    return error


@pytest.mark.parametrize("depth", [20_000, 100_000])
def test_chat_nested_deep_is_a_400(target: Target, depth: int) -> None:
    body = b'{"model": "smartops", "messages": [{"role": "user", "content": "hi"}], "x": '
    exchange = target.send("POST", CHAT, content=body + nested(depth) + b"}")
    assert refused(exchange, says="levels deep")["code"] == "invalid_json"


def test_webhook_nested_deep_is_a_400(target: Target) -> None:
    body = b'{"version": "4", "alerts": ' + nested(50_000) + b"}"
    refused(target.send("POST", "/webhooks/alertmanager", content=body), says="levels deep")


def test_structured_event_nested_deep_is_a_400(target: Target) -> None:
    body = b'{"specversion": "1.0", "data": ' + nested(30_000) + b"}"
    exchange = target.send("POST", "/events", content=body, headers=STRUCTURED)
    refused(exchange, says="levels deep")


@pytest.mark.parametrize(
    "where",
    ["max_tokens", "ignored_field", "messages.0.content_extra"],
)
def test_chat_integer_over_4300_digits_is_a_400(target: Target, where: str) -> None:
    huge = "9" * 4301
    text = json.dumps(chat_body())
    if where == "messages.0.content_extra":
        text = text.replace('"role"', f'"weight": {huge}, "role"')
    else:
        text = text[:-1] + f', "{where}": {huge}}}'
    refused(target.send("POST", CHAT, content=text.encode()), says="4301 digits")


def test_webhook_and_event_integers_over_4300_digits_are_400s(target: Target) -> None:
    text = json.dumps(webhook())[:-1] + f', "truncatedAlerts": {"1" * 5000}}}'
    refused(target.send("POST", "/webhooks/alertmanager", content=text.encode()), says="digits")
    data = b'{"scope": "full", "n": -' + b"7" * 6000 + b"}"
    headers = binary_headers("dev.smartops.reindex.scheduled.v1", "digits-1")
    refused(target.send("POST", "/events", content=data, headers=headers), says="digits")


def test_chat_lone_surrogates_are_answered(target: Target) -> None:
    """Unpaired surrogates (JSON can spell them, UTF-8 cannot) reached the answer cache's
    digest and crashed it; they are read as U+FFFD, as a UTF-8 encoder would write them."""
    for content in ("\ud800 restart the pod?", "half an emoji \ud83d", "\udfff\ud800"):
        body = json.dumps(chat_body(content), ensure_ascii=True).encode()
        assert b"\\ud" in body
        exchange = target.send("POST", CHAT, content=body)
        assert_sound(exchange)
        assert exchange.status == 200, exchange.response.text[:300]
        assert exchange.response.json()["choices"][0]["message"]["content"]


def test_structured_event_lone_surrogates_are_handled(target: Target) -> None:
    event = {
        "specversion": "1.0",
        "id": "surrogate-\ud800",
        "source": "/tests/\udc00",
        "type": "dev.smartops.alert.firing.v1",
        "datacontenttype": "application/json",
        "data": {
            "fingerprint": "f\ud800",
            "status": "firing",
            "alertname": "Kube\ud800Down",
            "labels": {"alertname": "Kube\ud800Down", "\udfffkey": "v\ud800"},
            "annotations": {"summary": "\ud83d"},
            "startsAt": "2026-11-24T10:00:00Z",
        },
    }
    body = json.dumps(event, ensure_ascii=True).encode()
    exchange = target.send("POST", "/events", content=body, headers=STRUCTURED)
    assert_sound(exchange)
    assert exchange.status == 200, exchange.response.text
    # The stored document is plain text; the alert question reads it back.
    question = chat_body("which alerts are firing?")
    answer = target.send("POST", CHAT, content=json.dumps(question).encode())
    assert_sound(answer)
    assert answer.status == 200
    assert "Kube\ufffdDown" in answer.response.json()["choices"][0]["message"]["content"]


@pytest.mark.parametrize(
    ("name", "path", "says"),
    [
        ("nul", "{docs}/guides/a\x00b.md", "not text"),
        ("surrogate", "{docs}/guides/\ud800.md", "not text"),
        ("10 KB name", "{docs}/guides/" + "n" * 10_240, "at most 4096"),
        ("255+ part", "{docs}/guides/" + "p" * 300 + ".md", "303 bytes"),
        ("symlink loop", "{docs}/loop/x.md", "cannot be read"),
    ],
)
def test_docs_changed_bad_paths_are_400s(target: Target, name: str, path: str, says: str) -> None:
    exchange = docs_changed(target, [path.format(docs=target.docs)], f"bad-path-{name}")
    error = refused(exchange, says=says)
    assert error["param"].startswith("data.paths")


def test_binary_mode_ce_headers_are_text_or_a_400(target: Target) -> None:
    headers = binary_headers("dev.smartops.alert.firing.v1", encode_header("id\x00\ud7ff"))
    data = {
        "fingerprint": "c0ffee",
        "status": "firing",
        "alertname": "NodeDown",
        "labels": {"alertname": "NodeDown"},
        "startsAt": "2026-11-24T10:00:00Z",
    }
    body = json.dumps(data).encode()
    exchange = target.send("POST", "/events", content=body, headers=headers)
    assert_sound(exchange)
    assert exchange.status == 200, exchange.response.text[:300]
    headers["ce-subject"] = "%ED%A0%80"  # a surrogate spelled in UTF-8: not UTF-8 at all
    exchange = target.send("POST", "/events", content=body, headers=headers)
    refused(exchange, says="percent-encoded UTF-8")


@pytest.mark.parametrize(
    "frame",
    [
        '{"model": "smartops", "messages": ' + "[" * 20_000 + "]" * 20_000 + "}",
        '{"model": "smartops", "messages": [], "n": ' + "1" * 5000 + "}",
        "[" * 100_000,
        "not json at all",
    ],
    ids=["nested 20k", "integer 5000 digits", "unclosed 100k", "not json"],
)
def test_websocket_answers_bad_input_with_an_error_frame(target: Target, frame: str) -> None:
    good = json.dumps(chat_body())
    result = target.ws([frame, good])
    assert result.abnormal is None, result.abnormal  # a real server: close code 1006
    assert result.accepted and result.closed is None
    error_frame = result.replies[0][-1]
    assert is_openai_error(error_frame.encode()), error_frame[:300]
    assert json.loads(error_frame)["error"]["type"] == "invalid_request_error"
    assert result.replies[1][-1] == "[DONE]"  # the socket stays usable


def test_websocket_lone_surrogates_are_answered(target: Target) -> None:
    frame = json.dumps(chat_body("\ud800 what is a PDB?"), ensure_ascii=True)
    result = target.ws([frame])
    assert result.abnormal is None, result.abnormal
    assert result.replies[0][-1] == "[DONE]"
    assert len(result.replies[0]) > 1


def test_a_reindex_of_a_root_holding_a_symlink_loop_is_not_a_500(target: Target) -> None:
    """The fixture's reindex root holds ``loop -> loop``: the walk must skip it."""
    headers = binary_headers("dev.smartops.reindex.scheduled.v1", "loop-walk-1")
    exchange = target.send("POST", "/events", content=b'{"scope": "full"}', headers=headers)
    assert_sound(exchange)
    assert exchange.status == 200, exchange.response.text[:300]
