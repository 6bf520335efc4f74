"""Python over a frame's rows on Spark's executors, a batch at a time, in the frame's order.

The stages that are not SQL (taking names apart, scoring employers with the fitted model)
are per-row Python; on Spark they run where the data is spread, through ``mapInArrow``:
each executor applies the stage's own function to Arrow batches of the rows, and the
results come back in input order, so the outcome never depends on the number of
executors or the batch size. Whatever the function closes over (a fitted model, a
parser's fingerprint) travels with it; pyspark broadcasts a large closure once per
executor rather than once per task.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import polars as pl
import pyarrow as pa

from screening.errors import ResolveError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

POSITION = "__position"  # a row's place in the input: the results come back in this order
RowWork = Callable[[pl.DataFrame], pl.DataFrame]  # rows in, one row out for each, in order

# Each output column's type on Spark and in Arrow (what a task's batches are cast to).
_TYPES: dict[Any, tuple[str, pa.DataType]] = {
    pl.String: ("string", pa.string()),
    pl.Boolean: ("boolean", pa.bool_()),
    pl.Float64: ("double", pa.float64()),
}


def map_in_order(
    session: SparkSession, frame: pl.DataFrame, work: RowWork, schema: pl.Schema
) -> pl.DataFrame:
    """``work`` over ``frame`` on ``session``'s executors; its rows (of ``schema``: text,
    booleans, doubles) in ``frame``'s order."""
    if frame.is_empty():
        return work(frame).cast(schema)
    kinds = [(name, _TYPES[kind.base_type()]) for name, kind in schema.items()]
    arrow_schema = pa.schema([(POSITION, pa.int64()), *((name, t[1]) for name, t in kinds)])
    spark_schema = ", ".join([f"`{POSITION}` bigint", *(f"`{name}` {t[0]}" for name, t in kinds)])

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            rows = pl.from_arrow(batch)
            assert isinstance(rows, pl.DataFrame)
            done = work(rows.drop(POSITION)).insert_column(0, rows.get_column(POSITION))
            yield from done.to_arrow().cast(arrow_schema).to_batches()

    numbered = frame.with_row_index(POSITION).with_columns(pl.col(POSITION).cast(pl.Int64))
    spread = session.createDataFrame(numbered.to_arrow())
    result = pl.from_arrow(spread.mapInArrow(run, spark_schema).toArrow())
    assert isinstance(result, pl.DataFrame)
    return result.sort(POSITION).drop(POSITION).cast(schema)


@contextmanager
def same_build_on_executors(marker: str, what: str) -> Iterator[None]:
    """An executor's failure that says it runs other code than the driver (``marker`` in
    its message, raised by the stage's own check) as a :class:`ResolveError` naming what
    must match (``what``); any other failure as it is."""
    from pyspark.errors import PythonException

    try:
        yield
    except PythonException as exc:
        if marker in str(exc):
            raise ResolveError(
                f"{marker} ({what})",
                hint="install the same version of the package and its libraries, with the "
                "same features/names.yaml, on the driver and every executor",
            ) from None
        raise
