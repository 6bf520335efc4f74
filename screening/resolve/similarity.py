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

from rapidfuzz.distance import Indel

from screening.resolve.names import NameParts
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


def score(mention: NameParts, candidate: NameParts, *, same_place: bool, trade_count: int) -> Score:
    """Similarity of a mention's core to a candidate's, split where the candidate's is.

    A typo can hide an industry word (健筑 for 建筑), so the mention's trade name is taken
    as its first characters, as many as the candidate's trade name has.
    """
    cut = len(candidate.trade)
    trade, industry = mention.core[:cut], mention.core[cut:]
    return Score(
        trade_sound=Indel.normalized_similarity(sounds(trade), sounds(candidate.trade)),
        trade_characters=Indel.normalized_similarity(trade, candidate.trade),
        industry_sound=Indel.normalized_similarity(sounds(industry), sounds(candidate.industry)),
        same_place=same_place,
        rare_trade=trade == candidate.trade and trade_count <= RARE_TRADE_COUNT,
    )
