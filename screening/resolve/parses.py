"""Names taken apart once per database: parses kept across resolves, keyed by the name.

Taking a province's two million names and half a million registry rows apart costs about
12 s of CPU (45 s before it was done in columns), and from one resolve to the next almost every name
recurs: a reviewer's judgement, a month's new extracts. A parse depends only on the name
(a registry row's, on its address too) and on the parsing code and data, the name
vocabulary (``features/names.yaml``) included, so each stored parse carries a fingerprint
of those (:func:`parser_fingerprint`): parses of another fingerprint are dropped, never
used.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import cache

import duckdb
import polars as pl

from screening.elsewhere import code_digest
from screening.gazetteer import LEVELS
from screening.resolve.bulk import ADDRESS_LEVELS, PLACE_CODE, parse_in_bulk
from screening.resolve.name_vocabulary import NameVocabulary, name_vocabulary
from screening.store import Store, insert_frame

NAME_PARSES, REGISTRY_PARSES = "resolve_name_parses", "resolve_registry_parses"
# What a parse depends on besides its input.
PARSING_CODE = (
    "resolve/names.py",
    "resolve/name_vocabulary.py",
    "resolve/sound.py",
    "resolve/bulk.py",
    "resolve/name_columns.py",
    "gazetteer.py",
)
PARSING_DATA = ("data/gazetteer.csv",)  # and the name vocabulary (features/names.yaml)
PARSING_LIBRARIES = ("pypinyin", "polars")


def parse_with_store(
    store: Store,
    names: pl.Series,
    registry: pl.DataFrame,
    progress: Callable[[str], None] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The parses of the (distinct) names and of the registry's (name, address) pairs, as
    :func:`bulk.parse_in_bulk` gives them, taking apart only those not stored yet and
    storing them (unless the store is read-only). In no particular order."""
    con, parser = store.con, parser_fingerprint()
    if not store.read_only:
        for table in (NAME_PARSES, REGISTRY_PARSES):
            con.execute(f"DELETE FROM {table} WHERE parser <> ?", [parser])
    wanted_names = names.to_frame("name")
    # Two companies can share a name and an address: each pair is taken apart once.
    wanted_registry = registry.select("name", "address").unique(maintain_order=True)
    stored_names = _stored(con, NAME_PARSES, wanted_names, parser)
    stored_registry = _stored(con, REGISTRY_PARSES, wanted_registry, parser)
    new_names = wanted_names.join(stored_names, on="name", how="anti")
    new_registry = wanted_registry.join(
        stored_registry, on=["name", "address"], how="anti", nulls_equal=True
    )
    parsed_names, parsed_registry = parse_in_bulk(
        new_names.get_column("name").to_list(), list(new_registry.iter_rows()), progress
    )
    if not store.read_only:
        for table, parsed in ((NAME_PARSES, parsed_names), (REGISTRY_PARSES, parsed_registry)):
            insert_frame(con, table, parsed.with_columns(parser=pl.lit(parser)))
    return pl.concat([stored_names, parsed_names]), pl.concat([stored_registry, parsed_registry])


@cache
def parser_fingerprint() -> str:
    """A digest of the code and data a parse depends on: any change makes new parses."""
    return parsing_fingerprint(name_vocabulary())


def parsing_fingerprint(words: NameVocabulary) -> str:
    """:func:`parser_fingerprint` of parsing with the name vocabulary ``words``."""
    # NFKC and the Unicode categories the parser reads are those of Python's own database.
    return code_digest(
        PARSING_LIBRARIES,
        (*PARSING_CODE, *PARSING_DATA),
        words.fingerprint,
        unicodedata.unidata_version,
    )


def _stored(
    con: duckdb.DuckDBPyConnection, table: str, wanted: pl.DataFrame, parser: str
) -> pl.DataFrame:
    """The stored parses of the wanted keys, in the columns :func:`parse_in_bulk` gives."""
    keys = wanted.columns
    joined = " AND ".join(f"stored.{key} IS NOT DISTINCT FROM wanted.{key}" for key in keys)
    con.register("resolve_wanted", wanted.to_arrow())
    try:
        frame = pl.from_arrow(
            con.sql(
                f"""SELECT stored.* EXCLUDE (parser) FROM {table} stored
                    SEMI JOIN resolve_wanted wanted ON {joined} WHERE stored.parser = ?""",
                params=[parser],
            ).to_arrow_table()
        )
    finally:
        con.unregister("resolve_wanted")
    assert isinstance(frame, pl.DataFrame)
    places = [column for column in (*LEVELS, *ADDRESS_LEVELS) if column in frame.columns]
    return frame.with_columns(pl.col(places).cast(PLACE_CODE))
