"""``kill -9`` of the whole stack: nothing is left running, and a restart keeps the data.

Before, each server ran in its own session and outlived the stack on its port; the next
start then ran a second Redis over the same files, and Redis kept its state in a
snapshot taken once a minute.
"""

from __future__ import annotations

import hashlib
from functools import partial
from pathlib import Path

import httpx
import pytest
import redis

from smartops.cache.generation import GENERATION_KEY
from smartops.config import Settings
from smartops.stack.components import redis_binary, start_redis
from smartops.stack.procs import Child, Supervisor, free_port
from tests.stack.conftest import alive, running_stack, stream_field, wait_until

pytestmark = pytest.mark.integration


def test_kill_9_of_the_stack_leaves_no_process_and_a_restart_keeps_redis_data(
    stack_dir: Path, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "restart.md").write_text("# Restarts\n\n## Rollout\n\nUse a rollout restart.\n")
    env = {"SMARTOPS_KNOWLEDGE_PATHS": str(docs)}
    with running_stack(stack_dir, env) as stack:
        state = stack.state
        pids = {"gateway": state.pid, **{n: c.pid for n, c in state.children.items()}}
        assert set(pids) == {"gateway", "redis", "llm"}
        assert all(alive(pid) for pid in pids.values())
        client = redis.Redis.from_url(state.children["redis"].url, socket_timeout=2)
        client.xadd("smartops:test:runs", {"run": "completed just before the crash"})
        client.set("smartops:test:confirmation", "pending")
        # An action (no cluster: it fails, and the failure is audited) and the knowledge.
        said = {
            "model": "smartops",
            "messages": [{"role": "user", "content": "show pods in namespace shop"}],
        }
        assert httpx.post(f"{stack.url}/chat/completions", json=said, timeout=60).is_success
        audit = stream_field(client, "smartops:audit", b"record")
        generation = client.get(GENERATION_KEY)
        index = _index_digest(stack_dir)
        assert audit and generation and index
        stack.kill_group()
        for name, pid in pids.items():
            wait_until(partial(gone, pid), 5, f"{name} (pid {pid}) gone")
    assert (stack_dir / "redis" / "appendonlydir").is_dir()
    with running_stack(stack_dir, env) as again:
        client = redis.Redis.from_url(again.state.children["redis"].url, socket_timeout=2)
        runs = stream_field(client, "smartops:test:runs", b"run")
        assert runs == [b"completed just before the crash"]
        assert client.get("smartops:test:confirmation") == b"pending"
        assert stream_field(client, "smartops:audit", b"record") == audit
        # The same files indexed again: the index is as it was and no generation bump.
        assert client.get(GENERATION_KEY) == generation
        assert _index_digest(stack_dir) == index


def _index_digest(data: Path) -> str:
    files = sorted(p for p in (data / "index").rglob("*") if p.is_file())
    return hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest() if files else ""


def test_a_snapshot_from_before_the_aof_is_loaded_and_converted(stack_dir: Path) -> None:
    """A data dir written with snapshots only is not started empty (Redis would, with
    ``appendonly yes`` and no AOF): it is loaded, converted, and kept after a restart."""
    data = stack_dir / "redis"
    data.mkdir(parents=True)
    port = free_port()
    argv = [redis_binary(), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data)]
    old = Child("old-redis", [*argv, "--appendonly", "no"], stack_dir / "old.log")
    url = f"redis://127.0.0.1:{port}/0"
    Supervisor().start(old, lambda: _pings(url), 30)
    redis.Redis.from_url(url).set("smartops:test:old", "kept")
    redis.Redis.from_url(url).save()
    old.stop()
    assert (data / "dump.rdb").exists() and not (data / "appendonlydir").exists()

    for _ in range(2):  # converted on the first start, loaded from the AOF on the second
        supervisor = Supervisor()
        try:
            url = start_redis(Settings(data_dir=stack_dir), supervisor)
            assert redis.Redis.from_url(url).get("smartops:test:old") == b"kept"
        finally:
            supervisor.stop_all()
        assert (data / "appendonlydir").is_dir()


def _pings(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=0.2).ping())
    except redis.RedisError:
        return False


def gone(pid: int) -> bool:
    return not alive(pid)
