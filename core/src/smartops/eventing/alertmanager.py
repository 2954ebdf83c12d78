"""The Alertmanager webhook (``"version": "4"``): validate it, fan it out into CloudEvents.

One CloudEvent per alert: type ``alert.firing`` or ``alert.resolved``; ``id`` derived
from the alert's fingerprint, startsAt and status, so Alertmanager's re-sends of the
same notification yield the same ids (and the handlers' dedupe drops them); ``source``
the Alertmanager's ``externalURL``; ``subject`` the alert name.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from smartops.body import MAX_BYTES, invalid_from_validation, parse_json
from smartops.errors import InvalidRequest
from smartops.eventing.envelope import CloudEvent
from smartops.eventing.models import ALERT_FIRING, ALERT_RESOLVED, AlertData
from smartops.timestamps import Timestamp

MAX_ALERTS = 1000


class WebhookAlert(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    status: Literal["firing", "resolved"]
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    startsAt: Timestamp  # noqa: N815 - Alertmanager's field names
    endsAt: Timestamp | None = None  # noqa: N815
    generatorURL: str = ""  # noqa: N815
    fingerprint: str = Field(min_length=1, max_length=128)


class Webhook(BaseModel):
    """Alertmanager's webhook body; see ``<webhook_config>`` in its configuration docs."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    version: Literal["4"]
    status: Literal["firing", "resolved"]
    receiver: str = ""
    groupKey: str = ""  # noqa: N815
    truncatedAlerts: int = Field(default=0, ge=0)  # noqa: N815
    groupLabels: dict[str, str] = Field(default_factory=dict)  # noqa: N815
    commonLabels: dict[str, str] = Field(default_factory=dict)  # noqa: N815
    commonAnnotations: dict[str, str] = Field(default_factory=dict)  # noqa: N815
    externalURL: str = Field(min_length=1)  # noqa: N815
    alerts: list[WebhookAlert] = Field(min_length=1, max_length=MAX_ALERTS)


def parse_webhook(body: bytes, *, max_bytes: int = MAX_BYTES) -> Webhook:
    """The validated webhook (timestamps with their timezone, in UTC), or InvalidRequest
    naming the first problem; the body goes through the one parser (``smartops.body``)."""
    if not body.strip():
        raise InvalidRequest("The Alertmanager webhook body is empty.")
    data = parse_json(body, what="the Alertmanager webhook", max_bytes=max_bytes)
    try:
        return Webhook.model_validate(data)
    except ValidationError as exc:
        raise invalid_from_validation(exc, what="Alertmanager webhook") from None


def event_id(fingerprint: str, starts_at: datetime, status: str) -> str:
    """Stable id of one notification of one alert: the same on every re-send."""
    key = f"{fingerprint}\0{starts_at.isoformat()}\0{status}".encode()
    return hashlib.sha256(key).hexdigest()[:32]


def _ends_at(alert: WebhookAlert) -> datetime | None:
    # Alertmanager sends endsAt 0001-01-01 (or a future time) while an alert is firing.
    if alert.status == "firing" or alert.endsAt is None or alert.endsAt.year <= 1:
        return None
    return alert.endsAt


def to_events(webhook: Webhook) -> list[CloudEvent]:
    """One CloudEvent per alert; an alert without an ``alertname`` label is rejected."""
    events: list[CloudEvent] = []
    for number, alert in enumerate(webhook.alerts):
        name = alert.labels.get("alertname", "")
        if not name:
            raise InvalidRequest(
                f"Alert {number} has no alertname label.", param=f"alerts.{number}.labels"
            )
        data = _alert_data(webhook, number, name)
        events.append(
            CloudEvent(
                type=ALERT_FIRING if alert.status == "firing" else ALERT_RESOLVED,
                source=webhook.externalURL,
                id=event_id(alert.fingerprint, alert.startsAt, alert.status),
                subject=name,
                time=data.ends_at or alert.startsAt,
                data=data.model_dump(mode="json", by_alias=True),
            )
        )
    return events


def _alert_data(webhook: Webhook, number: int, name: str) -> AlertData:
    """The event data of one alert; what the webhook allows but the event does not
    (an alert name over 256 characters) is the webhook's 400, naming the alert."""
    alert = webhook.alerts[number]
    try:
        return AlertData.model_validate(
            {
                "fingerprint": alert.fingerprint,
                "status": alert.status,
                "alertname": name,
                "labels": alert.labels,
                "annotations": alert.annotations,
                "startsAt": alert.startsAt,
                "endsAt": _ends_at(alert),
                "generatorURL": alert.generatorURL,
                "externalURL": webhook.externalURL,
                "receiver": webhook.receiver,
            }
        )
    except ValidationError as exc:
        raise invalid_from_validation(
            exc, what="Alertmanager webhook", param_prefix=f"alerts.{number}"
        ) from None
