"""The Kubernetes the browser test's actions run against: kmock's API emulator.

The same emulator and world as the actions' own tests (``tests/actions``), with a policy
that lets the person in Open WebUI restart deployments in ``shop``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.actions import world
from tests.actions.kube_emulator import KubeEmulator, kubeconfig, running_emulator

# Open WebUI without login is one local admin; here it may restart deployments in shop.
PERSON = "admin@localhost"
POLICY = f"""
roles:
  reader: {{actions: [read], namespaces: ["*"]}}
  shop-ops: {{actions: [read, rollout_restart], namespaces: [shop]}}
bindings:
  - subjects: ["user:{PERSON}"]
    roles: [shop-ops]
  - subjects: ["*"]
    roles: [reader]
"""


@dataclass(frozen=True)
class Cluster:
    kubeconfig: Path
    policy: Path
    emulator: KubeEmulator

    def deployment(self, namespace: str, name: str) -> dict[str, Any]:
        return dict(self.emulator.objects["apps/v1/deployments", namespace, name].raw)


@contextmanager
def running_cluster(folder: Path) -> Iterator[Cluster]:
    """The emulator on a free loopback port, seeded; stopped after the block."""
    with running_emulator() as (url, emulator):
        path = folder / "kubeconfig.yaml"
        path.write_text(kubeconfig(url))
        world.seed(path, emulator)
        emulator.rbac.add((PERSON, "patch", "deployments", "shop"))
        policy = folder / "policy.yaml"
        policy.write_text(POLICY)
        yield Cluster(path, policy, emulator)
