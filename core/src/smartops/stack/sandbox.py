"""``smartops up --sandbox DIR``: the stack against a Kubernetes API simulator.

The simulator serves a scenario folder (``demo`` is the shipped one) as a cluster; the
actions and the investigations are pointed at it with a kubeconfig, and with a policy
that lets the local user read everything and run writes in the scenario's namespaces
(still a dry run first, then the user's own confirmation, as everywhere).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from smartops.config import Settings

log = logging.getLogger(__name__)
NAME = "Kubernetes API simulator"


def sandbox_policy(namespaces: list[str]) -> str:
    """Reads everywhere (nodes are cluster-wide); writes in the scenario's namespaces."""
    data = {
        "roles": {
            "sandbox-reader": {"actions": ["read"], "namespaces": ["*"]},
            "sandbox-operator": {"actions": ["write"], "namespaces": namespaces or ["default"]},
        },
        "bindings": [{"subjects": ["*"], "roles": ["sandbox-reader", "sandbox-operator"]}],
    }
    return yaml.safe_dump(data, sort_keys=False)


@contextmanager
def sandboxed(settings: Settings, where: str | Path) -> Iterator[Settings]:
    """The simulator for ``where`` (a folder or a shipped scenario's name), running;
    yields the settings that point the actions at it."""
    from smartops.sandbox import running_simulator  # needs kmock (make setup installs it)

    workdir = settings.data_dir / "sandbox"
    with running_simulator(where, workdir) as sim:
        policy = workdir / "sandbox-policy.yaml"
        policy.write_text(sandbox_policy(sim.scenario.namespaces()), encoding="utf-8")
        changes = {**sim.settings_changes(), "actions_policy_file": policy}
        namespaces = ", ".join(sim.scenario.namespaces()) or "none"
        print(
            f"{NAME}: scenario {sim.scenario.name} ({len(sim.scenario.objects)} objects, "
            f"namespaces {namespaces}) at {sim.url}",
            flush=True,
        )
        yield settings.with_changes(**changes)
