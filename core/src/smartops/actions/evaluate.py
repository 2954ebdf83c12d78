"""Intent accuracy on a labelled set of phrasings (JSON lines).

Each line: ``{"text", "action" (or null), "args", "ask" (true when the right answer is a
question back), "lang", "style" ("canonical" or "paraphrase")}``. A case is right when
the action and every argument match exactly (defaults filled in by the catalog), or
when a question back / no action is expected and given.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from smartops.actions import catalog
from smartops.actions.intent_types import Ask, Decision, Intent

Parser = Callable[[str], Awaitable[Intent | Ask | Decision | None]]


@dataclass
class Case:
    text: str
    action: str | None
    args: dict[str, Any]
    ask: bool
    lang: str
    style: str


@dataclass
class Figures:
    total: int = 0
    right: int = 0
    groups: dict[str, list[int]] = field(default_factory=dict)
    misses: list[dict[str, Any]] = field(default_factory=list)

    def add(self, case: Case, ok: bool, got: object) -> None:
        self.total += 1
        self.right += ok
        for key in (
            f"lang={case.lang}",
            f"style={case.style}",
            "writes" if _is_write(case.action) else "reads/none",
        ):
            counts = self.groups.setdefault(key, [0, 0])
            counts[0] += ok
            counts[1] += 1
        if not ok:
            self.misses.append({"text": case.text, "expected": case.action, "got": str(got)})

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0


def _is_write(action: str | None) -> bool:
    return bool(action) and catalog.ACTIONS[action or ""].kind == "write"


def load(path: Path) -> list[Case]:
    cases = []
    for line in path.read_text().splitlines():
        if line.strip():
            row = json.loads(line)
            cases.append(
                Case(
                    row["text"],
                    row.get("action"),
                    row.get("args") or {},
                    bool(row.get("ask")),
                    row.get("lang", ""),
                    row.get("style", ""),
                )
            )
    return cases


def _normal(action: str, args: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return catalog.validate(action, args)[1].model_dump()
    except (ValidationError, Exception):
        return None


def correct(case: Case, got: Intent | Ask | Decision | None) -> bool:
    if case.action is None:
        return isinstance(got, Ask) if case.ask else got is None
    if not isinstance(got, Intent) or got.action != case.action:
        return False
    return _normal(got.action, got.args) == _normal(case.action, case.args)


async def evaluate(cases: list[Case], parser: Parser) -> Figures:
    figures = Figures()
    for case in cases:
        got = await parser(case.text)
        figures.add(case, correct(case, got), got)
    return figures
