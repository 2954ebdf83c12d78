"""The sandbox: a Kubernetes API simulator loaded from a scenario folder, so the actions,
their confirmations and the investigations can be tried and tested with no cluster.

    with running_simulator("demo", settings.data_dir) as sim:
        settings = settings.with_changes(**sim.settings_changes())

Needs the ``kmock`` package (``smartops[sandbox]``); import this package only where a
simulator is wanted.
"""

from __future__ import annotations

from smartops.sandbox.scenario import Scenario, load, resolve_scenario
from smartops.sandbox.simulator import Simulator, running_simulator, seed

__all__ = ["Scenario", "Simulator", "load", "resolve_scenario", "running_simulator", "seed"]
