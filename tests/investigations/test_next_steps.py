"""Every next step an investigation offers is an action of the catalog with valid
arguments, and its kubectl command, sent back in the chat, is parsed into that same
action (so a write goes through the usual dry run and confirmation)."""

from __future__ import annotations

from pathlib import Path

from smartops.actions import catalog, intent
from smartops.actions.intent_types import Intent
from smartops.investigate import NextStep, Target, investigate, target_from_text
from smartops.investigate.suite import load_expected, scenario_dirs
from smartops.sandbox import load
from smartops.sandbox.memory import MemoryReads


async def _steps(folder: Path) -> list[NextStep]:
    question = load_expected(folder).question
    report = await investigate(target_from_text(question) or Target(), MemoryReads.of(load(folder)))
    return [f.next_step for f in report.findings if f.next_step is not None]


async def test_next_steps_are_catalog_actions_the_parser_understands(scenarios: Path) -> None:
    seen: set[str] = set()
    for folder in scenario_dirs([scenarios]):
        for step in await _steps(folder):
            action, args = catalog.validate(step.action, dict(step.args))
            assert action.kind == step.kind, step
            parsed = intent.parse(step.command)
            assert isinstance(parsed, Intent), step.command
            _, parsed_args = catalog.validate(parsed.action, parsed.args)
            assert (parsed.action, parsed_args) == (step.action, args), step.command
            seen.add(step.action)
    assert {"rollout_undo", "cordon", "pod_logs", "get_events"} <= seen
