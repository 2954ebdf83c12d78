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

from smartops.errors import InvalidRequest
from smartops.eventing.envelope import CloudEvent
from smartops.eventing.models import ALERT_FIRING, ALERT_RESOLVED, AlertData

MAX_ALERTS = 1000


class WebhookAlert(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    status: Literal["firing", "resolved"]
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    startsAt: datetime  # noqa: N815 - Alertmanager's field names
    endsAt: datetime | None = None  # noqa: N815
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


def parse_webhook(body: bytes) -> Webhook:
    """The validated webhook, or InvalidRequest naming the first problem."""
    if not body.strip():
        raise InvalidRequest("The Alertmanager webhook body is empty.")
    try:
        return Webhook.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or None
        if first.get("type") == "json_invalid":
            message = f"The Alertmanager webhook is not valid JSON ({first.get('msg')})."
        else:
            message = f"Invalid Alertmanager webhook: {where or 'body'}: {first.get('msg')}."
        raise InvalidRequest(message, param=where) from None


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
        data = AlertData.model_validate(
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
