"""Names taken apart in bulk, as columns: each distinct name once, a chunk at a time.

A chunk of names is taken apart by polars expressions (:mod:`screening.resolve.name_columns`,
the same parts as the per-name parser, a few microseconds a name), in this process: polars
uses the machine's cores for most of the work, and worker processes, each with its own
polars threads, cost more CPU than they saved once parsing was no longer pure Python
(province: 21 s of CPU with two workers, 12 s without). Two threads take chunks apart side
by side: while one is in Python (the sound of each name, the few names the per-name parser
takes), the other is in polars (province: 11.4 → 8.3 s, the same CPU). Chunks come back
in input order, so the outcome never depends on the chunk size or the threads; a job on
Spark sends them to its executors instead (:func:`mapping_with`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from contextvars import ContextVar
from typing import Any

import polars as pl

from screening.elsewhere import held
from screening.gazetteer import LEVELS, load_gazetteer
from screening.progress import Pace
from screening.resolve.name_columns import (
    normalised,
    person_mask,
    region_chain,
    take_apart_column,
)

# Names a chunk: polars' fixed costs per chunk are paid rarely, and a chunk's frames stay
# small (province: 11.8 s of CPU in chunks of 50,000, 16.4 s in chunks of 10,000).
CHUNK = 50_000
THREADS = 2  # more gained nothing on two cores: polars spreads each chunk's work itself

# A region code as polars holds it: one of the gazetteer's, so compared and copied as a
# small integer (matching compares and copies millions of them).
PLACE_CODE = pl.Enum(sorted(place.code for place in load_gazetteer().places()))
# A parsed name: its normalised text, whether it is a natural person's, and (unless it
# is) its parts. A region chain holds at most one place per level, outermost first, so
# the chain is three columns; core_sound is the pinyin of trade name and industry words.
PARTS_SCHEMA: dict[str, Any] = {
    "text": pl.String,
    "is_person": pl.Boolean,
    **dict.fromkeys(LEVELS, PLACE_CODE),
    "trade": pl.String,
    "industry": pl.String,
    "legal_form": pl.String,
    "branch": pl.String,
    "core_sound": pl.String,
}
# A registry row's address names regions too.
ADDRESS_LEVELS = tuple(f"address_{level}" for level in LEVELS)
REGISTRY_SCHEMA = {**PARTS_SCHEMA, **dict.fromkeys(ADDRESS_LEVELS, PLACE_CODE)}
_ROW = "row"


def parse_in_bulk(
    names: Sequence[str],
    registry: Sequence[tuple[str, str | None]],
    progress: Callable[[str], None] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Parts of each name, and of each registry row's (name, address), in input order.

    Returns a frame per input (``name`` beside :data:`PARTS_SCHEMA`; the registry's also
    with ``address`` and its regions, :data:`ADDRESS_LEVELS`). A registry name is always
    taken apart, even when it reads like a person's: it is a company all the same.
    ``progress`` hears the pace after each chunk.
    """
    total = len(names) + len(registry)
    pace, done = Pace(total, "names"), 0

    def counted(frames: Iterator[pl.DataFrame]) -> Iterator[pl.DataFrame]:
        nonlocal done
        for frame in frames:
            done += frame.height
            if progress is not None and pace.due(done):
                progress(f"taking apart names: {pace.describe(done, done)}")
            yield frame

    with ThreadPoolExecutor(THREADS) as threads:
        run = _ELSEWHERE.get() or threads.map  # map gives the frames in chunk order
        registry_frame = _concat(counted(run(_registry_chunk, _chunks(registry))), REGISTRY_SCHEMA)
        names_frame = _concat(counted(run(_name_chunk, _chunks(names))), PARTS_SCHEMA)
    keys = pl.DataFrame(registry, schema={"name": pl.String, "address": pl.String}, orient="row")
    return (
        names_frame.insert_column(0, pl.Series("name", names, dtype=pl.String)),
        pl.concat([keys, registry_frame], how="horizontal"),
    )


Chunk = list[Any]
Mapper = Callable[[Callable[[Chunk], pl.DataFrame], Iterable[Chunk]], Iterator[pl.DataFrame]]
# Where the chunks go instead of this process, while :func:`mapping_with` holds:
# a job on Spark parses on the cluster's executors (screening.backend.spark_parse).
_ELSEWHERE: ContextVar[Mapper | None] = ContextVar("parse_elsewhere", default=None)


def mapping_with(mapper: Mapper) -> AbstractContextManager[None]:
    """Parse every chunk through ``mapper`` (its frames in chunk order) while in the block."""
    return held(_ELSEWHERE, mapper)


def _chunks(items: Sequence[Any]) -> list[Chunk]:
    return [list(items[start : start + CHUNK]) for start in range(0, len(items), CHUNK)]


def _concat(frames: Iterable[pl.DataFrame], schema: dict[str, Any]) -> pl.DataFrame:
    return pl.concat([pl.DataFrame(schema=schema), *frames], rechunk=True)


def _name_chunk(names: list[str]) -> pl.DataFrame:
    texts = normalised(pl.Series("text", names, dtype=pl.String))
    is_person = person_mask(texts)
    companies = take_apart_column(texts.filter(~is_person)).drop("text")
    rows = pl.DataFrame({"text": texts, "is_person": is_person}).with_row_index(_ROW)
    parts = companies.insert_column(0, is_person.not_().arg_true().alias(_ROW))
    return (
        rows.join(parts, on=_ROW, how="left", maintain_order="left")
        .select(*PARTS_SCHEMA)
        .cast(pl.Schema(PARTS_SCHEMA))
    )


def _registry_chunk(rows: list[tuple[str, str | None]]) -> pl.DataFrame:
    names = pl.Series([name for name, _address in rows], dtype=pl.String)
    addresses = pl.Series([address for _name, address in rows], dtype=pl.String)
    parts = take_apart_column(normalised(names))
    located = region_chain(normalised(addresses.fill_null(""))).select(
        pl.col(level).alias(address) for level, address in zip(LEVELS, ADDRESS_LEVELS, strict=True)
    )
    return (
        pl.concat([parts, located], how="horizontal")
        .with_columns(is_person=person_mask(parts.get_column("text")))
        .select(*REGISTRY_SCHEMA)
        .cast(pl.Schema(REGISTRY_SCHEMA))
    )
