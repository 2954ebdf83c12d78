"""Collection is bounded (calls, bytes, time), survives refusals, never reads a Secret,
and records every read as the kubectl command that would have made it."""

from __future__ import annotations

import asyncio

from smartops.errors import PermissionDenied
from smartops.investigate import Limits, Target, investigate
from smartops.sandbox.memory import MemoryReads
from tests.investigations import objects as o
from tests.investigations.conftest import Investigate

POD = "api-5d4c3b2a1f-x1y2z"


def _cluster() -> list[dict[str, object]]:
    spec = {
        "containers": [
            {
                "name": "app",
                "env": [
                    {
                        "name": "TOKEN",
                        "valueFrom": {"secretKeyRef": {"name": "api-token", "key": "t"}},
                    }
                ],
            }
        ]
    }
    secret = o.obj("Secret", "api-token", data={"t": "c2VjcmV0LXZhbHVl"})
    return [
        o.pod(statuses=[o.crashing()], spec=spec),
        o.replicaset(),
        o.deployment(),
        o.node(),
        secret,
    ]


async def test_reads_stop_at_the_call_budget(run: Investigate) -> None:
    report = await run(
        Target(kind="pod", name=POD, namespace=o.NS), _cluster(), limits=Limits(max_calls=3)
    )
    done = [r for r in report.reads if r.outcome != "skipped"]
    assert len(done) == 3
    assert any(r.outcome == "skipped" for r in report.reads)
    assert report.limited == ["call budget (3 calls) reached"]


async def test_reads_stop_at_the_byte_budget(run: Investigate) -> None:
    cluster = _cluster()
    cluster[0]["metadata"]["annotations"] = {"note": "x" * 20_000}  # a 20 kB pod
    report = await run(
        Target(kind="pod", name=POD, namespace=o.NS), cluster, limits=Limits(max_bytes=10_000)
    )
    assert any("byte budget" in why for why in report.limited)
    assert sum(r.bytes for r in report.reads) < 30_000  # one read over, then no more


async def test_slow_backend_is_cut_at_the_time_budget() -> None:
    class Slow(MemoryReads):
        async def logs(self, *args: object, **kwargs: object) -> str | None:
            await asyncio.sleep(5)
            return "never"

    reads = Slow(_cluster())
    report = await investigate(
        Target(kind="pod", name=POD, namespace=o.NS), reads, limits=Limits(timeout_s=0.3)
    )
    assert report.elapsed_ms < 4000  # it did not wait for the 5 s read
    assert any(
        r.command.startswith("kubectl logs") and r.outcome == "skipped" for r in report.reads
    )
    assert report.findings  # the status alone still explains the crash


async def test_a_forbidden_read_is_recorded_and_the_rest_goes_on() -> None:
    class NoLogs(MemoryReads):
        async def logs(self, *args: object, **kwargs: object) -> str | None:
            raise PermissionDenied("The cluster refused: pods/log is forbidden")

    report = await investigate(Target(kind="pod", name=POD, namespace=o.NS), NoLogs(_cluster()))
    forbidden = [r for r in report.reads if r.outcome == "forbidden"]
    assert forbidden and forbidden[0].command.startswith("kubectl logs")
    assert report.findings[0].analyzer == "crash_loop"


async def test_secrets_are_only_checked_to_exist() -> None:
    reads = MemoryReads(_cluster())  # its get/list of a Secret raises
    report = await investigate(Target(kind="pod", name=POD, namespace=o.NS), reads)
    assert ("exists", "Secret") in reads.calls
    assert ("get", "Secret") not in reads.calls and ("list", "Secret") not in reads.calls
    assert "c2VjcmV0LXZhbHVl" not in report.model_dump_json()
    assert any(r.command == f"kubectl get secret api-token -n {o.NS} -o name" for r in report.reads)


async def test_without_namespace_the_name_is_found_or_disambiguated(run: Investigate) -> None:
    found = await run(Target(kind="pod", name=POD), _cluster())
    assert found.found and found.resolved == f"pod {o.NS}/{POD}"
    twin = o.pod()
    twin["metadata"]["namespace"] = "other"
    both = await run(Target(kind="pod", name=POD), [*_cluster(), twin])
    assert not both.found and both.candidates == [f"other/{POD}", f"{o.NS}/{POD}"]


async def test_pod_named_like_its_deployment_resolves_to_the_workload(run: Investigate) -> None:
    report = await run(Target(kind="pod", name="api", namespace=o.NS), _cluster())
    assert report.resolved == f"deployment {o.NS}/api"
    missing = await run(Target(kind="pod", name="nope", namespace=o.NS), _cluster())
    assert not missing.found and missing.findings == []


async def test_prometheus_not_configured_is_not_a_read(run: Investigate) -> None:
    report = await run(Target(kind="pod", name=POD, namespace=o.NS), _cluster())
    assert not any(r.command.startswith("promql") for r in report.reads)
