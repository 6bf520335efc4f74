"""Names taken apart in bulk: each distinct name once, in worker processes when there are many.

Parsing is pure Python (tens of microseconds a name) and a province holds about two
million distinct names, so the work is split over the machine's cores. Workers are
spawned, not forked: the parent holds a DuckDB connection and polars threads, which a fork
would copy mid-flight. Results come back as plain tuples (cheaper to pickle than objects)
and in input order, so the outcome never depends on the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from screening.gazetteer import load_gazetteer
from screening.resolve.names import NameParts, is_person_name, normalise, take_apart

PARALLEL_FROM = 40_000  # fewer names than this are parsed in-process: spawning costs ~1 s
CHUNK = 10_000

PartsTuple = tuple[str, tuple[str, ...], str, str, str, str]


@dataclass(frozen=True)
class ParsedName:
    """A name as the cascade needs it: its normalised text, and its parts unless a person's."""

    text: str
    parts: NameParts | None  # None for a natural person's name

    @property
    def is_person(self) -> bool:
        return self.parts is None


@dataclass(frozen=True)
class ParsedCompany:
    """A registry row: its name's parts, whether the name looks like a person's, and the
    regions its address names."""

    parts: NameParts
    looks_like_person: bool
    address_places: tuple[str, ...]


def parse_mention_names(names: Sequence[str]) -> list[ParsedName]:
    """Person or company, and a company's parts, for each name in order."""
    return [
        ParsedName(text, None if fields is None else NameParts(*fields))
        for text, fields in _run(_mention_chunk, names)
    ]


def parse_registry_rows(rows: Sequence[tuple[str, str | None]]) -> list[ParsedCompany]:
    """Parts of each registry (name, address), in order."""
    return [
        ParsedCompany(NameParts(*fields), person, places)
        for fields, person, places in _run(_registry_chunk, rows)
    ]


Item = TypeVar("Item")
Result = TypeVar("Result")


def _run(work: Callable[[list[Item]], list[Result]], items: Sequence[Item]) -> list[Result]:
    chunks = [list(items[start : start + CHUNK]) for start in range(0, len(items), CHUNK)]
    workers = min(os.cpu_count() or 1, 4)
    if len(items) < PARALLEL_FROM or workers < 2:
        return [result for chunk in chunks for result in work(chunk)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        return [result for done in pool.map(work, chunks) for result in done]


def _mention_chunk(names: list[str]) -> list[tuple[str, PartsTuple | None]]:
    return [
        (normalise(name), None if is_person_name(name) else _fields(take_apart(name)))
        for name in names
    ]


def _registry_chunk(
    rows: list[tuple[str, str | None]],
) -> list[tuple[PartsTuple, bool, tuple[str, ...]]]:
    gazetteer = load_gazetteer()
    result = []
    for name, address in rows:
        located, _rest = gazetteer.region_prefix(normalise(address or ""))
        places = tuple(place.code for place in located)
        result.append((_fields(take_apart(name)), is_person_name(name), places))
    return result


def _fields(p: NameParts) -> PartsTuple:
    return (p.text, p.places, p.trade, p.industry, p.legal_form, p.branch)
