"""The one timestamp type of every event and store: timezone-aware, held in UTC.

Comparing a naive datetime with an aware one raises ``TypeError``, so a single naive
timestamp let into a store breaks every later comparison (every alert question failed
until the store was edited by hand). Two types close that door:

- ``Timestamp``, for what arrives (Alertmanager webhooks, CloudEvents and their data):
  a timestamp without a timezone is refused (400, "Input should have timezone info").
  RFC 3339, which both Alertmanager and CloudEvents use, requires the offset, so a
  naive one is a malformed input, not a local time to guess at.
- ``StoredTimestamp``, for what is read back from a store: a naive value, as older
  versions may have written, is read as UTC (they only ever meant UTC), so a store can
  never hold a value that fails to load or to compare.

Both convert to UTC (``datetime.timezone.utc``), so every value compares with every
other and prints as UTC. A timestamp whose UTC time falls outside the years 1-9999
(``0001-01-01T00:00:00+01:00``) is refused as out of range instead of overflowing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, TypeAdapter


def to_utc(value: datetime) -> datetime:
    """``value`` in UTC; a naive one is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError("the timestamp is out of range once converted to UTC") from None


Timestamp = Annotated[AwareDatetime, AfterValidator(to_utc)]
StoredTimestamp = Annotated[datetime, AfterValidator(to_utc)]

_TIMESTAMP: TypeAdapter[datetime] = TypeAdapter(Timestamp)


def parse_timestamp(value: str) -> datetime:
    """An RFC 3339 string as an aware UTC datetime; ``pydantic.ValidationError`` if not."""
    return _TIMESTAMP.validate_python(value)


def utc_now() -> datetime:
    return datetime.now(UTC)
