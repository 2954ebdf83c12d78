"""kmock's in-memory Kubernetes API for the action tests: the library's emulator
(``smartops.sandbox.emulator``), which the sandbox simulator is built on too.

The suite runs against a real cluster instead when ``SMARTOPS_E2E_KUBECONFIG`` is set.
"""

from __future__ import annotations

from smartops.sandbox.emulator import KubeEmulator, kubeconfig, running_emulator

__all__ = ["KubeEmulator", "kubeconfig", "running_emulator"]
