"""The answer as text: both languages say the same things, the edge cases read well, and
the rendered text passes the redaction once more."""

from __future__ import annotations

import re
from pathlib import Path

from smartops import prompts
from smartops.investigate import Finding, Quote, Report, RunbookRef, Target, render, summary_line

PROMPTS = Path(prompts.__file__).parent


def _macros(language: str) -> set[str]:
    text = (PROMPTS / f"investigation_messages_{language}.j2").read_text("utf-8")
    return set(re.findall(r"{% macro (\w+)\(", text))


def test_every_message_exists_in_both_languages() -> None:
    assert _macros("en") == _macros("ru")
    assert len(_macros("en")) > 60


def _finding() -> Finding:
    return Finding(
        analyzer="oom_killed",
        subject="pod shop/cart-1",
        cause_key="oom_killed",
        params={"container": "cart", "limit": "256Mi", "restarts": "3", "code": "137", "usage": ""},
        cause="Container cart ...",
        evidence=[Quote(text="token=abc123secretvalue `x`", source="kubectl get pod cart-1")],
        confidence="high",
        score=0.9,
        runbook_query="KubePodCrashLooping",
        runbook=RunbookRef(title="KubePodCrashLooping > Mitigation", source="runbooks/x.md"),
        affected=["pod shop/cart-2"],
    )


def test_a_finding_in_english_and_russian() -> None:
    report = Report(
        target=Target(kind="pod", name="cart-1", namespace="shop"),
        resolved="pod shop/cart-1",
        findings=[_finding()],
    )
    en, ru = render(report, "en"), render(report, "ru")
    assert "exceeding its memory limit (256Mi)" in en and "Confidence: high" in en
    assert "превышение лимита памяти (256Mi)" in ru and "Уверенность: высокая" in ru
    for text in (en, ru):
        assert "pod shop/cart-2" in text and "KubePodCrashLooping > Mitigation" in text
        assert "abc123secretvalue" not in text  # redacted again on the way out
        assert "`x`" not in text  # a backtick in evidence cannot break the markdown
    assert summary_line(report, "ru").startswith("Контейнер cart убивает ядро")


def test_not_found_ambiguous_and_alert_without_object() -> None:
    missing = Report(target=Target(kind="deployment", name="api", namespace="shop"), found=False)
    assert "no deployment named **api** in namespace **shop**" in render(missing, "en")
    twins = Report(
        target=Target(kind="pod", name="api-1"), found=False, candidates=["a/api-1", "b/api-1"]
    )
    assert "a/api-1, b/api-1" in render(twins, "en") and "в каком" in render(twins, "ru")
    alert = Report(
        target=Target(kind="alert", alert="Watchdog", labels={"severity": "none"}), found=False
    )
    assert "does not name a pod" in render(alert, "en")
    assert summary_line(alert, "en") == "nothing to investigate"


def test_runbooks_attach_by_query() -> None:
    report = Report(target=Target(), findings=[_finding().model_copy(update={"runbook": None})])
    ref = RunbookRef(title="T", source="s.md")
    assert report.with_runbooks({"KubePodCrashLooping": ref}).findings[0].runbook == ref
    assert report.with_runbooks({}).findings[0].runbook is None
