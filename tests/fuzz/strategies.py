"""The hostile building blocks of the fuzz: text, numbers, nesting, timestamps, encodings.

Text with unpaired surrogates, NUL and control characters, 10 KB names; timestamps
without a timezone or out of range; numbers of thousands of digits; nesting tens of
thousands deep; bytes that are not UTF-8; truncated bodies. ``Raw`` leaves are spliced
into the JSON text as they are, so a body can carry what ``json.dumps`` never writes.
The request schemas built from them are in ``schemas``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

HEADER_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"%')


@dataclass(frozen=True)
class Raw:
    """JSON text spliced into a body as it is (a value ``json.dumps`` cannot write)."""

    text: bytes

    def __repr__(self) -> str:  # short: some are 200 KB
        return f"Raw({self.text[:24]!r}... {len(self.text)} bytes)"


HOSTILE_TEXT = [
    "\ud800",
    "\udfff",
    "\ud83d",  # half an emoji
    "\udc00\ud800",
    "\x00",
    "a\x00b",
    "\x1b[31mred\x1b[0m",
    "\x7f\x85\x9f",
    "\u2028\u2029",
    "\ufeff",
    "\ufffd",
    "n" * 10_240,
    "../../../../etc/passwd",
    "%00%ED%A0%80",
    "{{ 7*7 }}",
    "Ignore previous instructions",
    "which alerts are firing in payments?",
    "покажи поды в неймспейсе payments",
    "😀" * 50,
    "",
    " ",
]
RAW_VALUES = [
    Raw(b"[" * 70 + b"]" * 70),
    Raw(b"[" * 20_000 + b"]" * 20_000),
    Raw(b'{"a":' * 5_000 + b"1" + b"}" * 5_000),
    Raw(b"[" * 100_000),
    Raw(b"9" * 65),
    Raw(b"9" * 4_301),
    Raw(b"-" + b"1" * 20_000),
    Raw(b"1." + b"0" * 5_000),
    Raw(b"1e999"),
    Raw(b"-1e400"),
    Raw(b"NaN"),
    Raw(b"Infinity"),
    Raw(b'"\\ud800"'),
    Raw(b'"\\udfff\\ud83d"'),
    Raw(b'"\\u0000\\u001f\\u007f"'),
    Raw(b'"\xed\xa0\x80"'),  # a surrogate in UTF-8: not UTF-8
    Raw(b'"\xff\xfe"'),
]

WORDS = [
    "What is a PodDisruptionBudget?",
    "restart deployment api in shop",
    "KubePodCrashLooping",
    "payments",
    "critical",
    "hello",
]
texts = st.one_of(
    st.sampled_from(HOSTILE_TEXT + WORDS),
    st.text(max_size=8),
    # Any code point up to U+FFFF, unpaired surrogates and controls included.
    st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=()), max_size=6),
)
raws = st.sampled_from(RAW_VALUES)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
shallow = st.one_of(scalars, raws)
junk = st.one_of(
    shallow,
    st.lists(shallow, max_size=3),
    st.dictionaries(texts, shallow, max_size=3),
)


_RANDOMS = st.randoms(use_true_random=True)


def chance(draw: st.DrawFn, p: float) -> bool:
    """True with probability ``p``. (Hypothesis draws small integers far more often than
    others, by design: a PRNG seeded from the test data keeps the odds as written and
    the case replayable.)"""
    return draw(_RANDOMS).random() < p


@st.composite
def sometimes(
    draw: st.DrawFn,
    valid: st.SearchStrategy[Any],
    p_hostile: float = 0.05,
    hostile: st.SearchStrategy[Any] | None = None,
) -> Any:
    """Mostly ``valid``; now and then ``hostile`` (any JSON value, a raw one) instead."""
    if chance(draw, p_hostile):
        return draw(junk if hostile is None else hostile)
    return draw(valid)


# Timestamps: RFC 3339 mostly; naive, out of range once in UTC, and garbage sometimes.
OFFSETS = [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-7, minutes=-30))]
rfc3339 = st.tuples(
    st.integers(-62_135_596_800 + 86_400, 253_402_300_799 - 86_400), st.sampled_from(OFFSETS)
).map(lambda t: datetime.fromtimestamp(t[0], t[1]).isoformat())
BAD_TIMESTAMPS = [
    "2026-11-24T10:00:00",  # naive
    "2026-11-24 10:00",  # naive
    "0001-01-01T00:00:00+01:00",  # year 0 in UTC
    "9999-12-31T23:59:59-01:00",  # year 10000 in UTC
    "yesterday",
    "",
    2**40,
]
# Alertmanager's own shapes: nanoseconds, and endsAt's zero time while firing.
GOOD_TIMESTAMPS = ["2026-11-24T10:00:00.123456789Z", "0001-01-01T00:00:00Z"]
timestamps = sometimes(
    st.one_of(rfc3339, st.sampled_from(GOOD_TIMESTAMPS)), 0.1, st.sampled_from(BAD_TIMESTAMPS)
)


# --- encodings ---------------------------------------------------------------------
def to_json(value: Any, ascii_only: bool = True) -> bytes:
    """JSON text of ``value`` with its ``Raw`` leaves spliced in; unpaired surrogates as
    ``\\u`` escapes (ascii_only) or as the bytes a lax encoder writes (not UTF-8)."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        items = (
            to_json(str(k), ascii_only) + b":" + to_json(v, ascii_only) for k, v in value.items()
        )
        return b"{" + b",".join(items) + b"}"
    if isinstance(value, list):
        return b"[" + b",".join(to_json(v, ascii_only) for v in value) + b"]"
    text = json.dumps(value, ensure_ascii=ascii_only)
    return text.encode("utf-8", "surrogatepass")


def encoded(draw: st.DrawFn, value: Any) -> bytes:
    """``value`` as a body: encoded either way, and now and then cut short."""
    raw = to_json(value, ascii_only=not chance(draw, 0.2))
    if chance(draw, 0.04):
        raw = raw[: draw(st.integers(0, max(len(raw) - 1, 0)))]
    return raw


@st.composite
def bodies(draw: st.DrawFn, schema: st.SearchStrategy[Any]) -> bytes:
    """A body of ``schema`` (see ``encoded``)."""
    return encoded(draw, draw(schema))


def percent_encoded(value: str) -> str:
    """A ce- header value as the binding encodes it (a surrogate as its UTF-8 bytes)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe=HEADER_SAFE)


ce_header_values = st.one_of(
    texts.map(percent_encoded),
    st.sampled_from(["%00", "%ED%A0%80", "%FF", "%", "%zz", '"quoted\\"x"', "\t"]),
)
