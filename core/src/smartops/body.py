"""The one JSON body parser and the one text sanitiser of every edge.

Every JSON body smartops accepts (chat requests over HTTP and WebSocket, Alertmanager
webhooks, CloudEvents in either content mode) goes through ``parse_json``. It refuses,
with an ``InvalidRequest`` (400) and never anything else, what Python's ``json`` module
would turn into a crash or an unbounded cost further in:

- a body over ``max_bytes`` (413), or not UTF-8;
- nesting deeper than ``max_depth`` (a bracket pre-scan *before* decoding: the decoder
  recurses and would raise ``RecursionError`` at about 1,000 levels);
- a number literal with more than ``max_digits`` digits in a row (the same pre-scan:
  CPython's ``int()`` refuses over 4,300 digits with a ``ValueError``, and is quadratic
  below that), a float that is not finite (``1e999``), and the non-JSON constants
  ``NaN`` and ``Infinity``.

Then every string in the value, object keys included, goes through ``clean_text``:
the characters that are not text (an unpaired UTF-16 surrogate such as ``\\ud800``, which
JSON's ``\\u`` escapes can spell but UTF-8 cannot encode; NUL and the other C0 and C1
control characters except tab, line feed and carriage return) become U+FFFD, exactly as
a browser's UTF-8 encoder treats an unpaired surrogate. Free text keeps its meaning and
is safe to hash, log, store and send on. Names (paths, ids) must not be repaired
silently: ``check_name`` refuses a name that holds U+FFFD, a control character or is
too long, so a ``docs.changed`` path with a NUL byte is a 400, not a different file.

``invalid_from_validation`` is the one conversion of a pydantic ``ValidationError`` into
an ``InvalidRequest`` naming the field at fault.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np
from pydantic import ValidationError

from smartops.errors import InvalidRequest, PayloadTooLarge

MAX_BYTES = 1_000_000
MAX_DEPTH = 64
MAX_DIGITS = 64
MAX_PARAM_CHARS = 200
REPLACEMENT = "\ufffd"

# Not text: unpaired surrogates, C0 controls except \t \n \r, DEL and the C1 controls.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_NOT_NAME = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffd]")
# What can decode to such a character: a \u escape of one, a raw DEL or C1 (UTF-8).
# (Raw C0 controls inside strings are invalid JSON; the decoder refuses them.)
_MAYBE_NOT_TEXT = re.compile(rb"\\u(?:[dD][89a-fA-F]|00[01]|007[fF]|00[89])|\x7f|\xc2[\x80-\x9f]")
# A JSON string literal (closed), for the pre-scan: what is inside does not count.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
# How pydantic names a union's alternatives in an error's location.
_UNION_TAG = re.compile(r"^(?:str|int|float|bool|none|[A-Za-z_]+\[.*\]|function-[a-z]+\[.*\])$")
_EXPONENT = re.compile(rb"[eE][+-]?\d{3}")
_STEP = np.zeros(256, dtype=np.int32)
_STEP[[ord("["), ord("{")]] = 1
_STEP[[ord("]"), ord("}")]] = -1


class _Refused(ValueError):
    """Raised from inside the decoder's hooks; becomes an InvalidRequest."""


def clean_text(text: str) -> str:
    """``text`` with each character that is not text (see the module doc) as U+FFFD."""
    return _NOT_TEXT.sub(REPLACEMENT, text) if _NOT_TEXT.search(text) else text


def name_problem(value: str, *, max_chars: int = 4096) -> str | None:
    """What makes ``value`` unfit as a name (a path, an id), or None: empty, too long,
    or holding a control character, an unpaired surrogate or U+FFFD."""
    if not value:
        return "it is empty"
    if len(value) > max_chars:
        return f"it has {len(value)} characters (limit {max_chars})"
    found = _NOT_NAME.search(value)
    if found is None:
        return None
    char = f"U+{ord(found.group(0)):04X} at position {found.start()}"
    if found.group(0) == REPLACEMENT:  # what the parser made of NUL, a surrogate...
        return (
            f"it contains {char}: a character that is not text "
            "(NUL, a control character or an unpaired surrogate)"
        )
    kind = (
        "an unpaired surrogate" if "\ud800" <= found.group(0) <= "\udfff" else "a control character"
    )
    return f"it contains {char}, {kind}"


def check_name(value: str, what: str, *, max_chars: int = 4096, param: str | None = None) -> str:
    """``value`` unchanged, or InvalidRequest naming ``name_problem``."""
    problem = name_problem(value, max_chars=max_chars)
    if problem is not None:
        raise InvalidRequest(f"{_capital(what)} is not a valid name: {problem}.", param=param)
    return value


def structure_of(raw: bytes) -> bytes:
    """The JSON text without its string literals: brackets, numbers, literals, spaces."""
    return _STRING.sub(b"", raw)


def nesting_depth(structure: bytes) -> int:
    """The deepest bracket nesting of ``structure_of(text)``: linear, no recursion.

    An upper bound when the text is not valid JSON (an unclosed string), which is fine:
    such a text is refused either way.
    """
    if not structure:
        return 0
    return int(np.cumsum(_STEP[np.frombuffer(structure, dtype=np.uint8)]).max(initial=0))


def long_number(structure: bytes, max_digits: int) -> int:
    """The length of the first run of more than ``max_digits`` digits outside strings
    (an integer, or a float's digits), or 0 when there is none."""
    found = re.search(rb"\d{%d,}" % (max_digits + 1), structure)
    return len(found.group(0)) if found else 0


def parse_json(
    raw: bytes | str,
    *,
    what: str = "the request body",
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    max_digits: int = MAX_DIGITS,
) -> Any:
    """The decoded JSON value with every string cleaned; InvalidRequest otherwise."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            f"{_capital(what)} has {len(data)} bytes (limit {max_bytes}).", param="body"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _malformed(what, f"not UTF-8 at byte {exc.start}") from None
    _check_structure(data, what, max_depth, max_digits)
    try:
        value = json.loads(
            text,
            parse_float=_finite_float if _EXPONENT.search(data) else float,
            parse_constant=_refuse_constant,
        )
    except _Refused as exc:
        raise _malformed(what, str(exc)) from None
    except json.JSONDecodeError as exc:
        raise _malformed(what, str(exc)) from None
    except (ValueError, RecursionError) as exc:  # defence in depth: never a 500
        raise _malformed(what, type(exc).__name__) from None
    return clean_value(value) if _MAYBE_NOT_TEXT.search(data) else value


def _check_structure(data: bytes, what: str, max_depth: int, max_digits: int) -> None:
    """Depth and number limits, before decoding. The counts bound the exact figures, so
    most bodies (few brackets, short numbers) need no scan at all."""
    deep = data.count(b"[") + data.count(b"{") > max_depth
    long = re.search(rb"\d{%d}" % (max_digits + 1), data) is not None
    if not (deep or long):
        return
    structure = structure_of(data)
    depth = nesting_depth(structure) if deep else 0
    if depth > max_depth:
        raise InvalidRequest(
            f"{_capital(what)} is nested {depth} levels deep (limit {max_depth}).",
            code="invalid_json",
        )
    digits = long_number(structure, max_digits) if long else 0
    if digits > max_digits:
        raise InvalidRequest(
            f"{_capital(what)} has a number of {digits} digits (limit {max_digits}).",
            code="invalid_json",
        )


def clean_value(value: Any) -> Any:
    """A decoded JSON value with ``clean_text`` applied to every string and key."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_value(item) for item in value]
    if isinstance(value, dict):
        return {clean_text(key): clean_value(item) for key, item in value.items()}
    return value


def invalid_from_validation(
    exc: ValidationError, *, what: str = "request", param_prefix: str = ""
) -> InvalidRequest:
    """The problem pydantic found as a 400 naming its field (``param``, dotted).

    Of a union's alternatives (``content``: a string or a list of parts) the one that
    went deepest is the one the client meant, so that is the error shown; the names
    pydantic gives the alternatives (``str``, ``list[ContentPart]``) are left out."""
    errors = exc.errors(include_url=False, include_input=False)
    if not errors:
        return InvalidRequest(f"Invalid {what}.")
    first = max(errors, key=lambda error: len(error.get("loc", ())))
    if first.get("type") == "json_invalid":
        return _malformed(what, str(first.get("msg", "")))
    parts = [str(part) for part in first.get("loc", ()) if not _UNION_TAG.match(str(part))]
    joined = ".".join(part for part in (param_prefix.rstrip("."), *parts) if part)
    param = clean_text(joined)[:MAX_PARAM_CHARS] if joined else None
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    where = f" (at '{param}')" if param else ""
    return InvalidRequest(f"Invalid {what}: {message}{where}", param=param)


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _Refused(f"the number {literal[:20]} is out of range")
    return value


def _refuse_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON value")


def _malformed(what: str, detail: str) -> InvalidRequest:
    return InvalidRequest(
        f"Malformed JSON body: {what} is not valid JSON ({detail}).", code="invalid_json"
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
