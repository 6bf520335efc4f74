"""The database API the SQL stages talk to, whichever engine runs the SQL.

Like Splink's split between its linker and its database API: the stages (subject views,
rules, the model's feature frame, ranking inputs, evidence) build SQL as sqlglot trees and
ask a :class:`Backend` to run them; the backend emits them in its own dialect, through the
per-dialect rewrites of :mod:`screening.backend.portable`. Values travel as named
parameters (``$name`` in a tree), never spliced into the text.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any

import polars as pl
from sqlglot import exp

from screening.backend.portable import to_sql

Parameters = Mapping[str, Any]


class Backend(ABC):
    """Where the SQL stages run: tables by name, queries as sqlglot trees."""

    dialect: str
    # What the engine raises when a statement cannot run (a rule comparing text with a
    # number): the rules stage turns it into a located RuleError.
    errors: tuple[type[BaseException], ...] = ()

    def sql(self, query: exp.Expr) -> str:
        """``query`` as this backend's SQL."""
        return to_sql(query, self.dialect)

    @abstractmethod
    def register(self, name: str, frame: pl.DataFrame) -> None:
        """Make ``frame`` readable as table ``name`` until :meth:`unregister`."""

    @abstractmethod
    def unregister(self, name: str) -> None: ...

    @abstractmethod
    def create_table(self, name: str, query: exp.Query, parameters: Parameters) -> None:
        """(Re)create table ``name`` from ``query``, visible to this backend's queries."""

    @abstractmethod
    def fetch(self, query: exp.Query, parameters: Parameters | None = None) -> pl.DataFrame:
        """The rows of ``query`` as a polars frame, in the query's order."""

    def map_rows(
        self, rows: pl.DataFrame, work: Callable[[pl.DataFrame], pl.DataFrame], schema: pl.Schema
    ) -> pl.DataFrame:
        """``work`` (rows in, one row of ``schema`` out for each, in order) over ``rows``:
        here, all at once; an engine with executors runs it there, a batch at a time."""
        return work(rows)


def used_parameters(query: exp.Expr, parameters: Parameters | None) -> dict[str, Any]:
    """Only the parameters ``query`` names: DuckDB refuses a value it has no place for."""
    names = {node.name for node in query.find_all(exp.Placeholder)}
    return {name: value for name, value in (parameters or {}).items() if name in names}
