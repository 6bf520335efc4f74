"""Running rules over a database as of a date: which subjects each rule fires on, and its score."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from screening.backend import Backend, backend_of
from screening.errors import RuleError
from screening.features.library import FeatureLibrary
from screening.features.spec import SUBJECTS, Subject
from screening.features.views import build_views
from screening.rules.compile import Overrides, compile_subject
from screening.rules.load import LoadedRule
from screening.store import Store

HITS_SCHEMA = {
    "rule_id": pl.String,
    "subject": pl.String,
    "subject_key": pl.String,
    "score": pl.Float64,
}


def run_rules(
    store: Store,
    rules: list[LoadedRule],
    as_of: date,
    overrides: Overrides | None = None,
    features: FeatureLibrary | None = None,
) -> pl.DataFrame:
    """One row per (rule, subject) that fired, ordered by rule and subject key."""
    build_views(store.con, as_of, features)
    return fire(store.con, rules, overrides, features)


def fire(
    target: Backend | duckdb.DuckDBPyConnection,
    rules: list[LoadedRule],
    overrides: Overrides | None = None,
    features: FeatureLibrary | None = None,
) -> pl.DataFrame:
    """Like :func:`run_rules` over subject views already built on ``target`` (tuning runs
    one rule many times over the same views). A rule the engine cannot run (a comparison
    of text with a number, an overflow) is a :class:`RuleError` at the rule's condition."""
    backend = backend_of(target)
    hits: list[tuple[str, str, str, float]] = []
    for subject in SUBJECTS:
        query = compile_subject(subject, rules, overrides, features)
        if not query.rule_ids:
            continue
        try:
            rows = backend.fetch(query.tree, query.parameters).rows()
        except backend.errors as error:
            raise _culprit(backend, subject, rules, overrides, features, error) from None
        for row in rows:
            key, flags = row[0], row[1:]
            for number, rule_id in enumerate(query.rule_ids):
                fired, score = flags[2 * number], flags[2 * number + 1]
                if fired:
                    hits.append((rule_id, subject, str(key), float(score)))
    return pl.DataFrame(hits, schema=HITS_SCHEMA, orient="row").sort("rule_id", "subject_key")


def dry_run(
    rules: list[LoadedRule], features: FeatureLibrary | None = None
) -> list[tuple[LoadedRule, RuleError]]:
    """Each rule run alone over empty subject views: what only DuckDB can tell (the types
    an expression compares), found by ``screening rules check`` rather than mid-run."""
    problems: list[tuple[LoadedRule, RuleError]] = []
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "dry.duckdb") as store:
        build_views(store.con, date.today(), features)
        for loaded in rules:
            try:
                fire(store.con, [loaded], features=features)
            except RuleError as error:
                problems.append((loaded, error))
    return problems


def _culprit(
    backend: Backend,
    subject: Subject,
    rules: list[LoadedRule],
    overrides: Overrides | None,
    features: FeatureLibrary | None,
    error: BaseException,
) -> RuleError:
    """The first rule of ``subject`` that fails alone, as a located RuleError."""
    failing = None
    for loaded in rules:
        if loaded.rule.subject != subject:
            continue
        query = compile_subject(subject, [loaded], overrides, features)
        try:
            backend.fetch(query.tree, query.parameters)
        except backend.errors as alone:
            failing, error = loaded, alone
            break
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    hint = (
        f"check the types of what it compares and computes: `screening features list {subject}` "
        "shows each column's"
    )
    if failing is None:
        return RuleError(f"the {subject} rules cannot run together: {reason}", hint=hint)
    return RuleError(
        f"rule {failing.rule.id} cannot run: {reason}",
        where=failing.where or str(failing.path),
        hint=hint,
    )
