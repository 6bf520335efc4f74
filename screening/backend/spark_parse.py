"""Names taken apart on Spark's executors: the resolver's own per-chunk parsers, run by
``mapInArrow`` over a frame of the names.

:func:`screening.resolve.bulk.parse_in_bulk` maps a per-chunk parser (``_name_chunk``,
``_registry_chunk``) over chunks of names, in this process;
:func:`spark_mapper` gives it a map that runs the same functions on a Spark session's
executors instead, one Arrow batch a chunk, the rows back in input order. So a
name is parsed by the very code that parses it on DuckDB, and the outcome never depends on
the engine, the number of executors or the batch size.

The parsers read the gazetteer (package data) and the name vocabulary
(``features/names.yaml``) where they run: each task first checks that its parser's
fingerprint (code, gazetteer, vocabulary: :func:`~screening.resolve.parses.parser_fingerprint`)
is the driver's, which travels with the task, so an executor with another version of the
package or the vocabulary fails the job instead of parsing otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import polars as pl

from screening.backend.spark_map import map_in_order, same_build_on_executors
from screening.config import SparkSettings
from screening.errors import ResolveError
from screening.resolve.bulk import Chunk, Mapper, mapping_with
from screening.resolve.parses import parser_fingerprint

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# What a task raises when its parser is not the driver's; the driver turns it into a
# ResolveError (a Python error on an executor reaches the driver as text).
OTHER_PARSER = "the executor's name parser differs from the driver's"

Work = Callable[[Chunk], pl.DataFrame]


@contextmanager
def parsing_on_spark(settings: SparkSettings) -> Iterator[None]:
    """Every name :func:`~screening.resolve.bulk.parse_in_bulk` takes apart in the block
    is taken apart on Spark (this process's session, else one from ``settings``)."""
    from screening.backend.spark import spark_session

    with spark_session(settings) as session, mapping_with(spark_mapper(session)):
        yield


def spark_mapper(session: SparkSession, *, fingerprint: str | None = None) -> Mapper:
    """A :data:`~screening.resolve.bulk.Mapper` running each chunk on ``session``'s
    executors; ``fingerprint`` is the parser they must have (default: this process's)."""
    expected = fingerprint or parser_fingerprint()

    def run(work: Work, chunks: Iterable[Chunk]) -> Iterator[pl.DataFrame]:
        items = [item for chunk in chunks for item in chunk]
        return iter([_parse_on_spark(session, work, items, expected)])

    return run


def _parse_on_spark(
    session: SparkSession, work: Work, items: list[Any], expected: str
) -> pl.DataFrame:
    shape = work([])  # the parser's columns and types, from no names at all
    inputs = _input_frame(items)

    def parse(rows: pl.DataFrame) -> pl.DataFrame:
        if parser_fingerprint() != expected:
            raise ResolveError(OTHER_PARSER)
        values = [column.to_list() for column in rows.get_columns()]
        chunk = values[0] if len(values) == 1 else list(zip(*values, strict=True))
        return _as_text(work(chunk))

    with same_build_on_executors(OTHER_PARSER, "code, gazetteer or features/names.yaml"):
        parsed = map_in_order(session, inputs, parse, _as_text(shape).schema)
    return parsed.cast(shape.schema)


def _input_frame(items: list[Any]) -> pl.DataFrame:
    """The items as rows: a name, or a tuple's fields (a registry row's name and address)."""
    fields = list(zip(*items, strict=True)) if items and isinstance(items[0], tuple) else [items]
    return pl.DataFrame(
        {f"item_{i}": pl.Series(values, dtype=pl.String) for i, values in enumerate(fields)}
    )


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Region codes (an Enum of the gazetteer's) as text: Spark has no enum type."""
    return frame.with_columns(pl.col(pl.Enum).cast(pl.String))
