"""One embedded stack, its children killed one by one: each comes back, with its data.

Also: the LLM is never interrupted by readiness probes or by a second request (they
wait for their turn), and a second stack on the same data dir is refused.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from tests.stack.conftest import (
    Stack,
    alive,
    running_stack,
    start_stack,
    stream_field,
    wait_until,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("stack") / "data") as running:
        yield running


def restarted(stack: Stack, name: str, old_pid: int) -> bool:
    state = stack.state
    return (
        name in state.children
        and state.children[name].pid != old_pid
        and alive(state.children[name].pid)
    )


def test_readyz_stays_200_while_concurrent_answers_queue_instead_of_interrupting(
    stack: Stack,
) -> None:
    answers: list[tuple[str, str | None]] = []
    questions = ["What is a Kubernetes pod?", "What does a Deployment do?", "What is etcd?"]
    threads = [
        threading.Thread(target=lambda q=q: answers.append(stack.chat(q, max_tokens=40)))
        for q in questions
    ]
    for thread in threads:
        thread.start()
    probes = []
    while any(t.is_alive() for t in threads):
        probes.append(httpx.get(f"{stack.root}/readyz", timeout=5).status_code)
        time.sleep(0.5)
    for thread in threads:
        thread.join()
    assert len(answers) == 3
    assert all(text.strip() for text, _ in answers), answers
    assert all(finish in ("stop", "length") for _, finish in answers), answers
    assert probes and set(probes) == {200}, probes


def test_a_killed_redis_is_restarted_on_its_port_with_its_data(stack: Stack) -> None:
    url = stack.state.children["redis"].url
    client = redis.Redis.from_url(url, socket_timeout=2)
    client.xadd("smartops:test:audit", {"event": "before the crash"})
    old = stack.pid("redis")
    os.kill(old, signal.SIGKILL)
    wait_until(lambda: restarted(stack, "redis", old), 20, "redis restarted")
    assert stack.state.children["redis"].url == url
    after = redis.Redis.from_url(url, socket_timeout=2)
    assert stream_field(after, "smartops:test:audit", b"event") == [b"before the crash"]
    assert '"child restarted", "component": "redis"' in stack.child.tail(400)
    assert not alive(old)  # reaped, not left a zombie


def test_a_killed_llm_is_restarted_and_answers_again(stack: Stack) -> None:
    old = stack.pid("llm")
    os.kill(old, signal.SIGKILL)
    wait_until(lambda: restarted(stack, "llm", old), 60, "llm restarted")
    wait_until(lambda: httpx.get(f"{stack.root}/readyz", timeout=5).status_code == 200, 30, "ready")
    text, finish = stack.chat("Say hello.", max_tokens=12)
    assert text.strip() and finish in ("stop", "length")


def test_a_second_stack_on_the_same_data_dir_is_refused(stack: Stack) -> None:
    redis_pid = stack.pid("redis")
    second = start_stack(stack.data_dir, log_name="second")
    assert second.process is not None
    try:
        second.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        second.stop()
        pytest.fail("the second stack kept running")
    assert second.process.returncode != 0
    assert "is in use by another smartops stack" in second.tail()
    assert stack.pid("redis") == redis_pid and alive(redis_pid)
    assert httpx.get(f"{stack.root}/readyz", timeout=5).status_code == 200


def test_the_lock_is_refused_in_process_too(stack: Stack) -> None:
    code = (
        "import sys; from pathlib import Path; from smartops.stack.lock import DataDirLock\n"
        "from smartops.errors import InvalidRequest\n"
        "try:\n    DataDirLock(Path(sys.argv[1]), wait_s=0.2).acquire()\n"
        "except InvalidRequest as exc:\n    print(exc.code)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(Path(stack.data_dir))],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == "data_dir_in_use"


def test_ask_next_to_a_running_stack_uses_its_servers(stack: Stack) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTOPS_")}
    env["SMARTOPS_DATA_DIR"] = str(stack.data_dir)
    redis_pid = stack.pid("redis")
    out = subprocess.run(
        [sys.executable, "-m", "smartops.cli", "ask", "What is a PodDisruptionBudget?", "--json"],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.splitlines()[-1])["answer"]
    assert stack.pid("redis") == redis_pid and alive(redis_pid)
