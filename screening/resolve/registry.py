"""The reference the cascade links to: one target per registered company."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from screening.resolve.bulk import parse_registry_rows
from screening.resolve.names import NameParts


@dataclass(frozen=True)
class Company:
    """A registry company as a match target."""

    entity_id: str
    name: str
    parts: NameParts
    places: frozenset[str]  # the name's regions and the address's
    name_is_person: bool  # the registered name reads like a person's (an individual business)


def registry_companies(con: duckdb.DuckDBPyConnection) -> list[Company]:
    """One target per valid USCC in the registry (its first row wins), in USCC order."""
    rows = con.execute(
        """SELECT uscc, arg_min(company_name, (source_file, source_row)),
                  arg_min(address, (source_file, source_row))
           FROM registry WHERE uscc_status = 'valid' AND company_name IS NOT NULL
           GROUP BY uscc ORDER BY uscc"""
    ).fetchall()
    parsed = parse_registry_rows([(name, address) for _uscc, name, address in rows])
    return [
        Company(
            f"C-{uscc}",
            name,
            company.parts,
            frozenset(company.parts.places) | frozenset(company.address_places),
            company.looks_like_person,
        )
        for (uscc, name, _address), company in zip(rows, parsed, strict=True)
    ]
