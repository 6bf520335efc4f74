"""Names taken apart in bulk, as columns: each distinct name once, in worker processes
when there are many.

Parsing is pure Python (tens of microseconds a name) and a province holds about two
million distinct names and half a million registry rows, so the work is split over the
machine's cores: one pool takes both, so workers are spawned once. Workers are spawned,
not forked: the parent holds a DuckDB connection and polars threads, which a fork would
copy mid-flight. Each chunk comes back as a polars frame (one column per part, cheap to
pickle; no Python object per name in the parent), and in input order, so the outcome
never depends on the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

import polars as pl

from screening.gazetteer import LEVELS, load_gazetteer
from screening.resolve.names import (
    NameParts,
    is_person_text,
    normalise,
    take_apart_text,
)
from screening.resolve.sound import sounds

PARALLEL_FROM = 40_000  # fewer items than this are parsed in-process: spawning costs ~1 s
MAX_WORKERS = 4
CHUNK = 10_000

# A parsed name: its normalised text, whether it is a natural person's, and (unless it
# is) its parts. A region chain holds at most one place per level, outermost first, so
# the chain is three columns; core_sound is the pinyin of trade name and industry words.
PARTS_SCHEMA: dict[str, Any] = {
    "text": pl.String,
    "is_person": pl.Boolean,
    **dict.fromkeys(LEVELS, pl.String),
    "trade": pl.String,
    "industry": pl.String,
    "legal_form": pl.String,
    "branch": pl.String,
    "core_sound": pl.String,
}
# A registry row's address names regions too.
ADDRESS_LEVELS = tuple(f"address_{level}" for level in LEVELS)


def parse_in_bulk(
    names: Sequence[str], registry: Sequence[tuple[str, str, str | None]]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Parts of each name, and of each registry row's (USCC, name, address), in input order.

    Returns a frame per input (``name`` beside :data:`PARTS_SCHEMA`; the registry's also
    with the address's regions, :data:`ADDRESS_LEVELS`). A registry name is always taken
    apart, even when it reads like a person's: it is a company all the same.
    """
    with _pool(len(names) + len(registry)) as run:
        # Both maps are submitted before either is collected: the workers never idle.
        parsed_registry = run(_registry_chunk, _chunks(registry))
        parsed_names = run(_name_chunk, _chunks(names))
        registry_frame = _concat(parsed_registry, {**PARTS_SCHEMA, **_address_schema()})
        names_frame = _concat(parsed_names, PARTS_SCHEMA)
    return (
        names_frame.insert_column(0, pl.Series("name", names, dtype=pl.String)),
        registry_frame.insert_column(0, pl.Series("name", [row[1] for row in registry], pl.String)),
    )


Chunk = list[Any]
Mapper = Callable[[Callable[[Chunk], pl.DataFrame], Iterable[Chunk]], Iterator[pl.DataFrame]]


@contextmanager
def _pool(items: int) -> Iterator[Mapper]:
    """A map over chunks: in worker processes when there is much to do, else in-process."""
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if items < PARALLEL_FROM or workers < 2:
        yield lambda work, chunks: iter([work(chunk) for chunk in chunks])
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        yield pool.map


def _chunks(items: Sequence[Any]) -> list[Chunk]:
    return [list(items[start : start + CHUNK]) for start in range(0, len(items), CHUNK)]


def _concat(frames: Iterable[pl.DataFrame], schema: dict[str, Any]) -> pl.DataFrame:
    return pl.concat([pl.DataFrame(schema=schema), *frames], rechunk=True)


def _address_schema() -> dict[str, Any]:
    return dict.fromkeys(ADDRESS_LEVELS, pl.String)


class _Columns:
    """Parsed names gathered column by column (a frame is cheaper to pickle than tuples)."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self.values: dict[str, list[Any]] = {column: [] for column in schema}

    def add_person(self, text: str) -> None:
        row = dict.fromkeys(self.schema)
        row.update(text=text, is_person=True)
        self._add(row)

    def add_company(self, parts: NameParts, *, is_person: bool, **extra: str | None) -> None:
        self._add(
            {
                "text": parts.text,
                "is_person": is_person,
                **dict(zip(LEVELS, _by_level(parts.places), strict=True)),
                "trade": parts.trade,
                "industry": parts.industry,
                "legal_form": parts.legal_form,
                "branch": parts.branch,
                "core_sound": sounds(parts.core),
                **extra,
            }
        )

    def _add(self, row: dict[str, Any]) -> None:
        for column, values in self.values.items():
            values.append(row[column])

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.values, schema=self.schema)


def _by_level(codes: Iterable[str]) -> list[str | None]:
    """A region chain's codes as (province, city, district), None where it names none."""
    gazetteer = load_gazetteer()
    found: dict[str, str] = {}
    for code in codes:
        place = gazetteer.by_code(code)
        assert place is not None, code  # codes come from the gazetteer
        found[place.level] = code
    return [found.get(level) for level in LEVELS]


def _name_chunk(names: list[str]) -> pl.DataFrame:
    columns = _Columns(PARTS_SCHEMA)
    for name in names:
        text = normalise(name)
        if is_person_text(text):
            columns.add_person(text)
        else:
            columns.add_company(take_apart_text(text), is_person=False)
    return columns.frame()


def _registry_chunk(rows: list[tuple[str, str, str | None]]) -> pl.DataFrame:
    gazetteer = load_gazetteer()
    columns = _Columns({**PARTS_SCHEMA, **_address_schema()})
    for _uscc, name, address in rows:
        parts = take_apart_text(normalise(name))
        located, _rest = gazetteer.region_prefix(normalise(address or ""))
        at = _by_level(place.code for place in located)
        columns.add_company(
            parts,
            is_person=is_person_text(parts.text),
            **dict(zip(ADDRESS_LEVELS, at, strict=True)),
        )
    return columns.frame()
