"""The Kubernetes API simulator: a scenario folder served as a cluster.

Built on the emulator the action tests use (``smartops.sandbox.emulator``): the
scenario's objects are stored as they are written, ``pods/log`` answers from its log
files, and every SubjectAccessReview is allowed (it is a sandbox). Reads, dry runs,
confirmed writes and investigations all work against it through the official client,
exactly as against a cluster.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from smartops.sandbox.emulator import KubeEmulator, kubeconfig, new_emulator, running_emulator
from smartops.sandbox.scenario import Scenario, load, resource_path

log = logging.getLogger(__name__)
CONTEXT = "simulator"
# Everyone may read and write in the simulator: writes still need a dry run and the
# user's own confirmation, as everywhere.
POLICY = """\
roles:
  sandbox: {actions: [read, write], namespaces: ["*"]}
bindings:
  - subjects: ["*"]
    roles: [sandbox]
"""


@dataclass(frozen=True)
class Simulator:
    scenario: Scenario
    url: str
    emulator: KubeEmulator
    kubeconfig: Path
    policy_file: Path

    def settings_changes(self) -> dict[str, object]:
        """What to change in ``Settings`` so the actions and investigations use it."""
        return {
            "actions_kubeconfig": self.kubeconfig,
            "actions_kube_context": CONTEXT,
            "actions_policy_file": self.policy_file,
        }


def seed(emulator: KubeEmulator, scenario: Scenario) -> None:
    """Store the scenario's objects and logs in the emulator, as they are written."""
    namespaces = set(scenario.namespaces())
    for obj in scenario.objects:
        meta = obj["metadata"]
        emulator.objects[resource_path(obj), meta.get("namespace"), meta["name"]] = obj
        if obj["kind"] == "Namespace":
            namespaces.discard(meta["name"])
    for name in sorted(namespaces):
        emulator.objects["v1/namespaces", None, name] = {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": name},
            "status": {"phase": "Active"},
        }
    emulator.container_logs.update(scenario.logs)
    emulator.allow_all = True


@contextmanager
def running_simulator(where: str | Path, workdir: Path) -> Iterator[Simulator]:
    """The simulator for a scenario (a folder, or the name of a shipped one such as
    ``demo``) on a free loopback port, with its kubeconfig and policy in ``workdir``."""
    scenario = load(where, rebase=True)
    emulator = new_emulator()
    seed(emulator, scenario)
    workdir.mkdir(parents=True, exist_ok=True)
    with running_emulator(emulator) as (url, _):
        config = workdir / "simulator-kubeconfig.yaml"
        config.write_text(kubeconfig(url, CONTEXT), encoding="utf-8")
        policy = workdir / "simulator-policy.yaml"
        policy.write_text(POLICY, encoding="utf-8")
        log.info(
            "Kubernetes API simulator serving scenario %s (%d objects) at %s",
            scenario.name,
            len(scenario.objects),
            url,
        )
        yield Simulator(scenario, url, emulator, config, policy)
