"""An investigation as the chat shows it (English or Russian markdown, from the Jinja
templates ``prompts/investigation_<language>.j2``), and as one line for an alert list.
Everything rendered passes the actions' redaction once more."""

from __future__ import annotations

from smartops import prompts
from smartops.actions.redact import redact
from smartops.investigate.messages import Language
from smartops.investigate.model import Report


def render(report: Report, language: Language = "en", *, max_reads: int = 12) -> str:
    """The complete answer: findings ranked with their evidence and next steps, what was
    found healthy, and what was read (as kubectl would have read it)."""
    shown = report.reads[:max_reads]
    return redact(prompts.render(f"investigation_{language}", report=report, reads_shown=shown))


def summary_line(report: Report, language: Language = "en") -> str:
    """The top cause in one sentence (for "which alerts are firing")."""
    return redact(prompts.render("investigation_line", report=report, language=language))
