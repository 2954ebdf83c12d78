"""The event catalog: one JSON schema per event type's data, generated from ``models``."""

from __future__ import annotations

import json
from pathlib import Path

from smartops.eventing.models import EVENT_TYPES, data_schema


def render() -> dict[str, str]:
    """File name -> content of every catalog file."""
    return {f"{t}.json": json.dumps(data_schema(t), indent=2) + "\n" for t in EVENT_TYPES}


def differences(folder: Path) -> list[str]:
    """Catalog files that are missing, stale or unknown in ``folder`` (empty: up to date)."""
    expected = render()
    problems = []
    for name, content in expected.items():
        file = folder / name
        if not file.exists():
            problems.append(f"missing {name}")
        elif file.read_text() != content:
            problems.append(f"stale {name}")
    for file in sorted(folder.glob("*.json")):
        if file.name not in expected:
            problems.append(f"unknown {file.name}")
    return problems


def write(folder: Path) -> list[str]:
    """Write the catalog (and remove schemas of types that no longer exist)."""
    folder.mkdir(parents=True, exist_ok=True)
    expected = render()
    for file in folder.glob("*.json"):
        if file.name not in expected:
            file.unlink()
    for name, content in expected.items():
        (folder / name).write_text(content)
    return sorted(expected)
