"""The reference the cascade links to: one target per registered company."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl
from sqlglot import exp

from screening.gazetteer import LEVELS
from screening.resolve.bulk import ADDRESS_LEVELS
from screening.resolve.names import NameParts

# A registered company's entity id is ``C-`` and its USCC, whose characters 3–8 are its
# registration authority's division code (GB 32100-2015): 1-based, from the id's 5th.
_AREA_START, _AREA_LENGTH = len("C-") + 3, 6


def registration_area(entity_id: pl.Expr) -> pl.Expr:
    """The division code of a registered company's registration authority, from its entity
    id; meaningless for other entities. :func:`registration_area_sql` in SQL."""
    return entity_id.str.slice(_AREA_START - 1, _AREA_LENGTH)


def registration_area_sql(entity_id: str) -> str:
    """:func:`registration_area` of the SQL column ``entity_id`` (``table.column``)."""
    area = exp.func(
        "substr",
        exp.to_column(entity_id),
        exp.Literal.number(_AREA_START),
        exp.Literal.number(_AREA_LENGTH),
    )
    return area.sql("duckdb")


@dataclass(frozen=True)
class Company:
    """A registry company as a match target, as ``--explain`` shows it."""

    entity_id: str
    name: str
    parts: NameParts
    places: frozenset[str]  # the name's regions and the address's
    name_is_person: bool  # the registered name reads like a person's (an individual business)


def read_registry(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """``uscc``, ``name`` and ``address`` per valid USCC in the registry (its first row
    wins), in USCC order."""
    frame = pl.from_arrow(
        con.sql(
            """SELECT uscc, arg_min(company_name, (source_file, source_row)) AS name,
                      arg_min(address, (source_file, source_row)) AS address
               FROM registry WHERE uscc_status = 'valid' AND company_name IS NOT NULL
               GROUP BY uscc ORDER BY uscc"""
        ).to_arrow_table()
    )
    assert isinstance(frame, pl.DataFrame)
    return frame


def registry_targets(registry: pl.DataFrame, parsed: pl.DataFrame) -> pl.DataFrame:
    """One row per company of :func:`read_registry`, in its order (so in entity id order):
    ``target`` (its number), ``entity_id``, and its parsed name and address (the registry
    frame of :func:`parses.parse_with_store`)."""
    return (
        registry.join(
            parsed, on=["name", "address"], how="left", nulls_equal=True, maintain_order="left"
        )
        .select(
            (pl.lit("C-") + pl.col("uscc")).alias("entity_id"), pl.all().exclude("uscc", "address")
        )
        .with_row_index("target")
    )


def company(target: dict[str, Any]) -> Company:
    """A row of :func:`registry_targets` as a :class:`Company`."""
    places = tuple(target[level] for level in LEVELS if target[level] is not None)
    address = {target[level] for level in ADDRESS_LEVELS if target[level] is not None}
    parts = NameParts(
        text=target["text"],
        places=places,
        trade=target["trade"],
        industry=target["industry"],
        legal_form=target["legal_form"],
        branch=target["branch"],
    )
    return Company(
        target["entity_id"], target["name"], parts, frozenset(places) | address, target["is_person"]
    )
