"""Action results as chat markdown: tables cut to a budget ("showing 20 of 143 pods").

Executors return blocks (``Table``, ``Code``, ``Note``); ``render`` turns them into one
markdown text, which the service redacts before anyone sees it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from smartops import prompts


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    noun: str = "rows"
    title: str = ""


@dataclass
class Code:
    text: str
    lang: str = ""
    title: str = ""


@dataclass
class Note:
    text: str


@dataclass
class Change:
    """One field a write will change: shown before it runs, from the dry run."""

    target: str
    field: str
    before: str
    after: str


@dataclass
class Result:
    blocks: list[Table | Code | Note] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    summary: str = ""


def cell(value: object) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    return text if len(text) <= 120 else text[:117] + "..."


def table_markdown(table: Table, max_rows: int) -> str:
    total = len(table.rows)
    shown = table.rows[:max_rows]
    lines = []
    if table.title:
        lines.append(f"**{table.title}**\n")
    if not shown:
        lines.append(f"No {table.noun} found.")
        return "\n".join(lines)
    lines.append("| " + " | ".join(cell(c) for c in table.columns) + " |")
    lines.append("|" + "---|" * len(table.columns))
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in shown]
    lines.append("")
    lines.append(
        f"_showing {len(shown)} of {total} {table.noun}_"
        if total > len(shown)
        else f"_{total} {table.noun}_"
    )
    return "\n".join(lines)


def code_markdown(code: Code, max_lines: int) -> str:
    lines = code.text.splitlines()
    head = f"**{code.title}**\n\n" if code.title else ""
    shown = lines[-max_lines:]
    note = (
        f"\n_showing the last {len(shown)} of {len(lines)} lines_"
        if len(lines) > len(shown)
        else ""
    )
    body = "\n".join(shown)
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", body)), default=0))
    return f"{head}{fence}{code.lang}\n{body}\n{fence}{note}"


def render(blocks: Sequence[Table | Code | Note], max_rows: int, max_lines: int) -> str:
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Table):
            parts.append(table_markdown(block, max_rows))
        elif isinstance(block, Code):
            parts.append(code_markdown(block, max_lines))
        else:
            parts.append(block.text)
    return "\n\n".join(parts)


def preview(
    action: str,
    changes: Sequence[Change],
    summary: str,
    token: str,
    ttl_s: int,
    language: str = "en",
) -> str:
    """The dry-run preview and the confirmation request (prompts/action_preview.j2)."""
    return prompts.render(
        "action_preview",
        action=action,
        changes=[_cells(c) for c in changes],
        summary=summary,
        token=token,
        minutes=max(1, ttl_s // 60),
        language=language,
    )


def _cells(change: Change) -> dict[str, str]:
    return {
        "target": cell(change.target),
        "field": cell(change.field),
        "before": cell(change.before),
        "after": cell(change.after),
    }
