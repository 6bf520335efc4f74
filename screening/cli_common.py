"""What every command shares: the consoles, turning expected errors into one line, and
refusing a database that is not there."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from screening.errors import ConfigError, ScreeningError

console = Console()
errors = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a ScreeningError into a one-line message and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except ScreeningError as exc:
            errors.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper


def require_database(path: Path) -> None:
    """Refuse a database path that does not exist, rather than create an empty database
    that a mistyped --db would point at."""
    if not path.is_file():
        raise ConfigError(
            "there is no database here",
            where=str(path),
            hint="check --db; `screening run` creates the database",
        )
