"""``screening rules …`` and ``screening features …``: checking, testing and reading rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.syntax import Syntax
from rich.table import Table

from screening.cli.common import console, parse_date, reports_errors
from screening.cli.summaries import print_coverage
from screening.config import RULES_LIBRARY, Engine
from screening.errors import RuleError

if TYPE_CHECKING:
    from screening.rules.load import LoadedRule

RULES_DIR = RULES_LIBRARY
RulesOption = Annotated[Path, typer.Option("--rules", help="Folder of rule files.")]

rules_app = typer.Typer(
    help="Check, test and explain the YAML rules (规则).\n\nExample: screening rules check",
    no_args_is_help=True,
)
features_app = typer.Typer(
    help="The columns rules can use (特征).\n\nExample: screening features list company",
    no_args_is_help=True,
)


@rules_app.command("check")
@reports_errors
def check(
    rules: RulesOption = RULES_DIR,
    db: Annotated[
        Path | None,
        typer.Option(help="Also check which rules the data in this database can feed."),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="With --db: as of (default: the last run's).")
    ] = None,
) -> None:
    """Load every rule and report all problems at once, errors and warnings; with --db,
    also each rule that the data leaves dead or partly fed, with the empty columns.

    Example: screening rules check --rules rules
    Example: screening rules check --db screening.duckdb
    """
    from screening.rules.load import Problem, load_rules
    from screening.rules.run import dry_run

    loaded = load_rules(rules)
    for rule, failed in dry_run(loaded.rules):  # what only running a rule can show
        loaded.rules.remove(rule)
        loaded.problems.append(
            Problem("error", failed.where or str(rules), failed.message, failed.hint or "")
        )
    for problem in loaded.problems:
        colour = "red" if problem.severity == "error" else "yellow"
        console.print(f"[{colour}]{problem}[/]", highlight=False, soft_wrap=True)
    errors = len(loaded.errors)
    console.print(
        f"{len(loaded.rules)} rules loaded; {errors} errors, "
        f"{len(loaded.problems) - errors} warnings"
    )
    dead = 0
    if db is not None and not errors:
        dead = _check_data(loaded.rules, db, as_of)
    if errors or dead:
        raise typer.Exit(1)


def _check_data(rules: list[LoadedRule], db: Path, as_of_text: str | None) -> int:
    """Print the rules the data cannot feed; how many are dead."""
    from datetime import date

    from screening.features.coverage import rule_coverage
    from screening.features.views import build_views
    from screening.rules.run import fire
    from screening.store import Store

    with Store.open(db, read_only=True) as store:
        run = store.latest_published_run()
        as_of = parse_date(as_of_text, "--as-of") if as_of_text else (run.as_of if run else None)
        build_views(store.con, as_of or date.today())
        hits = fire(store.con, rules)
        fired = dict(hits.group_by("rule_id").len().iter_rows())
        coverage = rule_coverage(store.con, rules, fired)
    print_coverage(coverage)
    dead = sum(item.status == "dead" for item in coverage)
    live = sum(item.status == "live" for item in coverage)
    partial = len(coverage) - live - dead
    console.print(f"data in {db}: {live} rules live, {partial} partial, {dead} dead")
    return dead


@rules_app.command("test")
@reports_errors
def test(
    rule_ids: Annotated[list[str] | None, typer.Argument(help="Rules (default: all).")] = None,
    rules: RulesOption = RULES_DIR,
    engine: Annotated[
        Engine, typer.Option(help="Run the views and rules on duckdb, or on a local Spark.")
    ] = "duckdb",
) -> None:
    """Run the rules' own test cases on a real database, one fresh file per case.

    Example: screening rules test AWARD-UNENFORCED

    Example: screening rules test --engine spark
    """
    from screening.backend.engine import engine_session
    from screening.rules.load import load_rules
    from screening.rules.testing import run_tests

    loaded = load_rules(rules)
    loaded.raise_errors()
    chosen = [loaded.by_id(rule_id) for rule_id in rule_ids] if rule_ids else loaded.rules
    table = Table(title="Rule tests 规则测试", title_justify="left")
    for column in ("rule", "case", "result"):
        table.add_column(column)
    failed = 0
    with engine_session(engine):
        results = [result for rule in chosen for result in run_tests(rule, engine=engine)]
    for result in results:
        failed += not result.passed
        verdict = "[green]pass[/]"
        if not result.passed:
            expected, found = ", ".join(result.expected), ", ".join(result.found)
            verdict = f"[red]FAIL[/] expected {expected or 'none'}, found {found or 'none'}"
        table.add_row(result.rule_id, result.case, verdict)
    console.print(table)
    if failed:
        console.print(f"[red]{failed} cases failed[/]")
        raise typer.Exit(1)


@rules_app.command("explain")
@reports_errors
def explain(rule_id: str, rules: RulesOption = RULES_DIR) -> None:
    """Show a rule's condition, parameters and the SQL it compiles to.

    Example: screening rules explain AWARD-UNENFORCED
    """
    from screening.rules.compile import compile_subject
    from screening.rules.load import load_rules

    loaded = load_rules(rules)
    loaded.raise_errors()
    chosen = loaded.by_id(rule_id)
    rule = chosen.rule
    console.print(f"[bold]{rule.id}[/] {rule.title.zh} — {rule.title.en}")
    console.print(f"outcome: {rule.outcome}; subject: {rule.subject}; status: {rule.status}")
    for basis in rule.legal_basis:
        console.print(f"  依据 {basis}")
    parameters = Table(title="parameters 参数", title_justify="left")
    for column in ("name", "default", "unit", "description"):
        parameters.add_column(column)
    for name, parameter in rule.parameters.items():
        parameters.add_row(name, str(parameter.default), parameter.unit, parameter.description)
    console.print(parameters)
    console.print(Syntax(rule.condition.strip(), "sql", word_wrap=True))
    query = compile_subject(rule.subject, [chosen])
    console.print(Syntax(query.sql, "sql", word_wrap=True))
    console.print(f"bound parameters: {json.dumps(query.parameters, default=str)}")


@rules_app.command("schema")
@reports_errors
def schema(
    out: Annotated[Path, typer.Option(help="Where to write it.")] = Path("rule.schema.json"),
) -> None:
    """Write the JSON Schema of a rule file, for editors that check YAML as you type.

    Example: screening rules schema --out rules/rule.schema.json
    """
    from screening.rules.model import Rule

    if not out.parent.is_dir():
        raise RuleError(f"the folder {out.parent} does not exist", where=str(out))
    out.write_text(json.dumps(Rule.model_json_schema(), ensure_ascii=False, indent=2) + "\n")
    console.print(f"wrote {out}")


@features_app.command("list")
def list_features(
    subject: Annotated[
        str | None,
        typer.Argument(help="company, project or award; names for the name vocabulary."),
    ] = None,
) -> None:
    """Print every column rules can use, with its meaning and unit, and the word lists
    names are read with (features/names.yaml).

    Example: screening features list award
    Example: screening features list names
    """
    from screening.features.catalog import catalog

    if subject in (None, "names"):
        _print_name_lists()
    for name, features in catalog().items():
        if subject is not None and name != subject:
            continue
        table = Table(title=f"{name} 主体", title_justify="left")
        for column in ("column", "type", "unit", "含义", "meaning"):
            table.add_column(column)
        for feature in features:
            table.add_row(feature.name, feature.type, feature.unit, feature.zh, feature.en)
        console.print(table)


@features_app.command("derivations")
@reports_errors
def list_derivations(
    table: Annotated[
        str | None, typer.Argument(help="Only this table's (e.g. arbitrations).")
    ] = None,
) -> None:
    """Print the derivations a manifest may use for a column its agency does not send
    (features/derivations.yaml): what each fills, how, its legal basis and parameters.

    Declare one in a manifest's source: derive: {effective_date: award_effective_date}

    Example: screening features derivations arbitrations
    """
    from screening.ingest.derive import library_derivations

    library = library_derivations()
    for derivation in library.derivations.values():
        spec = derivation.spec
        if table is not None and spec.table != table:
            continue
        view = Table(
            title=f"{derivation.name} → {spec.table}.{spec.column}",
            title_justify="left",
            show_header=False,
        )
        view.add_column("", style="bold")
        view.add_column("", overflow="fold")
        view.add_row("含义", spec.zh)
        view.add_row("meaning", spec.en)
        if spec.legal_basis:
            view.add_row("legal basis 依据", spec.legal_basis)
        view.add_row("reads 输入", ", ".join(derivation.inputs))
        for name, parameter in spec.parameters.items():
            view.add_row(
                f"${name}",
                f"{parameter.default} {parameter.unit} — {parameter.zh}; {parameter.en}"
                + (f" [{parameter.source}]" if parameter.source else ""),
            )
        view.add_row("expr", spec.expr.strip())
        console.print(view)


def _print_name_lists() -> None:
    """The name vocabulary's lists, each with its titles and words."""
    from screening.resolve.name_vocabulary import name_vocabulary

    vocabulary = name_vocabulary()
    table = Table(title=f"名称词表 name vocabulary ({vocabulary.path})", title_justify="left")
    for column in ("list", "含义", "meaning"):
        table.add_column(column)
    table.add_column("words", overflow="fold")
    lists = vocabulary.lists
    for name in type(lists).model_fields:
        listed = getattr(lists, name)
        if name == "industry_short_forms":
            words = [f"{short}→{full}" for short, full in listed.forms.items()]
        elif name == "case_number_cities":
            words = [f"{code} {abbreviation}" for code, abbreviation in listed.cities.items()]
        elif name == "company_kinds":
            words = [f"{kind}: {'/'.join(forms)}" for kind, forms in listed.kinds.items()]
        elif name == "case_number_committees":
            words = [f"{committee} {code}" for committee, code in listed.committees.items()]
        else:
            words = list(listed.terms)
        table.add_row(name, listed.zh, " ".join(listed.en.split()), "、".join(words))
    console.print(table)
