"""The scenario suite, each scenario against its own Kubernetes API simulator through the
official client, exactly as ``smartops eval investigations`` runs it: every dev scenario's
diagnosis states its cause and evidence; the held-out split clears 90 %;
no secret value of a scenario reaches an answer, a report or a log line."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from smartops.config import Settings
from smartops.investigate import KubeReads, Limits, investigate, render, target_from_text
from smartops.investigate.suite import CaseResult, load_expected, run_suite, scenario_dirs
from smartops.sandbox import running_simulator
from tests.investigations.conftest import SCENARIOS

FOLDERS = scenario_dirs([SCENARIOS])
DEV = [f.name for f in FOLDERS if load_expected(f).split == "dev"]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CaseResult]:
    work = tmp_path_factory.mktemp("simulators")
    # A generous deadline: a saturated CI machine must not turn a slow read into a wrong
    # diagnosis. Latency is measured by `smartops eval investigations`, not asserted here.
    done = asyncio.run(run_suite(FOLDERS, work, Settings(), limits=Limits(timeout_s=30.0)))
    return {r.name: r for r in done}


def test_the_suite_is_big_enough_and_holds_a_fifth_out() -> None:
    splits = [load_expected(f).split for f in FOLDERS]
    assert len(FOLDERS) >= 25
    assert splits.count("heldout") >= len(FOLDERS) // 5


@pytest.mark.parametrize("name", DEV)
def test_dev_scenario(results: dict[str, CaseResult], name: str) -> None:
    r = results[name]
    assert r.passed, f"top {r.top} (want {r.expected}), missing {r.missing}, leaked {r.leaked}"


def test_heldout_pass_rate(results: dict[str, CaseResult]) -> None:
    held = [r for r in results.values() if r.split == "heldout"]
    rate = sum(r.passed for r in held) / len(held)
    assert rate >= 0.9, [(r.name, r.top, r.missing) for r in held if not r.passed]


SECRETS = [f for f in FOLDERS if load_expected(f).absent] + [Path("demo")]


@pytest.mark.parametrize("folder", SECRETS, ids=lambda f: f.name)
async def test_secret_values_never_leave(
    folder: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    if folder.name == "demo":
        absent = [
            "Demo-Canary-Password-3f9a",
            "RGVtby1DYW5hcnktUGFzc3dvcmQtM2Y5YQ==",
            "Demo-Redis-Canary-77",
            "ZGVtby1jYW5hcnktc2lnbmF0dXJl",
        ]
        questions = ["почему checkout в shop падает?", "what's wrong with deployment cart in shop?"]
    else:
        expected = load_expected(folder)
        absent, questions = expected.absent, [expected.question]
    caplog.set_level(logging.DEBUG)
    with running_simulator(folder, tmp_path) as sim:
        from smartops.actions.k8s import Kube

        kube = Kube(Settings().with_changes(**sim.settings_changes()).actions)
        try:
            for question in questions:
                target = target_from_text(question)
                assert target is not None
                report = await investigate(target, KubeReads(kube))
                outputs = [render(report, "en"), render(report, "ru"), report.model_dump_json()]
                for value in absent:
                    assert not any(value in text for text in outputs), value
        finally:
            kube.close()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not any(value in logged for value in absent)
