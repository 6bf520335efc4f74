"""The ``screening`` command: its sub-commands gathered from the modules beside this one.

Every command has help with an example. Expected problems (ScreeningError) become a
one-line message and exit code 1; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from typing import Annotated

import typer

from screening import __version__
from screening.cli import pipeline
from screening.cli.common import console
from screening.cli.report import report
from screening.cli.review import decide, suppress
from screening.cli.rules import features_app, rules_app
from screening.cli.tune import tune

app = typer.Typer(
    help="Screen agency extracts for wage-arrears leads (欠薪线索筛查).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
for command in (
    pipeline.generate,
    pipeline.ingest,
    pipeline.run,
    pipeline.resolve,
    pipeline.judge,
    pipeline.evaluate,
    tune,
    decide,
    suppress,
    report,
):
    app.command()(command)
app.add_typer(rules_app, name="rules")
app.add_typer(features_app, name="features")


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
