"""The one body parser, the text sanitiser, the ValidationError conversion and the
timestamp types, at their limits."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from smartops.body import (
    MAX_DEPTH,
    MAX_DIGITS,
    REPLACEMENT,
    check_name,
    clean_text,
    invalid_from_validation,
    nesting_depth,
    parse_json,
    structure_of,
)
from smartops.errors import InvalidRequest, PayloadTooLarge
from smartops.timestamps import StoredTimestamp, Timestamp, parse_timestamp


def refused(raw: bytes | str, says: str, **limits: int) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as caught:
        parse_json(raw, **limits)
    assert says in caught.value.message, caught.value.message
    assert caught.value.status == 400
    return caught.value


def test_nesting_is_counted_outside_strings_only() -> None:
    assert parse_json(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)
    refused(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), f"{MAX_DEPTH + 1} levels deep")
    text = json.dumps({"q": "[[[{{{" * 100, "esc": '\\"[[[' * 50})
    assert parse_json(text.encode())["q"].startswith("[[[{{{")
    assert nesting_depth(structure_of(text.encode())) == 1
    refused(b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "100000 levels deep")
    refused(b"[" * 100_000, "levels deep")  # not even closed: refused before decoding


def test_long_numbers_are_refused_before_int_sees_them() -> None:
    assert parse_json(b"[" + b"9" * MAX_DIGITS + b"]") == [int("9" * MAX_DIGITS)]
    refused(b'{"n": ' + b"9" * (MAX_DIGITS + 1) + b"}", f"{MAX_DIGITS + 1} digits")
    refused(b'{"n": -' + b"1" * 4301 + b"}", "4301 digits")
    refused(b'{"n": 0.' + b"5" * 5000 + b"}", "5000 digits")
    assert parse_json(b'{"id": "' + b"7" * 10_000 + b'"}')["id"] == "7" * 10_000
    refused(b'{"n": 1e999}', "out of range")
    assert parse_json(b"[1e308, -2.5e-300]") == [1e308, -2.5e-300]
    for constant in (b"NaN", b"Infinity", b"-Infinity"):
        refused(b"[" + constant + b"]", "not a JSON value")


def test_size_and_encoding() -> None:
    with pytest.raises(PayloadTooLarge):
        parse_json(b"[" + b"0," * 600 + b"0]", max_bytes=1000)
    refused(b'{"a": "\xed\xa0\x80"}', "not UTF-8")  # a surrogate spelled in UTF-8
    refused(b"\xff\xfe{}", "not UTF-8")
    assert parse_json(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}  # a BOM is tolerated
    assert parse_json('{"a": "é"}') == {"a": "é"}
    error = refused(b'{"a": ', "not valid JSON")
    assert error.code == "invalid_json"


def test_what_is_not_text_becomes_the_replacement_character() -> None:
    raw = b'{"\\ud800k": ["\\udfff", "a\\u0000b", "\\u001b[0m", "ok\\ttab\\nline\\r"], "x": "\x7f"}'
    value = parse_json(raw)
    assert value == {
        f"{REPLACEMENT}k": [
            REPLACEMENT,
            f"a{REPLACEMENT}b",
            f"{REPLACEMENT}[0m",
            "ok\ttab\nline\r",
        ],
        "x": REPLACEMENT,
    }
    assert parse_json(b'"\\ud83d\\ude00"') == "\U0001f600"  # a real pair stays one emoji
    for text in (clean_text("\ud800"), clean_text("\x85 C1"), clean_text("\x00")):
        text.encode("utf-8")  # always encodable: safe to hash, log and store


@settings(database=None, deadline=None)
@given(st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=()), max_size=30))
def test_any_string_comes_back_as_encodable_text(text: str) -> None:
    for ascii_only in (True, False):
        raw = json.dumps({"t": text}, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
        try:
            cleaned = parse_json(raw)["t"]
        except InvalidRequest:
            assert not ascii_only  # only raw surrogate bytes are not UTF-8
            continue
        cleaned.encode("utf-8")
        assert len(cleaned) == len(text)
        assert all(c == d or d == REPLACEMENT for c, d in zip(text, cleaned, strict=True))


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("", "empty"),
        ("a" * 4097, "4097 characters"),
        ("a\x00b", "U+0000"),
        ("tab\there", "U+0009"),
        (f"x{REPLACEMENT}", "not text"),
        ("\ud800", "U+D800 at position 0, an unpaired surrogate"),
    ],
)
def test_names_are_refused_not_repaired(name: str, says: str) -> None:
    with pytest.raises(InvalidRequest, match=re.escape(says)):
        check_name(name, "the path", param="data.paths.0")
    assert check_name("docs/runbooks/Pod.md", "the path") == "docs/runbooks/Pod.md"


class Part(BaseModel):
    type: str
    text: str


class Body(BaseModel):
    content: str | list[Part]
    limit: int = Field(1, ge=1)


def test_validation_errors_name_the_field_the_client_meant() -> None:
    with pytest.raises(ValidationError) as caught:
        Body.model_validate({"content": [{"type": "text"}]})
    error = invalid_from_validation(caught.value)
    assert error.param == "content.0.text"  # not content.list[Part].0.text, nor content.str
    assert error.message == "Invalid request: Field required (at 'content.0.text')"
    with pytest.raises(ValidationError) as caught:
        Body.model_validate({"content": "x", "limit": 0})
    error = invalid_from_validation(caught.value, what="webhook", param_prefix="data")
    assert error.param == "data.limit" and error.message.startswith("Invalid webhook: ")
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(dict[str, int]).validate_python({"k" * 5000: "x"})
    assert len(invalid_from_validation(caught.value).param or "") == 200


def test_timestamps_are_aware_and_utc() -> None:
    inbound: TypeAdapter[datetime] = TypeAdapter(Timestamp)
    stored: TypeAdapter[datetime] = TypeAdapter(StoredTimestamp)
    with pytest.raises(ValidationError, match="timezone"):
        inbound.validate_python("2026-11-24T10:00:00")
    value = inbound.validate_python("2026-11-24T12:00:00+02:00")
    assert value == datetime(2026, 11, 24, 10, tzinfo=UTC) and value.tzinfo is UTC
    assert stored.validate_python("2026-11-24T10:00:00") == datetime(2026, 11, 24, 10, tzinfo=UTC)
    minus = timezone(timedelta(hours=-1))
    assert stored.validate_python(datetime(2026, 1, 1, tzinfo=minus)).hour == 1
    for edge in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):
        with pytest.raises(ValidationError, match="out of range"):
            parse_timestamp(edge)
    assert parse_timestamp("0001-01-01T00:00:00Z").year == 1  # Alertmanager's zero time
