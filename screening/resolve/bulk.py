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
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

import polars as pl

from screening.errors import ResolveError
from screening.gazetteer import LEVELS, load_gazetteer
from screening.progress import Pace
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
_PERSON_ROW = (None,) * (len(PARTS_SCHEMA) - 2)


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

    try:
        with _pool(total) as run:
            # Both maps are submitted before either is collected: the workers never idle.
            parsed_registry = run(_registry_chunk, _chunks(registry))
            parsed_names = run(_name_chunk, _chunks(names))
            registry_frame = _concat(counted(parsed_registry), REGISTRY_SCHEMA)
            names_frame = _concat(counted(parsed_names), PARTS_SCHEMA)
    except BrokenProcessPool as exc:
        raise ResolveError(
            "a worker process taking names apart was killed before it finished (by the "
            "operating system, most often for lack of memory)",
            where=f"{total:,} names to take apart",
            hint="free memory (close other programs, or lower memory_limit in the job "
            "config) and run again; the last published run is untouched",
        ) from exc
    keys = pl.DataFrame(registry, schema={"name": pl.String, "address": pl.String}, orient="row")
    return (
        names_frame.insert_column(0, pl.Series("name", names, dtype=pl.String)),
        pl.concat([keys, registry_frame], how="horizontal"),
    )


Chunk = list[Any]
Mapper = Callable[[Callable[[Chunk], pl.DataFrame], Iterable[Chunk]], Iterator[pl.DataFrame]]
# Where the chunks go instead of this machine's workers, while :func:`mapping_with` holds:
# a job on Spark parses on the cluster's executors (screening.backend.spark_parse).
_ELSEWHERE: ContextVar[Mapper | None] = ContextVar("parse_elsewhere", default=None)


@contextmanager
def mapping_with(mapper: Mapper) -> Iterator[None]:
    """Parse every chunk through ``mapper`` (its frames in chunk order) while in the block."""
    token = _ELSEWHERE.set(mapper)
    try:
        yield
    finally:
        _ELSEWHERE.reset(token)


@contextmanager
def _pool(items: int) -> Iterator[Mapper]:
    """A map over chunks: in worker processes when there is much to do, else in-process
    (or where :func:`mapping_with` sends them)."""
    elsewhere = _ELSEWHERE.get()
    if elsewhere is not None:
        yield elsewhere
        return
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


def _by_level(codes: Iterable[str]) -> tuple[str | None, ...]:
    """A region chain's codes as (province, city, district), None where it names none."""
    found: list[str | None] = [None] * len(LEVELS)
    for code in codes:
        found[_level_number()[code]] = code
    return tuple(found)


@cache
def _level_number() -> dict[str, int]:
    return {place.code: LEVELS.index(place.level) for place in load_gazetteer().places()}


def _company_row(parts: NameParts, *, is_person: bool) -> tuple[Any, ...]:
    return (
        parts.text,
        is_person,
        *_by_level(parts.places),
        parts.trade,
        parts.industry,
        parts.legal_form,
        parts.branch,
        sounds(parts.core),
    )


def _name_chunk(names: list[str]) -> pl.DataFrame:
    rows = []
    for name in names:
        text = normalise(name)
        if is_person_text(text):
            rows.append((text, True, *_PERSON_ROW))
        else:
            rows.append(_company_row(take_apart_text(text), is_person=False))
    return pl.DataFrame(rows, schema=PARTS_SCHEMA, orient="row")


def _registry_chunk(rows: list[tuple[str, str | None]]) -> pl.DataFrame:
    gazetteer = load_gazetteer()
    parsed = []
    for name, address in rows:
        parts = take_apart_text(normalise(name))
        located, _rest = gazetteer.region_prefix(normalise(address or ""))
        parsed.append(
            (
                *_company_row(parts, is_person=is_person_text(parts.text)),
                *_by_level(place.code for place in located),
            )
        )
    return pl.DataFrame(parsed, schema=REGISTRY_SCHEMA, orient="row")
