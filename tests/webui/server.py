"""`smartops webui` as a child process, as a person starts it; stopped and checked after."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis

from smartops.stack.procs import Child

# A few runbooks for the knowledge base: from the shared corpus beside the repository,
# else the small sample in tests/webui/corpus (same file names, own text).
RUNBOOKS = [
    "kubernetes/KubePodCrashLooping.md",
    "kubernetes/KubePodNotReady.md",
    "kubernetes/KubeContainerWaiting.md",
]
# An alert rule file (its rules carry a runbook_url) and a Kubernetes page whose headings
# keep Hugo's anchors (``## PodDisruptionBudget example {#pdb-example}``), from the
# corpus root (or the sample's, same paths).
OTHERS = [
    "alerts/manifests/kubernetesControlPlane-prometheusRule.yaml",
    "kubernetes/content/en/docs/concepts/workloads/pods/disruptions.md",
]
SAMPLE = Path(__file__).parent / "corpus"
READY = re.compile(r"^READY (http://\S+) \(gateway (http://\S+)\)", re.M)


@dataclass(frozen=True)
class WebUI:
    url: str
    gateway: str
    data_dir: Path
    redis_url: str
    audit_stream: str

    def audit(self) -> list[dict[str, Any]]:
        """The actions' audit records written during this session, oldest first."""
        client = redis.Redis.from_url(self.redis_url)
        try:
            entries: Any = client.xrange(self.audit_stream)
            return [json.loads(fields[b"record"]) for _, fields in entries]
        finally:
            client.close()


def knowledge(repo_root: Path) -> list[tuple[Path, list[str]]]:
    """The files to index, each group with the folder its paths are relative to."""
    corpus = repo_root.parent / "shared" / "corpus"
    runbooks = corpus / "runbooks" / "content" / "runbooks"
    if not all((runbooks / name).is_file() for name in RUNBOOKS):
        runbooks = SAMPLE
    if not all((corpus / name).is_file() for name in OTHERS):
        corpus = SAMPLE
    return [(runbooks, RUNBOOKS), (corpus, OTHERS)]


def ingest(env: dict[str, str], groups: list[tuple[Path, list[str]]]) -> None:
    """``smartops ingest`` of the files into the data folder the stack will use."""
    for folder, names in groups:
        result = subprocess.run(
            [sys.executable, "-m", "smartops.cli", "ingest", *names],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-2000:]


@contextmanager
def running_webui(env: dict[str, str], data: Path, timeout_s: float = 300) -> Iterator[WebUI]:
    """``smartops webui`` on free ports; afterwards every process it started must be gone."""
    argv = [sys.executable, "-m", "smartops.cli", "webui", "--port", "0", "--gateway-port", "0"]
    child = Child("smartops-webui", argv, data / "webui-cli.log", env=env)
    child.start()
    try:
        child.wait_ready(lambda: READY.search(child.tail(400)) is not None, timeout_s)
        found = READY.search(child.tail(400))
        assert found is not None
        yield WebUI(
            found.group(1),
            found.group(2),
            data,
            env["SMARTOPS_REDIS_URL"],
            env["SMARTOPS_ACTIONS_AUDIT_STREAM"],
        )
    finally:
        child.stop(grace_s=30)
        _no_leftovers(data)


def _no_leftovers(data: Path) -> None:
    started = [
        int(record["pid"])
        for log in [data / "webui-cli.log", *sorted((data / "logs").glob("*.log"))]
        if log.is_file()
        for record in _json_lines(log)
        if record.get("msg") == "started" and "pid" in record
    ]
    left = [pid for pid in started if _running(pid)]
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    assert not left, f"smartops webui left processes running: {left}"


def _json_lines(path: Path) -> Iterator[dict[str, Any]]:
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            with contextlib.suppress(json.JSONDecodeError):
                yield json.loads(line)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
