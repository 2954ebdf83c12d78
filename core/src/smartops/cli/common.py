"""What every command shares: settings from the environment, errors to exit codes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import click
from pydantic import ValidationError

from smartops.config import Settings
from smartops.errors import ClientError, SmartopsError

P = ParamSpec("P")
R = TypeVar("R")


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with command-line overrides applied."""
    try:
        settings = Settings()
        changes = {key: value for key, value in overrides.items() if value is not None}
        return settings.with_changes(**changes) if changes else settings
    except ValidationError as exc:
        raise click.UsageError(f"invalid settings: {exc}") from None


def mapped_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Map the error hierarchy once for the CLI: a message and exit code 2 or 1."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except ClientError as exc:
            click.echo(f"error: {exc.message}", err=True)
            raise SystemExit(2) from None
        except SmartopsError as exc:
            click.echo(f"error: {exc.message}", err=True)
            raise SystemExit(1) from None

    return wrapper
