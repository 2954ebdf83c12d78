"""Route accuracy on a labelled set (JSON lines), per split.

Each line: ``{"text", "route", "lang", "split" ("dev"/"heldout")}`` and, for actions,
``"action"`` and ``"args"``; for investigations ``"target"`` (the fields that must
match); for confirm/cancel ``"token"`` (or null). The older format (``"action"`` or
null, ``"ask"``) is read too: an action's route is its catalog kind, ``ask`` is
``clarify``, no action is ``knowledge``.

An action request is right when the route, the action and every argument match exactly
(defaults filled in by the catalog). The figures the targets are about: knowledge
questions routed to an action or asked back (must be none), and the share of action
requests with the right action and arguments.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smartops.actions import catalog
from smartops.errors import SmartopsError

ROUTES = ("knowledge", "live_read", "write", "investigate", "confirm", "cancel", "clarify")
ACTION_ROUTES = ("live_read", "write")


@dataclass(frozen=True)
class Case:
    text: str
    route: str
    lang: str = ""
    split: str = "dev"
    action: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    target: dict[str, str] = field(default_factory=dict)
    token: str | None = None
    hard: bool = False


@dataclass(frozen=True)
class Got:
    """What the router (or the gateway) answered for one case."""

    route: str
    action: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    target: dict[str, str | None] = field(default_factory=dict)
    token: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Got:
        """From ``RouteDecision.to_json()`` (or the gateway's ``smartops.route``)."""
        return cls(
            route=str(data.get("route") or "knowledge"),
            action=data.get("action"),
            args=dict(data.get("args") or {}),
            target=dict(data.get("target") or {}),
            token=data.get("token"),
        )


@dataclass
class Figures:
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    actions: list[int] = field(default_factory=lambda: [0, 0])
    knowledge: list[int] = field(default_factory=lambda: [0, 0])  # to action/ask, total
    targets: list[int] = field(default_factory=lambda: [0, 0])
    misses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def action_accuracy(self) -> float:
        return self.actions[0] / self.actions[1] if self.actions[1] else 0.0

    @property
    def route_accuracy(self) -> float:
        total = sum(self.confusion.values())
        right = sum(n for (want, got), n in self.confusion.items() if want == got)
        return right / total if total else 0.0


def _route_of(row: dict[str, Any]) -> str:
    if row.get("route"):
        return str(row["route"])
    if row.get("ask"):
        return "clarify"
    action = row.get("action")
    if not action:
        return "knowledge"
    return "write" if catalog.get(action).kind == "write" else "live_read"


def load(path: Path) -> list[Case]:
    cases = []
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        cases.append(
            Case(
                text=row["text"],
                route=_route_of(row),
                lang=row.get("lang", ""),
                split=row.get("split", "dev"),
                action=row.get("action"),
                args=row.get("args") or {},
                target=row.get("target") or {},
                token=row.get("token"),
                hard=bool(row.get("hard")),
            )
        )
    return cases


def normal_args(action: str, args: dict[str, Any]) -> dict[str, Any] | None:
    """The arguments with the catalog's defaults filled in (None when invalid)."""
    try:
        return catalog.validate(action, args)[1].model_dump()
    except SmartopsError:
        return None


def action_right(case: Case, got: Got) -> bool:
    if got.route != case.route or got.action != case.action or case.action is None:
        return False
    return normal_args(case.action, case.args) == normal_args(case.action, got.args)


def target_right(case: Case, got: Got) -> bool:
    return got.route == "investigate" and all(
        got.target.get(key) == value for key, value in case.target.items()
    )


def right(case: Case, got: Got) -> bool:
    if case.route in ACTION_ROUTES:
        return action_right(case, got)
    if case.route == "investigate":
        return target_right(case, got)
    if case.route in ("confirm", "cancel"):
        return got.route == case.route and got.token == case.token
    return got.route == case.route


def score(pairs: Iterable[tuple[Case, Got]]) -> dict[str, Figures]:
    """Figures per split (and ``all``)."""
    out: dict[str, Figures] = {}
    for case, got in pairs:
        for split in (case.split, "all"):
            f = out.setdefault(split, Figures())
            f.confusion[(case.route, got.route)] += 1
            ok = right(case, got)
            if case.route in ACTION_ROUTES:
                f.actions[0] += ok
                f.actions[1] += 1
            if case.route == "knowledge":
                f.knowledge[0] += got.route in (*ACTION_ROUTES, "clarify")
                f.knowledge[1] += 1
            if case.route == "investigate":
                f.targets[0] += ok
                f.targets[1] += 1
            if not ok and split != "all":
                f.misses.append(_miss(case, got))
    return out


def _miss(case: Case, got: Got) -> dict[str, Any]:
    return {
        "text": case.text,
        "split": case.split,
        "expected": {"route": case.route, "action": case.action, "args": case.args}
        | ({"target": case.target} if case.target else {}),
        "got": {"route": got.route, "action": got.action, "args": got.args}
        | ({"target": got.target} if got.target else {}),
    }


def evaluate(cases: list[Case], answer: Callable[[str], Got]) -> dict[str, Figures]:
    return score((case, answer(case.text)) for case in cases)


def render(figures: dict[str, Figures], show_misses: Iterable[str] = ("dev",)) -> str:
    """The confusion matrices, the action accuracy and the misses, as text."""
    lines: list[str] = []
    for split in sorted(figures, key=lambda s: (s == "all", s)):
        f = figures[split]
        lines += [f"== split {split}: {sum(f.confusion.values())} cases", _matrix(f), ""]
        right_, total = f.actions
        lines.append(
            f"action requests with the right action and arguments: {right_}/{total}"
            f" = {f.action_accuracy:.1%}"
        )
        lines.append(
            f"knowledge questions routed to an action or asked back: "
            f"{f.knowledge[0]}/{f.knowledge[1]}"
        )
        lines.append(f"investigations with the right target: {f.targets[0]}/{f.targets[1]}")
        lines.append(f"route accuracy: {f.route_accuracy:.1%}")
        if split in show_misses:
            lines += [f"  miss: {json.dumps(m, ensure_ascii=False)}" for m in f.misses]
        lines.append("")
    return "\n".join(lines)


def _matrix(f: Figures) -> str:
    short = {"knowledge": "know", "live_read": "read", "investigate": "invest", "clarify": "clar"}
    head = "expected \\ got".ljust(16) + "".join(short.get(r, r).rjust(8) for r in ROUTES)
    rows = [head]
    for want in ROUTES:
        counts = [f.confusion.get((want, got), 0) for got in ROUTES]
        if any(counts):
            rows.append(want.ljust(16) + "".join(str(n).rjust(8) for n in counts))
    return "\n".join(rows)
