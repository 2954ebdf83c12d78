"""Action results as chat markdown: tables cut to a budget ("showing 20 of 143 pods").

Executors return blocks (``Table``, ``Code``, ``Note``); ``render`` turns them into one
markdown text in the user's language, which the service redacts before anyone sees it.
The words are the actions' own (prompts/action_words_<language>.j2): an executor names
a title or a note as a ``Phrase`` (a key and its values), never as English text. What
the cluster says stays verbatim: kubectl-style column headers and field names, and the
messages kubectl itself prints (rollout status), which are plain strings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from smartops import prompts

if TYPE_CHECKING:
    from smartops.answers.models import Language

# The things a table lists; each has its English and Russian forms in action_words_*.j2.
Noun = Literal[
    "pods",
    "events",
    "deployments",
    "nodes",
    "fields",
    "alerts",
    "targets",
    "series",
    "matching lines",
    "conditions",
    "containers",
    "variables",
    "rows",
]


@dataclass(frozen=True)
class Phrase:
    """The actions' own words: the macro ``key`` of prompts/action_words_<language>.j2."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)


Text = str | Phrase  # a plain string is shown as it is (what the cluster said)


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    noun: Noun = "rows"
    title: Text = ""


@dataclass
class Code:
    text: Text
    lang: str = ""
    title: Text = ""


@dataclass
class Note:
    text: Text


@dataclass
class Change:
    """One field a write will change: shown before it runs, from the dry run."""

    target: str
    field: Text
    before: Text
    after: Text


@dataclass
class Result:
    blocks: list[Table | Code | Note] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    summary: Text = ""


def words(key: str, language: Language = "en", **params: object) -> str:
    """One phrase of the actions in ``language`` (prompts/action_words.j2)."""
    return prompts.render("action_words", key=key, p=params, language=language)


def say(text: Text, language: Language = "en") -> str:
    """A block's text: a phrase worded in ``language``, a plain string as it is."""
    if isinstance(text, Phrase):
        return words(text.key, language, **text.params)
    return text


def cell(value: object) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    return text if len(text) <= 120 else text[:117] + "..."


def table_markdown(table: Table, max_rows: int, language: Language = "en") -> str:
    total = len(table.rows)
    shown = table.rows[:max_rows]
    noun = table.noun
    lines = []
    if table.title:
        lines.append(f"**{say(table.title, language)}**\n")
    if not shown:
        lines.append(words("empty", language, noun=noun))
        return "\n".join(lines)
    # The column headers stay as kubectl prints them (the names people grep for).
    lines.append("| " + " | ".join(cell(c) for c in table.columns) + " |")
    lines.append("|" + "---|" * len(table.columns))
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in shown]
    lines.append("")
    if total > len(shown):
        lines.append(words("showing", language, shown=len(shown), total=total, noun=noun))
    else:
        lines.append(words("count", language, total=total, noun=noun))
    return "\n".join(lines)


def code_markdown(code: Code, max_lines: int, language: Language = "en") -> str:
    lines = say(code.text, language).splitlines()
    head = f"**{say(code.title, language)}**\n\n" if code.title else ""
    shown = lines[-max_lines:]
    note = (
        "\n" + words("last_lines", language, shown=len(shown), total=len(lines))
        if len(lines) > len(shown)
        else ""
    )
    body = "\n".join(shown)
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", body)), default=0))
    return f"{head}{fence}{code.lang}\n{body}\n{fence}{note}"


def render(
    blocks: Sequence[Table | Code | Note], max_rows: int, max_lines: int, language: Language
) -> str:
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Table):
            parts.append(table_markdown(block, max_rows, language))
        elif isinstance(block, Code):
            parts.append(code_markdown(block, max_lines, language))
        else:
            parts.append(say(block.text, language))
    return "\n\n".join(parts)


def preview(
    action: str,
    changes: Sequence[Change],
    summary: Text,
    token: str,
    ttl_s: int,
    language: Language = "en",
) -> str:
    """The dry-run preview and the confirmation request (prompts/action_preview.j2)."""
    return prompts.render(
        "action_preview",
        action=action,
        changes=change_cells(changes, language),
        summary=say(summary, language),
        token=token,
        minutes=max(1, ttl_s // 60),
        language=language,
    )


def done(action: str, result: Result, language: Language) -> str:
    """What a write that ran changed (prompts/action_done.j2)."""
    return prompts.render(
        "action_done",
        action=action,
        summary=say(result.summary, language),
        changes=change_cells(result.changes, language, escape=False),
        language=language,
    )


def change_cells(
    changes: Sequence[Change], language: Language, escape: bool = True
) -> list[dict[str, str]]:
    quote = cell if escape else str
    return [
        {
            "target": quote(c.target),
            "field": quote(say(c.field, language)),
            "before": quote(say(c.before, language)),
            "after": quote(say(c.after, language)),
        }
        for c in changes
    ]


def audit_text(result: Result) -> str:
    """The changes of a write for the audit record (in English, as the audit keeps them)."""
    parts = [
        f"{c.target} {say(c.field)}: {say(c.before)} -> {say(c.after)}" for c in result.changes
    ]
    return "; ".join(parts) or say(result.summary)
