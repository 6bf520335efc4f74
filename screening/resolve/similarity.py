"""How alike two company names are, the way a clerk's typing makes them differ.

Clerks type Chinese by pinyin, so the typical typo is a homophone (宏→红, 建→健) or a
near one (信→讯): a different character with (almost) the same sound. Trade names are
compared by sound (toneless pinyin letters) and by character, and the sound comparison
weighs more, so 红达建筑 scores close to 宏达建筑 while 宏盛建筑, a different company,
does not. The industry words weigh less than the trade name (term frequency: thousands
of companies share 建筑劳务), and a trade name spelt exactly that few companies share
earns a bonus. Both use rapidfuzz's Indel similarity, which works on characters (DuckDB's
string functions work on UTF-8 bytes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from rapidfuzz.distance import Indel
from rapidfuzz.process import cpdist

from screening.resolve.name_vocabulary import WORD_END, NameVocabulary, name_vocabulary
from screening.resolve.sound import sounds

# Weights: the trade name (字号) is what tells companies apart, so it weighs most, by sound
# more than by character; the industry words are shared by thousands and weigh less.
TRADE_SOUND, TRADE_CHARACTERS, INDUSTRY_SOUND = 0.55, 0.15, 0.30
SAME_PLACE_BONUS = 0.04  # the mention names exactly the regions the company's name does
RARE_TRADE_BONUS = 0.03  # the trade name is spelt exactly and few companies share it
RARE_TRADE_COUNT = 3  # "few": at most this many registry companies
FUZZY_THRESHOLD = 0.85  # below this, a name is not linked by similarity alone
MARGIN = 0.03  # the best candidate must lead the next by this much


@dataclass(frozen=True)
class Score:
    trade_sound: float
    trade_characters: float
    industry_sound: float
    same_place: bool
    rare_trade: bool

    @property
    def total(self) -> float:
        return (
            TRADE_SOUND * self.trade_sound
            + TRADE_CHARACTERS * self.trade_characters
            + INDUSTRY_SOUND * self.industry_sound
            + (SAME_PLACE_BONUS if self.same_place else 0.0)
            + (RARE_TRADE_BONUS if self.rare_trade else 0.0)
        )


def score_pairs(pairs: pl.DataFrame, words: NameVocabulary | None = None) -> pl.DataFrame:
    """Score every (mention, candidate) pair at once: adds :class:`Score`'s fields and total.

    ``pairs`` holds the mention's ``core`` and the candidate's ``trade``, ``industry`` and
    ``trade_count``, and ``same_place``. A typo can hide an industry word (健筑 for 建筑), so
    the mention's trade name is taken as its first characters, as many as the candidate's
    trade name has. ``words`` (the engine's by default) write the short forms out.
    """
    words = words or name_vocabulary()
    cut = pl.col("trade").str.len_chars()
    frame = pairs.with_columns(
        pl.col("core").str.slice(0, cut).alias("mention_trade"),
        pl.col("core").str.slice(cut).alias("mention_industry"),
    )
    # Millions of pairs, but a few hundred thousand distinct strings to compare.
    trades = frame.select("mention_trade", "trade").unique()
    trades = trades.with_columns(
        trade_sound=_similarity(_sounds(trades["mention_trade"]), _sounds(trades["trade"])),
        trade_characters=_similarity(trades["mention_trade"], trades["trade"]),
    )
    industries = frame.select("mention_industry", "industry").unique()
    # A clerk who shortens a name drops industry words from either end (广东富兴建设 for
    # 广东富兴建设工程集团有限公司, 信兴劳务 for 信兴建筑劳务分包有限公司) or writes them
    # short (联祥地产 for 联祥房地产开发): what is left, written out, is a run of the
    # company's words written out (whole words: 材料 is no shortening of 新材料).
    sequences = _word_sequences(
        pl.concat([industries["mention_industry"], industries["industry"]]), words
    )
    shortened = (pl.col("mention_industry") != "") & is_shortening(
        pl.col("mention_industry").replace_strict(sequences, return_dtype=pl.String),
        pl.col("industry").replace_strict(sequences, return_dtype=pl.String),
    )
    industries = industries.with_columns(
        industry_sound=_similarity(
            _sounds(industries["mention_industry"]), _sounds(industries["industry"])
        )
    ).with_columns(industry_sound=pl.when(shortened).then(1.0).otherwise(pl.col("industry_sound")))
    frame = (
        frame.join(trades, on=["mention_trade", "trade"], maintain_order="left")
        .join(industries, on=["mention_industry", "industry"], maintain_order="left")
        .with_columns(
            rare_trade=(pl.col("mention_trade") == pl.col("trade"))
            & (pl.col("trade_count") <= RARE_TRADE_COUNT)
        )
    )
    # The same sum, in the same order, as Score.total.
    total = (
        TRADE_SOUND * pl.col("trade_sound")
        + TRADE_CHARACTERS * pl.col("trade_characters")
        + INDUSTRY_SOUND * pl.col("industry_sound")
        + pl.when("same_place").then(SAME_PLACE_BONUS).otherwise(0.0)
        + pl.when("rare_trade").then(RARE_TRADE_BONUS).otherwise(0.0)
    )
    return frame.with_columns(total.alias("total")).drop("mention_trade", "mention_industry")


def write_out_column(column: pl.Expr, words: NameVocabulary) -> pl.Expr:
    """:meth:`NameVocabulary.write_out` in polars (leftmost, longest first, as the Python)."""
    return column.str.replace_many(
        list(words.industry_tokens), list(words.written_out), leftmost=True
    )


def word_sequence_column(column: pl.Expr, words: NameVocabulary) -> pl.Expr:
    """Industry words written out as whole words, each between bars (建工劳务 →
    |建筑|工程|劳务|; "" → |), for :func:`is_shortening`. A character no industry word
    holds stays inside its neighbour's bars."""
    replaced = column.str.replace_many(
        list(words.industry_tokens), list(words.word_sequences), leftmost=True
    )
    return pl.lit(WORD_END) + replaced


def is_shortening(shorter: pl.Expr, longer: pl.Expr) -> pl.Expr:
    """Word sequences (:func:`word_sequence_column`): ``shorter`` is a run of whole words
    of ``longer`` — what is left when a clerk drops industry words from either end
    (|劳务| of |建筑|劳务|分包|), never part of a word (|材料| of |新材料|). The empty
    sequence is a run of every sequence."""
    return longer.str.contains(shorter, literal=True)


def _word_sequences(values: pl.Series, words: NameVocabulary) -> dict[str, str]:
    """Each distinct value as its word sequence (thousands of distinct words behind
    hundreds of thousands of pairs)."""
    distinct = values.cast(pl.String).unique()
    return dict(
        zip(
            distinct.to_list(),
            distinct.to_frame()
            .select(word_sequence_column(pl.col(values.name), words))
            .to_series(),
            strict=True,
        )
    )


def _sounds(values: pl.Series) -> pl.Series:
    """The pinyin letters of each value, computed once per distinct value."""
    distinct = values.unique().to_list()
    return values.replace_strict(
        dict(zip(distinct, map(sounds, distinct), strict=True)), return_dtype=pl.String
    )


def _similarity(left: pl.Series, right: pl.Series) -> pl.Series:
    """Indel similarity of each pair of strings (rapidfuzz, both cores)."""
    scores = cpdist(
        left.to_list(),
        right.to_list(),
        scorer=Indel.normalized_similarity,
        dtype=np.float64,
        workers=-1,
    )
    return pl.Series(scores, dtype=pl.Float64)
