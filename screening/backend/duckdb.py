"""The embedded backend: the job's own DuckDB connection (the default engine)."""

from __future__ import annotations

import duckdb
import polars as pl
from sqlglot import exp

from screening.backend.base import Backend, Parameters, used_parameters


class DuckDBBackend(Backend):
    """Queries on a DuckDB connection; tables it creates are temporary tables of the
    connection (the subject views live as long as it does)."""

    dialect = "duckdb"
    errors = (duckdb.Error,)

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def register(self, name: str, frame: pl.DataFrame) -> None:
        self.con.register(name, frame.to_arrow())

    def unregister(self, name: str) -> None:
        self.con.unregister(name)

    def create_table(self, name: str, query: exp.Query, parameters: Parameters) -> None:
        create = exp.Create(
            this=exp.to_table(name),
            kind="TABLE",
            replace=True,
            expression=query,
            properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
        )
        self.con.execute(self.sql(create), used_parameters(query, parameters))

    def fetch(self, query: exp.Query, parameters: Parameters | None = None) -> pl.DataFrame:
        # The views are temporary tables of this connection: no cursor, which would not see them.
        relation = self.con.sql(self.sql(query), params=used_parameters(query, parameters))
        frame = pl.from_arrow(relation.to_arrow_table())
        assert isinstance(frame, pl.DataFrame)
        return frame


def backend_of(target: Backend | duckdb.DuckDBPyConnection) -> Backend:
    """A backend as given, or the embedded one over a DuckDB connection (what every stage
    accepted before there was a choice of engine)."""
    return target if isinstance(target, Backend) else DuckDBBackend(target)
