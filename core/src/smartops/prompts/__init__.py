"""Prompt templates (Jinja2). Prompts live in the ``*.j2`` files beside this module."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("smartops", "prompts"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,  # noqa: S701 - prompts are plain text for an LLM, never HTML
    )


def render(name: str, **context: Any) -> str:
    """Render the template ``prompts/<name>.j2`` with the given context."""
    return _environment().get_template(f"{name}.j2").render(**context).strip()
