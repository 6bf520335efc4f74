"""What every command shares: the consoles, turning expected errors into one line,
progress bars, reading dates and the job config from options, and refusing a database
that is not there."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from screening.config import SAMPLE_DATA_DIR, JobConfig, load_config
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


def job_config(path: Path | None) -> JobConfig:
    if path is not None:
        return load_config(path)
    default = SAMPLE_DATA_DIR / "job.yaml"
    if not default.exists():
        raise ConfigError(
            f"no --config given and {default} not found in the current folder",
            hint="run from the project folder or pass --config path/to/job.yaml",
        )
    return load_config(default)


def parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"{option} {text!r} is not a date", hint="write it as YYYY-MM-DD, e.g. 2026-09-30"
        ) from None


@contextmanager
def file_progress() -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar over files, fed by the (file, done, total) callbacks of ingest."""
    with stage_progress() as tell:
        yield lambda file, done, total: tell("ingest", done, total, file)


@contextmanager
def stage_progress() -> Iterator[Callable[[str, int, int, str], None]]:
    """One progress bar per stage of a job, fed by (stage, done, total, detail) callbacks."""
    with Progress(
        TextColumn("{task.fields[stage]:<8}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=errors,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def tell(stage: str, done: int, total: int, detail: str) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(detail, stage=stage, total=None)
            # A stage without steps of its own shows a pulsing bar until it is done.
            steps = total if total > 1 or done == total else None
            bar.update(tasks[stage], description=detail, completed=done, total=steps)

        yield tell
