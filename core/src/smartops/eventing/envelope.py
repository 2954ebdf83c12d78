"""CloudEvents 1.0 over HTTP, binary and structured content mode, written against the spec.

The core library does not import the ``cloudevents`` package (kserve caps it below 2,
func-python needs 2 or later), so this module implements what we need of the HTTP
protocol binding and the JSON event format: required attributes, ``ce-`` headers with
the binding's percent-encoding, ``application/cloudevents+json`` bodies, JSON data.
Anything else (a batch, non-JSON data, a missing attribute) is an ``InvalidRequest``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote_to_bytes

from pydantic import ValidationError

from smartops.body import MAX_BYTES, clean_text, invalid_from_validation, parse_json
from smartops.errors import InvalidRequest
from smartops.timestamps import parse_timestamp

SPECVERSION = "1.0"
STRUCTURED = "application/cloudevents+json"
BATCH = "application/cloudevents-batch+json"
JSON = "application/json"
REQUIRED = ("id", "source", "specversion", "type")
OPTIONAL = ("datacontenttype", "dataschema", "subject", "time")
_NAME = re.compile(r"^[a-z0-9]+$")
# Printable ASCII except space, double-quote and percent stays as it is (binding 3.1.3.2).
_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"%')


@dataclass(frozen=True)
class CloudEvent:
    """A CloudEvent whose data is JSON (a dict here)."""

    type: str
    source: str
    id: str
    data: dict[str, Any]
    subject: str | None = None
    time: datetime | None = None
    dataschema: str | None = None
    extensions: dict[str, str] = field(default_factory=dict)

    def attributes(self) -> dict[str, str]:
        """Every context attribute in its canonical string form."""
        attrs = {"specversion": SPECVERSION, "id": self.id, "source": self.source}
        attrs["type"] = self.type
        if self.subject is not None:
            attrs["subject"] = self.subject
        if self.time is not None:
            attrs["time"] = _format_time(self.time)
        if self.dataschema is not None:
            attrs["dataschema"] = self.dataschema
        attrs.update(self.extensions)
        return attrs


def _format_time(value: datetime) -> str:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.isoformat().replace("+00:00", "Z")


def encode_header(value: str) -> str:
    """Percent-encode an attribute value for an HTTP header (upper-case hex)."""
    return quote(value, safe=_SAFE)


def decode_header(value: str) -> str:
    """Undo quoted-string escaping, then one round of percent-decoding (strict UTF-8);
    characters that are not text (``%00``...) become U+FFFD, as in a JSON body."""
    value = value.strip()
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        value = re.sub(r"\\(.)", r"\1", value[1:-1])
    try:
        return clean_text(unquote_to_bytes(value).decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidRequest("A ce- header is not valid percent-encoded UTF-8.") from None


def to_binary(event: CloudEvent) -> tuple[dict[str, str], bytes]:
    """Binary content mode: attributes as ``ce-`` headers, the data as the body."""
    headers = {f"ce-{k}": encode_header(v) for k, v in event.attributes().items()}
    headers["content-type"] = JSON
    return headers, json.dumps(event.data, separators=(",", ":")).encode()


def to_structured(event: CloudEvent) -> tuple[dict[str, str], bytes]:
    """Structured content mode: the whole event as one JSON document."""
    body: dict[str, Any] = {**event.attributes(), "datacontenttype": JSON, "data": event.data}
    return {"content-type": f"{STRUCTURED}; charset=utf-8"}, json.dumps(body).encode()


def from_http(headers: Mapping[str, str], body: bytes, *, max_bytes: int = MAX_BYTES) -> CloudEvent:
    """Decode an HTTP request in either content mode; InvalidRequest if it is not one."""
    lowered = {k.lower(): v for k, v in headers.items()}
    media = lowered.get("content-type", "").split(";")[0].strip().lower()
    if media == BATCH:
        raise InvalidRequest("Batched CloudEvents are not accepted; send one event per request.")
    if media == STRUCTURED:
        return _from_structured(parse_json(body, what="the structured event", max_bytes=max_bytes))
    if "ce-specversion" in lowered:
        return _from_binary(
            lowered, media, parse_json(body, what="the event data", max_bytes=max_bytes)
        )
    raise InvalidRequest(
        "Not a CloudEvent: expected ce-* headers (binary mode) or a body of type "
        f"{STRUCTURED} (structured mode)."
    )


def _from_binary(headers: dict[str, str], media: str, data: Any) -> CloudEvent:
    attrs = {k[3:]: decode_header(v) for k, v in headers.items() if k.startswith("ce-")}
    if "datacontenttype" in attrs:
        raise InvalidRequest("Binary mode carries datacontenttype in Content-Type, not a header.")
    if media and media != JSON and not media.endswith("+json"):
        raise InvalidRequest(f"Unsupported data content type '{media}': send JSON data.")
    return _event(attrs, data)


def _from_structured(document: Any) -> CloudEvent:
    if not isinstance(document, dict):
        raise InvalidRequest("A structured CloudEvent must be a JSON object.")
    if "data_base64" in document:
        raise InvalidRequest("Binary data (data_base64) is not accepted; send JSON data.")
    media = str(document.pop("datacontenttype", JSON)).split(";")[0].strip().lower()
    if media != JSON and not media.endswith("+json"):
        raise InvalidRequest(f"Unsupported data content type '{media}': send JSON data.")
    data = document.pop("data", None)
    attrs: dict[str, str] = {}
    for key, value in document.items():
        if not isinstance(value, str | int | bool):
            raise InvalidRequest(f"The attribute '{key}' must be a string.", param=key)
        attrs[key] = str(value)
    return _event(attrs, data)


def _event(attrs: dict[str, str], data: Any) -> CloudEvent:
    missing = [name for name in REQUIRED if not attrs.get(name)]
    if missing:
        raise InvalidRequest(f"The CloudEvent lacks required attributes: {', '.join(missing)}.")
    if attrs["specversion"] != SPECVERSION:
        raise InvalidRequest(f"Unsupported specversion '{attrs['specversion']}': use 1.0.")
    if not isinstance(data, dict):
        raise InvalidRequest("The event data must be a JSON object.", param="data")
    extensions = {k: v for k, v in attrs.items() if k not in REQUIRED + OPTIONAL}
    bad = [k for k in extensions if not _NAME.match(k)]
    if bad:
        raise InvalidRequest(f"Invalid attribute names: {', '.join(bad)}.")
    return CloudEvent(
        type=attrs["type"],
        source=attrs["source"],
        id=attrs["id"],
        data=data,
        subject=attrs.get("subject"),
        time=_parse_time(attrs["time"]) if attrs.get("time") else None,
        dataschema=attrs.get("dataschema"),
        extensions=extensions,
    )


def _parse_time(value: str) -> datetime:
    """RFC 3339 with its offset (a naive time is refused), held in UTC."""
    try:
        return parse_timestamp(value)
    except ValidationError as exc:
        raise invalid_from_validation(exc, what="time attribute", param_prefix="time") from None
