"""Kubernetes actions through the service: reads, dry runs, confirmation, RBAC, audit.

Against kmock's in-memory Kubernetes API (no kube-apiserver can run here) and a real
redis-server for the confirmation tokens and the audit stream.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis
import redis.asyncio as aioredis

from smartops.actions import audit
from smartops.actions.service import ActionService
from smartops.config import Settings
from smartops.errors import InvalidRequest
from smartops.metrics import Metrics
from smartops.turn import Principal
from tests.actions.conftest import Kube
from tests.actions.world import CANARY_JWT, CANARY_PASSWORD, POLICY

pytestmark = pytest.mark.integration
ALICE = Principal("u-alice", role="user", email="alice@example.com")
BOB = Principal("u-bob", role="user", email="bob@example.com")
CAROL = Principal("u-carol", role="user", email="carol@example.com")
STREAM = "test:audit"


@pytest.fixture
async def service(kube: Kube, redis_url: str, tmp_path: Path) -> AsyncIterator[ActionService]:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    settings = Settings(
        actions_kubeconfig=kube.kubeconfig,
        actions_policy_file=policy,
        redis_url=redis_url,
        actions_audit_stream=STREAM,
    )
    client = aioredis.Redis.from_url(redis_url)
    await client.delete(STREAM)
    svc = ActionService.build(settings.actions, Metrics(), client)
    yield svc
    await svc.aclose()
    await client.aclose()


def _deployment(kube: Kube, name: str = "api") -> dict:  # type: ignore[type-arg]
    return dict(kube.emulator.objects["apps/v1/deployments", "shop", name].raw)


async def _records(redis_url: str) -> list[dict]:  # type: ignore[type-arg]
    client = aioredis.Redis.from_url(redis_url)
    try:
        return await audit.tail(client, STREAM, 100)
    finally:
        await client.aclose()


async def test_crashlooping_pods_are_a_table(service: ActionService) -> None:
    outcome = await service.run(
        BOB, "get_pods", {"namespace": "payments", "reason": "CrashLoopBackOff"}
    )
    assert outcome.status == "ok"
    assert "| payments | api-1 | 0/1 | CrashLoopBackOff | 7 |" in outcome.text
    assert "worker-1" in outcome.text and "ledger-1" not in outcome.text
    assert "_2 pods_" in outcome.text


async def test_big_lists_are_cut(service: ActionService) -> None:
    outcome = await service.run(BOB, "get_pods", {"namespace": "batch"})
    assert "showing 20 of 25 pods" in outcome.text


async def test_restart_is_previewed_then_runs_only_for_the_same_user(
    service: ActionService, kube: Kube, redis_url: str
) -> None:
    before = _deployment(kube)
    pending = await service.run(ALICE, "rollout_restart", {"namespace": "shop", "name": "api"})
    assert pending.status == "pending" and pending.token
    assert "kubectl.kubernetes.io/restartedAt" in pending.text
    assert f"confirm {pending.token}" in pending.text
    assert _deployment(kube) == before  # the dry run stored nothing

    stolen = await service.decide(BOB, pending.token, True)
    assert stolen.status == "denied" and _deployment(kube) == before

    done = await service.decide(ALICE, pending.token, True)
    assert done.status == "ok", done.text
    annotations = _deployment(kube)["spec"]["template"]["metadata"]["annotations"]
    assert "kubectl.kubernetes.io/restartedAt" in annotations

    again = await service.decide(ALICE, pending.token, True)
    assert again.status == "expired"  # single use

    decisions = [
        (r["action"], r["decision"], r["outcome"], r["email"]) for r in await _records(redis_url)
    ]
    assert decisions == [
        ("rollout_restart", "needs_confirmation", "pending", "alice@example.com"),
        ("", "denied", "refused", "bob@example.com"),
        ("rollout_restart", "confirmed", "ok", "alice@example.com"),
    ]


async def test_scale_dry_run_then_confirm(service: ActionService, kube: Kube) -> None:
    pending = await service.run(ALICE, "scale", {"namespace": "shop", "name": "web", "replicas": 5})
    assert "| deployment shop/web | spec.replicas | 2 | 5 |" in pending.text
    assert _deployment(kube, "web")["spec"]["replicas"] == 2
    await service.decide(ALICE, pending.token, True)
    assert _deployment(kube, "web")["spec"]["replicas"] == 5


async def test_cancel_drops_the_change(service: ActionService, kube: Kube) -> None:
    pending = await service.run(ALICE, "scale", {"namespace": "shop", "name": "web", "replicas": 0})
    cancelled = await service.decide(ALICE, pending.token, False)
    assert cancelled.status == "cancelled"
    assert (await service.decide(ALICE, pending.token, True)).status == "expired"
    assert _deployment(kube, "web")["spec"]["replicas"] == 2


async def test_undo_goes_back_to_the_previous_revision(service: ActionService, kube: Kube) -> None:
    pending = await service.run(ALICE, "rollout_undo", {"namespace": "shop", "name": "api"})
    assert "registry/api:2.0 | registry/api:1.0" in pending.text
    await service.decide(ALICE, pending.token, True)
    containers = _deployment(kube)["spec"]["template"]["spec"]["containers"]
    assert containers[0]["image"] == "registry/api:1.0"


async def test_users_without_rights_are_refused(
    service: ActionService, kube: Kube, redis_url: str
) -> None:
    before = _deployment(kube)
    by_policy = await service.run(BOB, "rollout_restart", {"namespace": "shop", "name": "api"})
    assert by_policy.status == "denied" and "No role of yours" in by_policy.text
    by_rbac = await service.run(CAROL, "rollout_restart", {"namespace": "shop", "name": "api"})
    assert by_rbac.status == "denied" and "SubjectAccessReview" in by_rbac.text
    assert _deployment(kube) == before
    decisions = [(r["email"], r["decision"]) for r in await _records(redis_url)]
    assert decisions == [("bob@example.com", "denied"), ("carol@example.com", "denied")]


async def test_rights_are_checked_again_at_confirmation(service: ActionService, kube: Kube) -> None:
    pending = await service.run(ALICE, "scale", {"namespace": "shop", "name": "web", "replicas": 4})
    kube.emulator.rbac.discard(("alice@example.com", "patch", "deployments/scale", "shop"))
    refused = await service.decide(ALICE, pending.token, True)
    assert refused.status == "denied"
    assert _deployment(kube, "web")["spec"]["replicas"] == 2


async def test_tokens_expire(kube: Kube, redis_url: str, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    settings = Settings(
        actions_kubeconfig=kube.kubeconfig, actions_policy_file=policy, actions_confirm_ttl_s=10
    )
    client = aioredis.Redis.from_url(redis_url)
    svc = ActionService.build(settings.actions, Metrics(), client)
    try:
        pending = await svc.run(ALICE, "scale", {"namespace": "shop", "name": "web", "replicas": 3})
        sync = redis.Redis.from_url(redis_url)
        sync.pexpire(f"smartops:actions:confirm:{pending.token}", 1)  # as if 10 s went by
        sync.close()
        import asyncio

        await asyncio.sleep(0.05)
        assert (await svc.decide(ALICE, pending.token, True)).status == "expired"
        assert _deployment(kube, "web")["spec"]["replicas"] == 2
    finally:
        await svc.aclose()
        await client.aclose()


async def test_canaries_never_leave_masked(service: ActionService, redis_url: str) -> None:
    shown = []
    for name, args in [
        ("describe_pod", {"namespace": "shop", "name": "api-7d9f-x2"}),
        ("pod_logs", {"namespace": "shop", "name": "api-7d9f-x2"}),
        ("search_logs", {"text": "password", "namespace": "shop"}),
        ("get_events", {"namespace": "shop"}),
    ]:
        shown.append((await service.run(BOB, name, args)).text)
    text = "\n".join(shown) + json.dumps(await _records(redis_url))
    assert "connecting with password=****" in text
    assert CANARY_PASSWORD not in text and CANARY_JWT not in text


async def test_bad_arguments_are_refused_and_audited(
    service: ActionService, redis_url: str
) -> None:
    with pytest.raises(InvalidRequest):
        await service.run(BOB, "scale", {"namespace": "shop", "name": "api", "replicas": -3})
    assert [r["decision"] for r in await _records(redis_url)] == ["invalid"]


async def test_missing_objects_say_so(service: ActionService) -> None:
    outcome = await service.run(BOB, "describe_pod", {"namespace": "shop", "name": "nope"})
    assert outcome.status == "error" and "Not found" in outcome.text
