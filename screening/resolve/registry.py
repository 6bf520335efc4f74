"""The reference the cascade links to: one target per registered company."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

from screening.gazetteer import LEVELS
from screening.resolve.bulk import ADDRESS_LEVELS
from screening.resolve.names import NameParts

Registry = list[tuple[str, str, str | None]]  # (USCC, name, address) per company


@dataclass(frozen=True)
class Company:
    """A registry company as a match target, as ``--explain`` shows it."""

    entity_id: str
    name: str
    parts: NameParts
    places: frozenset[str]  # the name's regions and the address's
    name_is_person: bool  # the registered name reads like a person's (an individual business)


def read_registry(con: duckdb.DuckDBPyConnection) -> Registry:
    """(USCC, name, address) per valid USCC in the registry (its first row wins), in USCC
    order."""
    return con.execute(
        """SELECT uscc, arg_min(company_name, (source_file, source_row)),
                  arg_min(address, (source_file, source_row))
           FROM registry WHERE uscc_status = 'valid' AND company_name IS NOT NULL
           GROUP BY uscc ORDER BY uscc"""
    ).fetchall()


def registry_targets(registry: Registry, parsed: pl.DataFrame) -> pl.DataFrame:
    """One row per company: ``target`` (its number), ``entity_id``, and the parsed name and
    address (:func:`bulk.parse_in_bulk`'s registry frame, in the same order)."""
    entity_ids = pl.Series(
        "entity_id", [f"C-{uscc}" for uscc, _name, _address in registry], dtype=pl.String
    )
    return parsed.drop("address").with_columns(entity_id=entity_ids).with_row_index("target")


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
