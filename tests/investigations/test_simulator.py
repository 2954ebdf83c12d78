"""The Kubernetes API simulator: scenario folders load as written, the official client
and the actions work against it (reads, a dry run, a confirmed write), and it answers
pods/log and metadata-only reads the way the API server does."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from smartops.actions.k8s import Kube
from smartops.actions.service import ActionService
from smartops.config import Settings
from smartops.errors import InvalidRequest
from smartops.investigate import KubeReads
from smartops.metrics import Metrics
from smartops.sandbox import Simulator, load, resolve_scenario, running_simulator
from smartops.turn import Principal

POD = """apiVersion: v1
kind: Pod
metadata: {name: two, namespace: t}
spec: {containers: [{name: a}, {name: b}]}
status: {phase: Running, containerStatuses: [{name: a, restartCount: 0}, {name: b}]}
"""


def _folder(tmp_path: Path, cluster: str, logs: dict[str, str] | None = None) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "cluster.yaml").write_text(cluster)
    for rel, text in (logs or {}).items():
        (tmp_path / "logs" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "logs" / rel).write_text(text)
    return tmp_path


def test_scenario_format(tmp_path: Path) -> None:
    listed = (
        "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, "
        "metadata: {name: c}}\n---\n" + POD + "---\n"
    )
    folder = _folder(tmp_path, listed, {"t/two/a.log": "now\n", "t/two/a.previous.log": "then\n"})
    scenario = load(folder)
    assert [o["kind"] for o in scenario.objects] == ["ConfigMap", "Pod"]
    assert scenario.objects[0]["metadata"]["namespace"] == "default"
    assert scenario.logs == {("t", "two", "a", False): "now\n", ("t", "two", "a", True): "then\n"}
    (folder / "cluster.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {}\n")
    with pytest.raises(InvalidRequest, match=r"no metadata\.name"):
        load(folder)


def test_timestamps_move_so_the_newest_is_a_minute_ago() -> None:
    now = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    scenario = load("demo", rebase=True, now=now)
    node = next(o for o in scenario.objects if o["kind"] == "Node")
    beats = {c["lastHeartbeatTime"] for c in node["status"]["conditions"]}
    assert beats == {"2030-01-01T11:59:00Z"}  # the newest stamp of the demo
    events = [e["lastTimestamp"] for e in scenario.objects if e["kind"] == "Event"]
    assert all("2030-01-01T11:" in stamp for stamp in events)


def test_unknown_scenario_names_the_shipped_ones() -> None:
    with pytest.raises(InvalidRequest, match="demo"):
        resolve_scenario("no-such-scenario")


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Simulator]:
    with running_simulator("demo", tmp_path) as sim:
        yield sim


async def test_logs_and_metadata_only_reads(demo: Simulator, tmp_path: Path) -> None:
    kube = Kube(Settings().with_changes(**demo.settings_changes()).actions)
    reads = KubeReads(kube)
    try:
        pod = "cart-6f7d9c8b5-x8k2p"
        assert "cache warm" in (
            await reads.logs("shop", pod, "cart", previous=True, tail=50, limit=10_000) or ""
        )
        never = "frontend-7d4c9b8f6a-r2k9p"  # never restarted: no previous container
        assert await reads.logs("shop", never, "web", previous=True, tail=5, limit=100) is None
        assert await reads.exists("Secret", "shop-db", "shop") is True
        assert await reads.exists("Secret", "nope", "shop") is False
        raw = await kube.call(
            kube.core().read_namespaced_secret,
            "shop-db",
            "shop",
            _headers={"Accept": "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"},
        )
        assert raw["kind"] == "PartialObjectMetadata" and "data" not in raw
    finally:
        kube.close()


async def test_a_pod_with_two_containers_needs_one_named(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "s", POD, {"t/two/a.log": "a\n", "t/two/b.log": "b\n"})
    with running_simulator(folder, tmp_path / "w") as sim:
        kube = Kube(Settings().with_changes(**sim.settings_changes()).actions)
        try:
            with pytest.raises(InvalidRequest, match="a container name must be specified"):
                await kube.call(kube.core().read_namespaced_pod_log, "two", "t", raw=True)
            text = await kube.call(
                kube.core().read_namespaced_pod_log, "two", "t", raw=True, container="b"
            )
            assert text == "b\n"
        finally:
            kube.close()


USER = Principal("u-1", role="user", email="dev@example.com")


@pytest.fixture
async def service(demo: Simulator, redis_url: str) -> AsyncIterator[ActionService]:
    """The actions service against the demo simulator, with its audit in real Redis."""
    settings = Settings(redis_url=redis_url, actions_audit_stream="test:sim-audit").with_changes(
        **demo.settings_changes()
    )
    client = aioredis.Redis.from_url(redis_url)
    actions = ActionService.build(settings.actions, Metrics(), client)
    try:
        yield actions
    finally:
        await actions.aclose()
        await client.aclose()


@pytest.mark.integration
async def test_actions_read_dry_run_and_confirm_against_the_demo(
    demo: Simulator, service: ActionService
) -> None:
    pods = await service.run(USER, "get_pods", {"namespace": "shop", "reason": "OOMKilled"})
    assert pods.status == "ok" and "cart-6f7d9c8b5-x8k2p" in pods.text
    preview = await service.run(USER, "rollout_undo", {"namespace": "shop", "name": "catalog"})
    assert preview.status == "pending"
    assert "3.1.0-rc1" in preview.text and "3.0.4" in preview.text
    key = ("apps/v1/deployments", "shop", "catalog")
    before = json.dumps(demo.emulator.objects[key].raw)
    assert "3.1.0-rc1" in before  # the dry run changed nothing
    done = await service.decide(USER, preview.token, confirm=True)
    assert done.status == "ok", done.text
    assert "catalog:3.0.4" in json.dumps(demo.emulator.objects[key].raw)


@pytest.mark.integration
async def test_a_missing_object_is_reported_as_a_real_api_server_words_it(
    service: ActionService,
) -> None:
    """Not the emulator's hint for test authors: the API server's own 404 message, with
    the actions' lead-in in the user's language."""
    english = await service.run(USER, "rollout_status", {"namespace": "shop", "name": "nope"})
    assert english.text == (
        '`rollout_status` did not run: Not found in the cluster: deployments.apps "nope" not found'
    )
    russian = await service.run(USER, "describe_pod", {"namespace": "shop", "name": "nope-1"}, "ru")
    assert russian.text == (
        '`describe_pod` не выполнено: В кластере не найдено: pods "nope-1" not found'  # noqa: RUF001
    )
    assert "kmock" not in english.text + russian.text
