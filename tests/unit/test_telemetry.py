"""Telemetry tested against itself: every stage label the dashboard, the PrometheusRule
and the docs name is one the gateway really emits, once requests went through each stage."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from smartops.config import Settings
from smartops.gateway import create_app
from smartops.metrics import STAGES
from smartops.services import build_services
from tests.support.recorder import recording_upstream

REPO = Path(__file__).resolve().parents[2]
WEBHOOK = REPO / "tests" / "eventing" / "data" / "webhook.json"
_LABEL = re.compile(r'stage=\\?"([a-z_]+)\\?"')
_MATCH = re.compile(r'stage=~\\?"([a-z_|]+)\\?"')


def named_stages() -> dict[str, set[str]]:
    """Stage label values each place names: dashboard, rules, README and docs."""
    places = {
        "dashboard": REPO / "infra/base/monitoring/smartops-dashboard.json",
        "rules": REPO / "infra/base/monitoring/rules.yaml",
    }
    found: dict[str, set[str]] = {}
    for name, path in places.items():
        text = path.read_text()
        values = set(_LABEL.findall(text))
        values |= {v for m in _MATCH.findall(text) for v in m.split("|")}
        found[name] = values
    readme = (REPO / "README.md").read_text()
    listed = re.search(r"smartops_stage_duration_seconds` \(stage: ([a-z_, \n]+)\)", readme)
    assert listed, "the README lists the stage label values"
    found["readme"] = {v.strip() for v in listed.group(1).split(",")}
    return found


def emitted_stages(metrics_text: str) -> set[str]:
    return set(
        re.findall(r'smartops_stage_duration_seconds_count\{stage="([a-z_.]+)"\}', metrics_text)
    )


def test_the_places_name_stages_at_all() -> None:
    found = named_stages()
    assert found["dashboard"] >= set(STAGES)  # a panel per stage
    assert "llm_ttft" in found["rules"] and "knowledge" in found["rules"]


@pytest.mark.integration
async def test_every_named_stage_is_emitted(tmp_path: Path, redis_url: str) -> None:
    with recording_upstream() as rec:
        settings = Settings(
            data_dir=tmp_path,
            llm_base_url=f"{rec.url}/v1",
            redis_url=redis_url.rsplit("/", 1)[0] + "/7",
            cag_paths=[str(REPO / "tests" / "cache" / "data" / "docs")],
            answer_mode="synthesize",  # the extract, then the (echo) model: every stage
        )
        services = build_services(settings)
        for work in services.startup:
            await work()
        transport = httpx.ASGITransport(app=create_app(services))
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            webhook = await client.post(
                "/webhooks/alertmanager", json=json.loads(WEBHOOK.read_text())
            )
            assert webhook.status_code == 200, webhook.text
            for question in (
                "Which alerts are firing in namespace payments?",
                "show pods in namespace payments",
                "What does the KubePodCrashLooping alert mean?",
            ):
                body = {"model": "smartops", "messages": [{"role": "user", "content": question}]}
                answer = await client.post("/v1/chat/completions", json=body)
                assert answer.status_code == 200, answer.text
            text = (await client.get("/metrics")).text
        await services.aclose()
    emitted = emitted_stages(text)
    assert set(STAGES) <= emitted, f"never emitted: {set(STAGES) - emitted}"
    for place, values in named_stages().items():
        assert values <= emitted, f"{place} names stages never emitted: {values - emitted}"
