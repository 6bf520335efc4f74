"""``screening`` command line: thin wrappers over library functions.

Every command has help with an example. Expected problems (ScreeningError) become a
one-line message and exit code 1; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from screening import __version__
from screening.config import SAMPLE_DATA_DIR, JobConfig, load_config
from screening.errors import ConfigError, ScreeningError
from screening.inventory import SOURCE_TITLES

app = typer.Typer(
    help="Screen agency extracts for wage-arrears leads (欠薪线索筛查).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
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


def _version(value: bool) -> None:
    if value:
        console.print(f"screening {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Screen agency extracts for wage-arrears leads (欠薪线索筛查)."""


@app.command()
@reports_errors
def generate(
    out: Annotated[Path, typer.Option(help="Folder to write extracts/ and truth/ into.")],
    scale: Annotated[str, typer.Option(help="tiny | small | medium | province")] = "small",
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives identical files.")
    ] = 0,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date the planted leads are relative to.")
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing world in OUT.")] = False,
) -> None:
    """Generate a synthetic world: five agencies' extracts plus its ground truth.

    Example: screening generate --scale small --seed 7 --out worlds/small-7
    """
    from screening.synth import DEFAULT_AS_OF, generate_world

    world = generate_world(
        scale,
        seed,
        out,
        as_of=_parse_date(as_of, "--as-of") if as_of else DEFAULT_AS_OF,
        overwrite=overwrite,
        progress=lambda message: console.print(f"  {message}", style="dim", highlight=False),
    )
    rows = sum(world.files.values())
    console.print(f"wrote {len(world.files)} files, {rows:,} data rows to {world.extracts}")
    console.print(f"ground truth in {world.truth} (the engine never reads it)")


@app.command()
@reports_errors
def run(
    config: Annotated[
        Path | None, typer.Option(help="Job config (YAML). Default: sample_data/job.yaml.")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Screen as of this date (YYYY-MM-DD).")
    ] = None,
    db: Annotated[
        Path | None, typer.Option(help="Database file (default ./screening.duckdb).")
    ] = None,
) -> None:
    """Run the screening job and publish its results to the database.

    With no options it screens the bundled sample_data/ into ./screening.duckdb.

    Example: screening run --config sample_data/job.yaml --as-of 2026-09-30
    """
    from screening.job import run_job

    job = _job_config(config)
    overrides: dict[str, object] = {}
    if as_of:
        overrides["as_of"] = _parse_date(as_of, "--as-of")
    if db:
        overrides["database"] = db
    job = job.model_copy(update=overrides)
    result = run_job(job, progress=lambda m: console.print(f"  {m}", style="dim"))
    table = Table(title=f"Inputs of {result.run_id} (as of {result.as_of or 'not set'})")
    table.add_column("source 来源")
    table.add_column("files", justify="right")
    table.add_column("data rows", justify="right")
    for source, (files, rows) in result.rows_by_source().items():
        table.add_row(SOURCE_TITLES[source], str(files), f"{rows:,}")
    console.print(table)
    console.print(
        f"published {result.run_id} to {job.database}. Ingest, entity resolution, rules and "
        "ranking are not built yet: this run takes stock of what they will screen."
    )


def _job_config(path: Path | None) -> JobConfig:
    if path is not None:
        return load_config(path)
    default = SAMPLE_DATA_DIR / "job.yaml"
    if not default.exists():
        raise ConfigError(
            f"no --config given and {default} not found in the current folder",
            hint="run from the project folder or pass --config path/to/job.yaml",
        )
    return load_config(default)


def _parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"{option} {text!r} is not a date", hint="write it as YYYY-MM-DD, e.g. 2026-09-30"
        ) from None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
