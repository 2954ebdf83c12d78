"""Render a kustomize overlay into its objects: ``kubectl kustomize`` where kubectl is
installed, else the Python subset in ``kustomize.py`` (the tests check they agree)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Literal

import yaml

from smartops.deploy import kustomize
from smartops.deploy.objects import Obj
from smartops.errors import InvalidRequest

Renderer = Literal["auto", "kubectl", "python"]


def render(directory: Path, renderer: Renderer = "auto") -> tuple[list[Obj], str]:
    """The objects of the overlay in ``directory``, and which renderer built them."""
    if not directory.is_dir():
        raise InvalidRequest(f"no overlay at {directory}")
    kubectl = shutil.which("kubectl")
    if renderer == "kubectl" and kubectl is None:
        raise InvalidRequest("kubectl is not installed (use --renderer python)")
    if renderer != "python" and kubectl is not None:
        return render_kubectl(directory, kubectl), "kubectl kustomize"
    return kustomize.build(directory), "python"


def render_kubectl(directory: Path, kubectl: str = "kubectl") -> list[Obj]:
    try:
        done = subprocess.run(
            [kubectl, "kustomize", str(directory)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise InvalidRequest(f"kubectl kustomize {directory} did not finish in 120 s") from None
    if done.returncode != 0:
        raise InvalidRequest(f"kubectl kustomize {directory} failed: {done.stderr.strip()}")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return [doc for doc in yaml.load_all(done.stdout, Loader=loader) if doc]


def overlays(infra: Path) -> list[str]:
    """The overlay names under ``infra/overlays``, sorted."""
    root = infra / "overlays"
    return (
        sorted(p.name for p in root.iterdir() if (p / "kustomization.yaml").is_file())
        if (root.is_dir())
        else []
    )
