"""The CloudEvent types smartops produces and consumes, and a model for each one's data.

These models are the single source of the event catalog: ``eventing/catalog/<type>.json``
is generated from them (``smartops events catalog --write eventing/catalog``) and a test
fails when the committed catalog differs from what they generate.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from smartops.body import name_problem
from smartops.timestamps import Timestamp

ALERT_FIRING = "dev.smartops.alert.firing.v1"
ALERT_RESOLVED = "dev.smartops.alert.resolved.v1"
DOCS_CHANGED = "dev.smartops.docs.changed.v1"
REINDEX_SCHEDULED = "dev.smartops.reindex.scheduled.v1"
REINDEX_COMPLETED = "dev.smartops.reindex.completed.v1"

AlertStatus = Literal["firing", "resolved"]
COLLECTION_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"
MAX_PATH_CHARS = 4096  # PATH_MAX
MAX_PATH_PART_BYTES = 255  # NAME_MAX


def _path(value: str) -> str:
    """A path as a name: plain text (no NUL, control character or U+FFFD), bounded
    in length and in the length of each part (what a file system accepts)."""
    problem = name_problem(value, max_chars=MAX_PATH_CHARS)
    if problem is None:
        longest = max(len(part.encode()) for part in value.split("/"))
        if longest > MAX_PATH_PART_BYTES:
            problem = f"a part has {longest} bytes (limit {MAX_PATH_PART_BYTES})"
    if problem is not None:
        raise ValueError(f"not a usable path: {problem}")
    return value


DocPath = Annotated[str, Field(max_length=MAX_PATH_CHARS), AfterValidator(_path)]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AlertData(_Data):
    """One Alertmanager alert (the data of alert.firing and alert.resolved)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    fingerprint: str = Field(min_length=1, max_length=128, description="Alertmanager's id.")
    status: AlertStatus
    alertname: str = Field(min_length=1, max_length=256)
    labels: dict[str, str] = Field(description="All labels, alertname included.")
    annotations: dict[str, str] = Field(default_factory=dict)
    starts_at: Timestamp = Field(alias="startsAt")
    ends_at: Timestamp | None = Field(
        default=None, alias="endsAt", description="Absent while the alert is firing."
    )
    generator_url: str = Field(default="", alias="generatorURL")
    external_url: str = Field(default="", alias="externalURL")
    receiver: str = ""


class DocsChangedData(_Data):
    """Docs or runbooks changed: re-ingest these paths (files or folders)."""

    paths: list[DocPath] = Field(min_length=1, max_length=1000)
    collection: str | None = Field(default=None, pattern=COLLECTION_PATTERN)
    reason: str = Field(default="", max_length=500, description="A commit id, a PR...")


class ReindexScheduledData(_Data):
    """A scheduled full incremental reindex (from the PingSource)."""

    scope: Literal["full"] = "full"
    collection: str | None = Field(default=None, pattern=COLLECTION_PATTERN)


class ReindexCompletedData(_Data):
    """What one reindex run did: published after every run, recorded in the run log."""

    run_id: str
    trigger: str = Field(description="The event type or command that started the run.")
    collection: str
    status: Literal["ok", "failed"]
    documents: int = Field(ge=0)
    chunks: int = Field(ge=0)
    new: int = Field(ge=0)
    updated: int = Field(ge=0)
    deleted: int = Field(ge=0)
    errors: list[str] = Field(default_factory=list)
    duration_s: float = Field(ge=0)
    recall: float | None = Field(default=None, ge=0, le=1, description="Canary recall@k.")
    generation: int | None = Field(default=None, description="Knowledge generation after.")


DATA_MODELS: dict[str, type[_Data]] = {
    ALERT_FIRING: AlertData,
    ALERT_RESOLVED: AlertData,
    DOCS_CHANGED: DocsChangedData,
    REINDEX_SCHEDULED: ReindexScheduledData,
    REINDEX_COMPLETED: ReindexCompletedData,
}
EVENT_TYPES = tuple(DATA_MODELS)


def data_schema(event_type: str) -> dict[str, Any]:
    """The JSON schema of one event type's data, as the catalog holds it."""
    model = DATA_MODELS[event_type]
    schema = model.model_json_schema(by_alias=True, mode="validation")
    schema.pop("title", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://smartops.dev/events/{event_type}.json",
        "title": event_type,
        "x-cloudevent-type": event_type,
        "x-model": model.__name__,
        **schema,
    }
