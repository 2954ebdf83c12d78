"""Offline checks of the Kubernetes deployment: render each kustomize overlay, validate
every object against its schema, and cross-check what schemas cannot see.

``render`` builds an overlay (``kubectl kustomize`` or the subset of kustomize written
here), ``validate`` checks each object against its JSON schema, ``crosscheck`` checks
references between objects, and ``check`` runs them all for the CLI and the tests.
"""

from __future__ import annotations

from smartops.deploy.objects import Problem, describe

__all__ = ["Problem", "describe"]
