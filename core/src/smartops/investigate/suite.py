"""The scenario suite: each scenario folder (see ``smartops.sandbox.scenario``) with an
``expected.yaml``: the question, the analyzer whose finding must rank first, the facts a
correct diagnosis must state, what must never appear (secret values), and its split.

A case passes when the top finding comes from the expected analyzer (when the answer
comes from the library; through a gateway only the text is known), every fact is in the
answer (case-insensitive) and nothing forbidden is. Latency is from the question to the
complete answer, the simulator already running."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import yaml
from pydantic import BaseModel, ConfigDict, Field

from smartops.actions.k8s import Kube
from smartops.config import Settings
from smartops.investigate.engine import investigate
from smartops.investigate.messages import language_of
from smartops.investigate.model import Limits, Target
from smartops.investigate.reads import KubeReads
from smartops.investigate.render import render
from smartops.investigate.text import target_from_text


class Expected(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    question: str = Field(min_length=3)
    analyzer: str  # "none": a healthy object, no finding may rank at all
    facts: list[str] = Field(min_length=1)
    absent: list[str] = Field(default_factory=list)
    split: Literal["dev", "heldout"]


@dataclass(frozen=True)
class Answer:
    text: str
    top: str | None  # the top finding's analyzer, when known


@dataclass
class CaseResult:
    name: str
    split: str
    expected: str
    top: str | None
    missing: list[str]
    leaked: list[str]
    latencies_s: list[float] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        right_top = self.top is None or self.top == self.expected
        return right_top and not self.missing and not self.leaked


# Given the scenario folder, the question and a settings object pointing at its
# simulator: the complete answer.
Answerer = Callable[[Path, str, Settings], Awaitable[Answer]]


@runtime_checkable
class Preparing(Protocol):
    """An answerer with untimed work per scenario (starting a gateway for it)."""

    async def prepare(self, folder: Path, settings: Settings) -> None: ...


def scenario_dirs(paths: Iterable[Path]) -> list[Path]:
    """Scenario folders with an expected.yaml: the folders given, or those inside them."""
    found: list[Path] = []
    for path in paths:
        if (path / "expected.yaml").is_file():
            found.append(path)
        elif path.is_dir():
            found += sorted(p for p in path.iterdir() if (p / "expected.yaml").is_file())
    return found


def load_expected(folder: Path) -> Expected:
    return Expected.model_validate(yaml.safe_load((folder / "expected.yaml").read_text("utf-8")))


class InProcess:
    """The library's own answer (parse, investigate, render), one client per cluster."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._kubes: dict[str, Kube] = {}

    async def __call__(self, folder: Path, question: str, settings: Settings) -> Answer:
        key = str(settings.actions.kubeconfig)
        kube = self._kubes.get(key)
        if kube is None:
            kube = self._kubes[key] = Kube(settings.actions)
        target = target_from_text(question) or Target()
        report = await investigate(target, KubeReads(kube), limits=self.limits)
        top = report.top.analyzer if report.top else "none"
        return Answer(render(report, language_of(question)), top)

    def close(self) -> None:
        for kube in self._kubes.values():
            kube.close()
        self._kubes.clear()


def judge(name: str, expected: Expected, answer: Answer) -> CaseResult:
    low = answer.text.lower()
    return CaseResult(
        name=name,
        split=expected.split,
        expected=expected.analyzer,
        top=answer.top,
        missing=[f for f in expected.facts if f.lower() not in low],
        leaked=[a for a in expected.absent if a in answer.text],
    )


async def run_case(
    folder: Path, settings: Settings, answer: Answerer, repeat: int = 1
) -> CaseResult:
    expected = load_expected(folder)
    if isinstance(answer, Preparing):
        await answer.prepare(folder, settings)
    latencies = []
    result: CaseResult | None = None
    for _ in range(max(repeat, 1)):
        started = time.perf_counter()
        got = await answer(folder, expected.question, settings)
        latencies.append(time.perf_counter() - started)
        result = result or judge(folder.name, expected, got)
    assert result is not None
    result.latencies_s = latencies
    return result


async def run_suite(
    folders: list[Path],
    workdir: Path,
    settings: Settings,
    answer: Answerer | None = None,
    repeat: int = 1,
    limits: Limits | None = None,
) -> list[CaseResult]:
    """Every scenario against its own simulator (started and stopped around it).

    ``limits`` bound the in-process answerer (a test on a loaded machine gives a longer
    deadline; the evaluation keeps the defaults a user gets).
    """
    from smartops.sandbox import running_simulator  # the simulator needs kmock

    KubeReads.warm()  # the client's import cost is the process's, not an answer's
    own = InProcess(limits)
    use: Answerer = answer if answer is not None else own
    results = []
    try:
        for folder in folders:
            with running_simulator(folder, workdir / folder.name) as sim:
                scoped = settings.with_changes(**sim.settings_changes())
                results.append(await run_case(folder, scoped, use, repeat))
    finally:
        own.close()
    return results


def summary(results: list[CaseResult]) -> dict[str, object]:
    """Pass rate per split, passes per expected analyzer, latency percentiles (ms)."""
    from smartops.bench.stats import summary_ms

    splits: dict[str, object] = {}
    for split in ("dev", "heldout"):
        chosen = [r for r in results if r.split == split]
        if not chosen:
            continue
        passed = sum(r.passed for r in chosen)
        splits[split] = {
            "cases": len(chosen),
            "passed": passed,
            "pass_rate": round(passed / len(chosen), 3),
            "latency_ms": summary_ms([t for r in chosen for t in r.latencies_s]),
        }
    analyzers: dict[str, list[int]] = {}
    for r in results:
        hit = analyzers.setdefault(r.expected, [0, 0])
        hit[0] += int(r.passed)
        hit[1] += 1
    return {
        "splits": splits,
        "analyzers": {k: {"passed": p, "cases": n} for k, (p, n) in sorted(analyzers.items())},
        "failures": [
            {
                "case": r.name,
                "split": r.split,
                "expected": r.expected,
                "top": r.top,
                "missing": r.missing,
                "leaked": bool(r.leaked),
            }
            for r in results
            if not r.passed
        ],
    }
