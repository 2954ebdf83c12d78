"""``smartops eval investigations`` through a gateway: ``--gateway`` starts one per
scenario (router and all, an echoing LLM stand-in), ``--url`` asks a running one; both
ask with the official ``openai`` client and judge the top analyzer from the header."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from smartops.cli import main
from smartops.investigate.remote import echo_llm, gateway_settings
from smartops.sandbox import running_simulator
from smartops.stack.threaded import GatewayThread
from tests.investigations.conftest import SCENARIOS

pytestmark = pytest.mark.integration
CASES = [str(SCENARIOS / "oom-cart"), str(SCENARIOS / "pending-taint")]


def _figures(args: list[str]) -> dict[str, object]:
    result = CliRunner().invoke(main, ["eval", "investigations", *args, "--json"])
    assert result.exit_code == 0, result.output
    figures: dict[str, object] = json.loads(result.output.strip().splitlines()[-1])
    return figures


def test_each_scenario_through_its_own_gateway() -> None:
    figures = _figures([*CASES, "--gateway", "--repeat", "2"])
    dev = figures["splits"]["dev"]  # type: ignore[index]
    assert dev["cases"] == 2 and dev["passed"] == 2, figures["failures"]
    assert dev["latency_ms"]["n"] == 4
    assert figures["analyzers"] == {  # type: ignore[comparison-overlap]
        "oom_killed": {"passed": 1, "cases": 1},
        "pending": {"passed": 1, "cases": 1},
    }


def test_a_running_gateway_by_url(tmp_path: Path) -> None:
    with echo_llm() as llm, running_simulator(CASES[0], tmp_path / "sim") as sim:
        base = gateway_settings(tmp_path / "gw")
        gateway = GatewayThread(base.with_changes(llm_base_url=llm, **sim.settings_changes()))
        gateway.start()
        try:
            figures = _figures([CASES[0], "--url", gateway.url, "--repeat", "1"])
            # The gateway's cluster is not the other scenario's: that one must fail.
            other = _figures([CASES[1], "--url", gateway.url, "--repeat", "1"])
        finally:
            gateway.stop()
    assert figures["splits"]["dev"]["passed"] == 1  # type: ignore[index]
    assert other["splits"]["dev"]["passed"] == 0  # type: ignore[index]
