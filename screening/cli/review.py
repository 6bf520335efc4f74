"""``screening decide`` and ``screening suppress``: reviewers' decisions from the shell
(the review notebook records them through the same functions)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from screening.cli.common import console, parse_date, reports_errors, require_database
from screening.errors import ConfigError

DbOption = Annotated[Path, typer.Option(help="Database file.")]
ReasonOption = Annotated[str, typer.Option(help="Why (kept with the decision).")]
ReviewerOption = Annotated[str, typer.Option(help="Who decides.")]


@reports_errors
def decide(
    lead_id: Annotated[str, typer.Argument(help="A lead of the latest run, e.g. L-05c2bd509a77.")],
    decision: Annotated[str, typer.Argument(help="confirmed, dismissed, needs_info or snoozed.")],
    reason: ReasonOption,
    reviewer: ReviewerOption,
    until: Annotated[
        str | None, typer.Option(help="For a snooze: the date it ends (YYYY-MM-DD).")
    ] = None,
    run: Annotated[
        str | None, typer.Option(help="The run whose evidence you read (default: the latest).")
    ] = None,
    db: DbOption = Path("screening.duckdb"),
) -> None:
    """Record a decision on a lead; it holds across re-runs until its evidence changes.

    Example: screening decide L-05c2bd509a77 dismissed --reason 已履行 --reviewer 李检察官
    Example: screening decide L-05c2bd509a77 snoozed --until 2027-01-31 --reason 待 --reviewer 李
    """
    from screening.review import record_decision
    from screening.store import Store

    snooze = parse_date(until, "--until") if until else None
    require_database(db)
    with Store.open(db) as store:
        number = record_decision(
            store,
            lead_id,
            decision,  # type: ignore[arg-type]  # checked by record_decision
            reason=reason,
            reviewer=reviewer,
            snoozed_until=snooze,
            run_id=run,
        )
    console.print(f"decision {number} recorded: {lead_id} {decision}")


@reports_errors
def suppress(
    rule_id: Annotated[str, typer.Argument(help="The rule to silence, e.g. DEP-MISSING.")],
    subject: Annotated[str, typer.Argument(help="company, project or award.")],
    subject_key: Annotated[str, typer.Argument(help="The subject's key (USCC, project no. …).")],
    reason: ReasonOption,
    reviewer: ReviewerOption,
    until: Annotated[
        str | None, typer.Option(help="The day the suppression ends (YYYY-MM-DD).")
    ] = None,
    lift: Annotated[bool, typer.Option(help="End the suppression today instead.")] = False,
    db: DbOption = Path("screening.duckdb"),
) -> None:
    """Silence one rule on one subject until a date, from the next run on; --lift ends it.

    Example: screening suppress DEP-MISSING project 1 --until 2027-06-30 --reason 已改 --reviewer 李
    Example: screening suppress DEP-MISSING project 1 --lift --reason 误屏蔽 --reviewer 李
    """
    from screening.review import suppress as silence
    from screening.store import Store

    if lift == (until is not None):
        raise ConfigError("say either --until DATE or --lift", hint="one of the two, not both")
    ends: date = date.today() if until is None else parse_date(until, "--until")
    require_database(db)
    with Store.open(db) as store:
        number = silence(
            store,
            rule_id,
            subject,  # type: ignore[arg-type]  # checked by suppress
            subject_key,
            expires=ends,
            reason=reason,
            reviewer=reviewer,
        )
    verb = "lifted" if lift else f"until {ends}"
    console.print(f"suppression {number}: {rule_id} on {subject} {subject_key} {verb}")
