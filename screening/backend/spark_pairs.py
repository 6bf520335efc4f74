"""The fuzzy stage's blocking and pair scoring on Spark: blocking as joins, the resolver's
own scorer on the executors.

On DuckDB, :meth:`~screening.resolve.matcher.Matcher._fuzzy_candidates` joins the names'
blocking keys to the registry companies' in polars and scores every pair that shares one.
:func:`spark_pair_scorer` does the same where the data is spread: the keys are joined on
Spark (a name meets a company through a key, and in its city when it names one), the
distinct (name, company) pairs are scored on the executors by the resolver's own
:func:`~screening.resolve.matcher.guard_and_score` (``mapInArrow``: the guards, then
:func:`~screening.resolve.similarity.score_pairs`), and each name's best candidates are
kept by a window, best first, ties to the lower company number as on DuckDB. A pair's
score depends on that pair alone, so the candidates are the embedded engine's whatever
the batches. The names' and companies' columns the scorer reads, the cannot-links and
the name vocabulary travel with the work (pyspark broadcasts a large closure once per
executor).

Each task first checks that its scorer (code, vocabulary, rapidfuzz and pypinyin) is the
driver's, and fails the job if not.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import polars as pl
import pyarrow as pa

from screening.backend.spark_map import same_build_on_executors
from screening.elsewhere import code_digest
from screening.errors import ResolveError
from screening.resolve.matcher import (
    CANDIDATE_COLUMNS,
    FORM_FIELDS,
    PairScorer,
    PairWork,
    scoring_pairs_with,
)
from screening.resolve.name_vocabulary import name_vocabulary

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# What a task raises when its scorer is not the driver's (it reaches the driver as text).
OTHER_SCORER = "the executor's name scorer differs from the driver's"
SCORING_CODE = ("resolve/matcher.py", "resolve/similarity.py", "resolve/sound.py")
SCORING_LIBRARIES = ("rapidfuzz", "pypinyin")
# Each candidate column (matcher.CANDIDATE_COLUMNS, in order) with its Arrow type.
_CANDIDATE_TYPES = {
    "query": pa.int64(),
    "target": pa.int64(),
    "entity_id": pa.string(),
    **dict.fromkeys(("trade_sound", "trade_characters", "industry_sound"), pa.float64()),
    **dict.fromkeys(("same_place", "rare_trade"), pa.bool_()),
    "total": pa.float64(),
    **dict.fromkeys(FORM_FIELDS, pa.bool_()),
}
if tuple(_CANDIDATE_TYPES) != CANDIDATE_COLUMNS:
    raise RuntimeError("spark_pairs._CANDIDATE_TYPES must list matcher.CANDIDATE_COLUMNS")
_ARROW_SCHEMA = pa.schema(list(_CANDIDATE_TYPES.items()))
_SPARK_TYPES = {
    pa.int64(): "bigint",
    pa.string(): "string",
    pa.float64(): "double",
    pa.bool_(): "boolean",
}
PAIR_SCHEMA = ", ".join(f"{name} {_SPARK_TYPES[kind]}" for name, kind in _CANDIDATE_TYPES.items())
_NUMBERS = ("query", "target")  # UInt32 in polars; Spark has no unsigned integers


@contextmanager
def scoring_on_spark(session: SparkSession) -> Iterator[None]:
    """The fuzzy stage's pairs blocked and scored on ``session`` while in the block."""
    with scoring_pairs_with(spark_pair_scorer(session)):
        yield


def scorer_fingerprint() -> str:
    """A digest of the code and data a pair's score depends on."""
    return code_digest(SCORING_LIBRARIES, SCORING_CODE, name_vocabulary().fingerprint)


def spark_pair_scorer(session: SparkSession, *, fingerprint: str | None = None) -> PairScorer:
    """A :data:`~screening.resolve.matcher.PairScorer` on ``session``; ``fingerprint`` is
    the scorer the executors must have (default: this process's)."""
    expected = fingerprint or scorer_fingerprint()

    def run(
        query_keys: pl.DataFrame, target_keys: pl.DataFrame, work: PairWork, keep: int
    ) -> pl.DataFrame:
        what = "code, features/names.yaml, rapidfuzz or pypinyin"
        with same_build_on_executors(OTHER_SCORER, what):
            return _score_on_spark(session, query_keys, target_keys, work, keep, expected)

    return run


def _score_on_spark(
    session: SparkSession,
    query_keys: pl.DataFrame,
    target_keys: pl.DataFrame,
    work: PairWork,
    keep: int,
    expected: str,
) -> pl.DataFrame:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    if query_keys.is_empty() or target_keys.is_empty():
        return work(pl.DataFrame(schema=dict.fromkeys(_NUMBERS, pl.UInt32)))
    names = session.createDataFrame(_for_spark(query_keys, "query").to_arrow())
    companies = session.createDataFrame(_for_spark(target_keys, "target").to_arrow())
    # As _blocked_pairs: a name naming no city meets a company through a key alone; one
    # naming a city, through a key and that city (a null city meets none).
    anywhere = names.filter(F.col("block_city").isNull()).join(
        companies.drop("block_city"), on="block"
    )
    in_city = names.filter(F.col("block_city").isNotNull()).join(
        companies, on=["block", "block_city"]
    )
    pairs = (
        anywhere.select("query", "target").unionByName(in_city.select("query", "target")).distinct()
    )

    def score(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        if scorer_fingerprint() != expected:
            raise ResolveError(OTHER_SCORER)
        for batch in batches:
            blocked = pl.from_arrow(batch)
            assert isinstance(blocked, pl.DataFrame)
            scored = work(blocked.cast(dict.fromkeys(_NUMBERS, pl.UInt32)))
            yield from scored.to_arrow().cast(_ARROW_SCHEMA).to_batches()

    best = Window.partitionBy("query").orderBy(F.col("total").desc(), F.col("target").asc())
    kept = (
        pairs.mapInArrow(score, PAIR_SCHEMA)
        .withColumn("place", F.row_number().over(best))
        .filter(F.col("place") <= keep)
        .drop("place")
    )
    frame = pl.from_arrow(kept.toArrow())
    assert isinstance(frame, pl.DataFrame)
    return frame.cast(dict.fromkeys(_NUMBERS, pl.UInt32))


def _for_spark(keys: pl.DataFrame, label: str) -> pl.DataFrame:
    """Blocking keys as Spark takes them: numbers signed, region codes (an Enum) as text."""
    return keys.with_columns(pl.col(label).cast(pl.Int64), pl.col("block_city").cast(pl.String))
