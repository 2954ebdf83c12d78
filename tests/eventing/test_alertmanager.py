"""The Alertmanager webhook: validation and the fan-out into one CloudEvent per alert."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from smartops.errors import InvalidRequest
from smartops.eventing.alertmanager import parse_webhook, to_events
from smartops.eventing.envelope import CloudEvent
from smartops.eventing.models import ALERT_FIRING, ALERT_RESOLVED, AlertData

DATA = Path(__file__).parent / "data"


def payload() -> dict[str, Any]:
    body: dict[str, Any] = json.loads((DATA / "webhook.json").read_text())
    return body


def events_of(body: dict[str, Any]) -> list[CloudEvent]:
    return to_events(parse_webhook(json.dumps(body).encode()))


def test_one_event_per_alert_with_source_subject_and_type() -> None:
    events = events_of(payload())
    assert [e.subject for e in events] == ["PaymentsHighErrorRate", "KubePodCrashLooping"]
    assert {e.type for e in events} == {ALERT_FIRING}
    assert {e.source for e in events} == {"http://alertmanager.monitoring:9093"}
    data = AlertData.model_validate(events[0].data)
    assert data.labels["namespace"] == "payments"
    assert data.ends_at is None  # Alertmanager's 0001-01-01 means "still firing"
    assert data.annotations["runbook_url"].endswith("/paymentshigherrorrate")


def test_ids_are_stable_across_resends_and_change_with_status() -> None:
    first = [e.id for e in events_of(payload())]
    body = payload()
    body["groupKey"] = "another group"  # a re-send may come in another group
    assert [e.id for e in events_of(body)] == first
    assert len(set(first)) == 2
    body["alerts"][0]["status"] = "resolved"
    body["alerts"][0]["endsAt"] = "2026-11-24T10:05:00Z"
    resolved = events_of(body)[0]
    assert resolved.type == ALERT_RESOLVED
    assert resolved.id != first[0]
    assert AlertData.model_validate(resolved.data).ends_at is not None


def _broken(change: str) -> bytes:
    body = payload()
    if change == "version":
        body["version"] = "3"
    elif change == "no alerts":
        body["alerts"] = []
    elif change == "label type":
        body["alerts"][0]["labels"]["severity"] = 2
    elif change == "no alertname":
        del body["alerts"][1]["labels"]["alertname"]
    elif change == "bad time":
        body["alerts"][0]["startsAt"] = "yesterday"
    elif change == "no fingerprint":
        del body["alerts"][0]["fingerprint"]
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        ((DATA / "webhook.json").read_bytes()[:300], "not valid JSON"),
        (b"[1, 2]", "Invalid Alertmanager webhook"),
        (_broken("version"), "version"),
        (_broken("no alerts"), "alerts"),
        (_broken("label type"), "alerts.0.labels.severity"),
        (_broken("no alertname"), "no alertname"),
        (_broken("bad time"), "startsAt"),
        (_broken("no fingerprint"), "fingerprint"),
    ],
)
def test_malformed_and_truncated_payloads_are_invalid_requests(body: bytes, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message) as caught:
        to_events(parse_webhook(body))
    assert caught.value.status == 400
