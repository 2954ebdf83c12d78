"""The model's short summary after an investigation's report (``synthesize`` mode).

The report is complete without any model. With a capable one (answer mode
``synthesize``: asked for, or ``auto`` on a predictor other than the embedded tiny
model) and at least one finding, the pipeline streams the model's two or three
sentences after the report (``Reply.summary``), as it streams a synthesis after an
extract: a model that fails leaves the report standing and says so.

The request is built from the report only (its findings, redacted once more, never the
raw reads): the ``investigation_summary`` system prompt with the findings, strongest
first, as its context within ``context_token_budget`` and the predictor's window, and
the user's question; the sampling fields are the client's (``generation``). Every line
the model writes passes the answers' check (``StreamChecker``) against the report and
the conversation: unknown commands and destructive advice are removed, other unknown
names and numbers marked.
"""

from __future__ import annotations

from typing import Any

from smartops import prompts
from smartops.answers.check import StreamChecker
from smartops.config import Settings
from smartops.investigate import messages
from smartops.investigate.messages import Language
from smartops.investigate.model import Finding, Report
from smartops.knowledge.assembler import (
    context_room,
    context_window,
    estimate_tokens,
    fit,
    fitting,
    generation,
)
from smartops.redact import redact
from smartops.turn import Summary, Turn

ANSWER_TOKENS = 512  # the summary's length when the client names none (as the assembler's)


def summary_of(
    report: Report, rendered: str, turn: Turn, settings: Settings, language: Language
) -> Summary | None:
    """The summary to ask for after ``rendered`` (the report as the user reads it, in
    ``language``); None when the report has no finding or not even the strongest one
    fits the budget."""
    request = summary_request(report, turn, settings, language)
    if request is None:
        return None
    conversation = turn.request.said
    known = [*evidence_texts(report), rendered]
    return Summary(request, StreamChecker.of(known, conversation, language))


def summary_request(
    report: Report, turn: Turn, settings: Settings, language: Language
) -> dict[str, Any] | None:
    """The chat request for the predictor: the findings that fit, and the question."""
    question = turn.request.question
    sampling = generation(turn.request, settings)
    chat = [{"role": "user", "content": question}]
    budget, window = settings.context_token_budget, context_window(settings)
    if window:
        answer = int(sampling.get("max_tokens") or ANSWER_TOKENS)
        budget = min(budget, context_room(chat, window, answer))
    texts = [finding_text(f, language) for f in report.findings]
    findings = fitting(texts, budget, lambda text: estimate_tokens(text) + 4)
    if not findings:
        return None
    system = prompts.render(
        "investigation_summary", subject=report.resolved, findings=findings, language=language
    )
    request: dict[str, Any] = {
        "messages": [{"role": "system", "content": redact(system)}, *chat],
        "stream": False,
        "smartops": {"investigation": report.resolved, "findings": len(findings)},
    }
    if settings.llm.model:
        request["model"] = settings.llm.model
    request.update(sampling)
    if window:
        fit(request, window, int(request.get("max_tokens") or ANSWER_TOKENS), question)
    return None if request["smartops"].get("refused") else request


def finding_text(finding: Finding, language: Language) -> str:
    """A finding as the model reads it: the cause, the evidence lines, the next step."""
    cause = messages.text(finding.cause_key, finding.params, language)
    lines = [f"{cause} ({finding.subject}; confidence {finding.confidence})"]
    lines += [f"- evidence: {_code(q.text)} (from {_code(q.source)})" for q in finding.evidence]
    step = finding.next_step
    if step is not None and step.command:
        why = messages.text(step.why_key, step.params, language) + ": " if step.why_key else ""
        change = " (a change: asked for here, it runs as a dry run first)" * (step.kind == "write")
        lines.append(f"- next step: {why}{_code(step.command)}{change}")
    return "\n".join(lines)


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def evidence_texts(report: Report) -> list[str]:
    """What the summary may say: each finding's cause, quoted lines and next step."""
    texts: list[str] = []
    for f in report.findings:
        texts += [f.cause, *(f"{q.text}\n`{q.source}`" for q in f.evidence)]
        if f.next_step is not None and f.next_step.command:
            texts.append(f"`{f.next_step.command}`")
    return texts
