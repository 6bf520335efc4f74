"""The exact and fuzzy stages of the cascade: deciding which registry company a name means.

Each distinct company name is decided once, and all names at a time, as polars frames
(a Python object per name costs more than the deciding). The exact stage joins names to
registry companies on the name's key; the fuzzy stage finds candidates sharing a blocking
key and scores every pair at once (:func:`similarity.score_pairs`). Both apply the
guards: every region a name names is one of the company's, and the branch is the same
(the key holds it; blocked pairs compare it).

A name no key matches exactly is tried again with its industry short forms written out
(南海汽配有限公司 meets 佛山市南海区汽车配件有限公司 as 汽车配件), and a name with no
trade name of its own — a region and industry words, as clerks shorten a company to "the
auto-parts firm of 南海" — links to the one registry company in that region with those
industry words, and only when it is the one (:data:`GENERIC_CONFIDENCE`); two such
companies leave it apart. The words are ``features/names.yaml``'s.

Names and companies come as :func:`bulk.parse_in_bulk` frames, numbered by a ``query``
or ``target`` column. A region chain holds at most one place per level, so "a name's
regions are among the company's" is a comparison per level.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial

import polars as pl

from screening.elsewhere import held
from screening.gazetteer import LEVELS
from screening.resolve.bulk import ADDRESS_LEVELS
from screening.resolve.name_vocabulary import WORD_END, NameVocabulary, name_vocabulary
from screening.resolve.similarity import (
    FUZZY_THRESHOLD,
    MARGIN,
    is_shortening,
    score_pairs,
    word_sequence_column,
    write_out_column,
)

CONFIDENCE = {"uscc": 1.0, "person": 1.0, "reviewer": 1.0, "exact": 0.97, "new": 0.5}
CONTEXT_CONFIDENCE = 0.9  # an exact name that only the row's place could attribute
# A short name spelt as one company's but that could shorten others', where the row's place
# picks none of them: the company spelt so is the likeliest, not a certainty.
CONTESTED_CONFIDENCE = 0.9
# A name typed without a legal form, or with the bare 公司, is a clerk's short form: it may
# shorten the industry words of a company other than the one spelt exactly so.
SHORT_LEGAL_FORMS = ("", "公司")
FUZZY_CONFIDENCE_CAP = 0.99  # a name linked by similarity alone is never certain
# A name of region and industry words only (南海汽配), linked to the one company there with
# those words: the registry may lack the company meant, so it is far from certain.
GENERIC_CONFIDENCE = 0.8
SHOWN_CANDIDATES = 5  # kept per name for --explain
QUERIES_AT_ONCE = 300_000  # names whose pairs are scored at once (by number)
TIE = 1e-9  # scores this close are equal (sums of the same terms, in another order)
MIN_KEY = 3  # a blocking key of fewer characters would pair too many names
RARE_TRADE = 20  # a trade name shared by at most this many registry companies is a key
SCORE_FIELDS = ("trade_sound", "trade_characters", "industry_sound", "same_place", "rare_trade")
FORM_FIELDS = ("same_form", "same_kind", "other_kind")  # of a candidate's legal form

CORE = pl.concat_str("trade", "industry")  # NameParts.core
KEY = pl.concat_str(CORE, pl.lit("|"), "branch")  # NameParts.key
MOST_SPECIFIC = pl.coalesce(*reversed(LEVELS))  # the region named last, as a code
PLACE = pl.coalesce(MOST_SPECIFIC.cast(pl.String), pl.lit(""))  # NameParts.place
TARGET_LEVELS = tuple(f"{level}_target" for level in LEVELS)


@dataclass(frozen=True)
class Decisions:
    """What the cascade concluded for each name (``query``), and on what."""

    # query, target, entity_id, picked, other_kind: the companies sharing its key; other_kind
    # when the name's legal form says one kind of company and the company's another
    exact: pl.DataFrame
    fuzzy: pl.DataFrame  # query, target, entity_id, score fields, total: best first
    generic: pl.DataFrame  # query, target, entity_id: the companies its industry words fit
    links: pl.DataFrame  # query, entity_id, method, confidence: what the name alone links
    # query, entity_id: a contested short name's exact match, when the row's place picks none
    fallback: pl.DataFrame

    def ambiguous(self) -> pl.DataFrame:
        """(query, target) of the names several companies share, or that several score
        alike (:func:`_fuzzy_ties`): the row's place decides. Each with the ``method`` and
        ``confidence`` of a link the place picks."""
        # A company of another kind than the name says is no namesake to choose among.
        undecided = self.exact.filter(
            ~pl.col("picked").any().over("query"), ~pl.col("other_kind")
        ).select("query", "target", method=pl.lit("exact"), confidence=pl.lit(CONTEXT_CONFIDENCE))
        tied = (
            _fuzzy_ties(self.fuzzy)
            .filter(~pl.col("other_kind"))
            .select(
                "query",
                "target",
                method=pl.lit("fuzzy"),
                confidence=pl.min_horizontal("total", pl.lit(CONTEXT_CONFIDENCE)).round(3),
            )
        )
        return pl.concat([undecided, tied])


class Matcher:
    """The exact and fuzzy stages over the registry's companies (``targets``)."""

    def __init__(self, targets: pl.DataFrame, words: NameVocabulary | None = None) -> None:
        self.words = words or name_vocabulary()
        trade_count = pl.len().over("trade")
        self.targets = targets.with_columns(
            core=CORE,
            key=KEY,
            **_written_out(self.words),
            full_industry=_full_industry(self.words),
            industry_words=word_sequence_column(pl.col("industry"), self.words),
            trade_count=trade_count,
            rare=trade_count <= RARE_TRADE,
            # A name naming a city meets only companies of that city (the first, by code,
            # of the cities the company's name and address name).
            block_city=pl.min_horizontal("city", "address_city"),
            kind=_kind(self.words),
        )
        # Every region a company's name or address names, one row each.
        self.target_places = (
            pl.concat(
                self.targets.select("target", place=column) for column in (*LEVELS, *ADDRESS_LEVELS)
            )
            .drop_nulls("place")
            .unique()
        )
        self.target_keys = pl.concat(
            [
                _blocking_keys(
                    self.targets.select(
                        "target", "core", "core_sound", "trade", "rare", "block_city"
                    ),
                    "target",
                ),
                _shortened_keys(self.targets, self.words),
            ]
        )

    def decide(self, queries: pl.DataFrame, refused: pl.DataFrame) -> Decisions:
        """Decide each company name (``query`` beside its parts).

        ``refused`` holds the cannot-links, (normalised ``text``, ``entity_id``): such a
        company is never a candidate for that name.
        """
        queries = queries.with_columns(
            core=CORE,
            key=KEY,
            place=MOST_SPECIFIC,
            kind=_kind(self.words),
            **_written_out(self.words),
        )
        exact = self._exact_candidates(queries, refused, "key")
        exact, fallback = self._contest(queries, exact, refused)
        unmatched = queries.join(exact.select("query").unique(), on="query", how="anti")
        fuzzy = self._fuzzy_candidates(unmatched, refused)
        # Short forms written out, and industry words alone, only decide a name that no
        # candidate scores high for (linked, or too close to call): 宏达建工 and 宏达建筑工程
        # may be two companies of a registry, though not of one registration area
        # (企业名称登记管理规定 第十七条), and a typo can make one look like the other.
        close = fuzzy.filter(pl.col("total") >= FUZZY_THRESHOLD).select("query").unique()
        unmatched = unmatched.join(close, on="query", how="anti")
        written_out = self._exact_candidates(unmatched, refused, "full_key")
        unmatched = unmatched.join(written_out.select("query").unique(), on="query", how="anti")
        generic = self._generic_candidates(unmatched, refused)
        exact = pl.concat([exact, written_out]).sort("query", "target")
        exact_links = exact.filter("picked").select(
            "query",
            "entity_id",
            method=pl.lit("exact"),
            confidence=pl.when("same_text").then(1.0).otherwise(CONFIDENCE["exact"]),
        )
        links = pl.concat([exact_links, _fuzzy_links(fuzzy), _generic_links(generic)])
        links = links.sort("query")
        return Decisions(exact.drop("same_text"), fuzzy, generic, links, fallback)

    def _contest(
        self, queries: pl.DataFrame, exact: pl.DataFrame, refused: pl.DataFrame
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Short names that other companies' names could be shortened to are contested.

        A clerk writes 广业建工 for 深圳市广业建筑工程有限公司 (建工 is 建筑工程's short form),
        广东信隆建设 for 广东信隆建设工程集团有限公司 and 明兴劳务 for 明兴建筑劳务有限公司
        (whole industry words dropped from either end: :func:`similarity.is_shortening`),
        while the registry may also hold a 深圳市福田区广业建工有限责任公司 spelt exactly so.
        Such a name is not decided by its spelling: all those companies become its
        candidates, none picked, so that the row's place (the court, the committee, the
        project's district) decides among them; where it picks none, the company spelt
        exactly so is linked (the ``fallback``), at :data:`CONTESTED_CONFIDENCE`, below an
        uncontested exact link's.
        Returns the exact candidates so changed, and the fallbacks.
        """
        spelt = exact.join(
            queries.filter(pl.col("legal_form").is_in(SHORT_LEGAL_FORMS)).select("query"),
            on="query",
        )
        short = (
            queries.join(spelt.select("query").unique(), on="query")
            .filter(~pl.col("generic"), pl.col("trade") != "")
            .select(
                "query",
                "trade",
                "branch",
                words=word_sequence_column(pl.col("industry"), self.words),
            )
        )
        pairs = short.join(
            self.targets.select("target", "trade", "branch", words_target="industry_words"),
            on=["trade", "branch"],
        ).filter(is_shortening(pl.col("words"), pl.col("words_target")))
        pairs = pairs.join(spelt.select("query", "target"), on=["query", "target"], how="anti")
        rivals = _with_sides(
            pairs.select("query", "target"),
            queries,
            ("text", *LEVELS),
            self.targets,
            (*LEVELS, *ADDRESS_LEVELS, "entity_id"),
        )
        rivals = _without_refused(rivals.filter(_regions_within_company()), refused)
        contested = rivals.select("query").unique()
        fallback = spelt.filter("picked").join(contested, on="query").select("query", "entity_id")
        rivals = rivals.select(
            "query",
            "target",
            "entity_id",
            picked=pl.lit(False),
            same_text=pl.lit(False),
            other_kind=pl.lit(False),  # a short name's form (none, 公司) says no kind
        )
        undecided = exact.join(contested, on="query").with_columns(picked=pl.lit(False))
        exact = pl.concat([exact.join(contested, on="query", how="anti"), undecided, rivals])
        return exact.sort("query", "target"), fallback

    def _exact_candidates(
        self, queries: pl.DataFrame, refused: pl.DataFrame, key: str
    ) -> pl.DataFrame:
        """Companies with the name's ``key`` (as written, or with the short forms written
        out) whose regions include the name's, each marked ``picked`` when it is the name's
        one match (:func:`_closest`)."""
        keyed = self.targets.select("target", key)
        # Twins in other districts share the key: meeting a company only through the most
        # specific region the name names keeps them out of the join.
        named = queries.filter(pl.col("place").is_not_null()).join(
            keyed.join(self.target_places, on="target"), on=[key, "place"]
        )
        unnamed = queries.filter(pl.col("place").is_null()).join(keyed, on=key)
        pairs = pl.concat([named.select("query", "target"), unnamed.select("query", "target")])
        compared = ("text", *LEVELS, "legal_form", "kind")
        candidates = _with_sides(
            pairs, queries, compared, self.targets, (*compared, *ADDRESS_LEVELS, "entity_id")
        ).filter(_regions_within_company())
        # Sorted first: the per-name windows of _closest are much faster over sorted rows.
        candidates = _without_refused(candidates, refused).sort("query", "target")
        return _closest(candidates).select(
            "query", "target", "entity_id", "picked", "same_text", "other_kind"
        )

    def _generic_candidates(self, queries: pl.DataFrame, refused: pl.DataFrame) -> pl.DataFrame:
        """For each name of a region and industry words only, the companies of that region
        (by name or address) whose industry words, written out, are the name's.

        A region's name can be a trade name too (丰顺 is a county and a 字号): a name that,
        read with its region as trade name, is a registry company's (佛山市丰顺餐饮管理有限
        公司 for 丰顺餐饮管理有限公司) has another candidate, and is left out."""
        generic = queries.filter("generic", pl.col("place").is_not_null()).select(
            "query", "text", "place", "branch", "legal_form", *LEVELS, industry="full_core"
        )
        generic = generic.join(self._read_otherwise(generic), on="query", how="anti")
        if generic.is_empty():
            return pl.DataFrame(
                schema={"query": pl.UInt32, "target": pl.UInt32, "entity_id": pl.String}
            )
        fitting = self.targets.select(
            "target", "entity_id", "branch", industry="full_industry"
        ).join(self.target_places, on="target")
        pairs = generic.join(fitting, on=["industry", "place", "branch"])
        candidates = pairs.join(
            self.targets.select("target", *LEVELS, *ADDRESS_LEVELS), on="target", suffix="_target"
        ).filter(_regions_within_company())
        return (
            _without_refused(candidates, refused)
            .select("query", "target", "entity_id")
            .unique()
            .sort("query", "target")
        )

    def _read_otherwise(self, generic: pl.DataFrame) -> pl.DataFrame:
        """(query) of the generic names whose region, or its end, read as a trade name,
        makes a registry company's core (short forms written out)."""
        readings: list[tuple[int, str]] = []
        for query, text, legal_form, core in generic.select(
            "query", "text", "legal_form", "industry"
        ).iter_rows():
            head = self.words.write_out(text.removesuffix(legal_form))
            readings += [(query, head[at:]) for at in range(len(head) - len(core))]
        frame = pl.DataFrame(
            readings, schema={"query": pl.UInt32, "full_core": pl.String}, orient="row"
        )
        registered = self.targets.select("full_core").unique()
        return frame.join(registered, on="full_core").select("query").unique()

    def _fuzzy_candidates(self, queries: pl.DataFrame, refused: pl.DataFrame) -> pl.DataFrame:
        """The best-scored compatible candidates per name, best first (ties by entity id).

        Candidates share a blocking key (see :func:`_blocking_keys`) and a city when the
        name names one. The guards hold as in the exact stage: the same branch, and every
        region the name names is one of the company's. The pairs are blocked and scored
        here, or where :func:`scoring_pairs_with` sends them (a job on Spark: its
        executors), by the same :func:`guard_and_score`.
        """
        query_keys = _blocking_keys(
            queries.select(
                "query", "core", "core_sound", "trade", rare=pl.lit(True), block_city="city"
            ),
            "query",
        )
        work = partial(
            guard_and_score,
            queries=queries.select("query", *QUERY_SIDE),
            targets=self.targets.select("target", *TARGET_SIDE),
            refused=refused,
            words=self.words,
        )
        elsewhere = _PAIRS_ELSEWHERE.get()
        if elsewhere is not None:
            return _best(elsewhere(query_keys, self.target_keys, work, SHOWN_CANDIDATES))
        # A slice of the names at a time: a province's nine million pairs, with both sides'
        # columns beside them, held almost two GB more at once, the run's peak.
        sliced = query_keys.with_columns(slice=pl.col("query") // QUERIES_AT_ONCE)
        slices = sliced.partition_by("slice", include_key=False) or [query_keys]
        return pl.concat(
            [_best(work(_blocked_pairs(part, self.target_keys))) for part in slices]
        ).sort("query", maintain_order=True)


QUERY_SIDE = ("branch", *LEVELS, "text", "core", "legal_form", "kind")  # what guard_and_score reads
TARGET_SIDE = (
    "branch",
    *LEVELS,
    *ADDRESS_LEVELS,
    "entity_id",
    "trade",
    "industry",
    "trade_count",
    "legal_form",
    "kind",
)
CANDIDATE_COLUMNS = ("query", "target", "entity_id", *SCORE_FIELDS, "total", *FORM_FIELDS)
PairWork = Callable[[pl.DataFrame], pl.DataFrame]  # (query, target) pairs in, candidates out
# Blocks (query keys, target keys), scores the pairs with the work, and keeps each name's
# best candidates (as many as the number given): a job on Spark does it on its executors.
PairScorer = Callable[[pl.DataFrame, pl.DataFrame, PairWork, int], pl.DataFrame]
_PAIRS_ELSEWHERE: ContextVar[PairScorer | None] = ContextVar("pairs_elsewhere", default=None)


def scoring_pairs_with(scorer: PairScorer) -> AbstractContextManager[None]:
    """Block and score the fuzzy stage's pairs through ``scorer`` while in the block."""
    return held(_PAIRS_ELSEWHERE, scorer)


def guard_and_score(
    blocked: pl.DataFrame,
    *,
    queries: pl.DataFrame,
    targets: pl.DataFrame,
    refused: pl.DataFrame,
    words: NameVocabulary,
) -> pl.DataFrame:
    """Blocked (query, target) pairs that pass the guards, scored (:data:`CANDIDATE_COLUMNS`,
    in no particular order). Each pair's outcome is its own: any split of the pairs into
    batches gives the same candidates."""
    compared = ("branch", *LEVELS)
    guarded = _with_sides(blocked, queries, compared, targets, (*compared, *ADDRESS_LEVELS)).filter(
        pl.col("branch") == pl.col("branch_target"), _regions_within_company()
    )
    pairs = _with_sides(
        guarded.select(
            "query",
            "target",
            same_place=_same_regions() & pl.coalesce(TARGET_LEVELS).is_not_null(),
        ),
        queries,
        ("text", "core", "legal_form", "kind"),
        targets,
        ("entity_id", "trade", "industry", "trade_count", "legal_form", "kind"),
    ).with_columns(**_form_agreement())
    return score_pairs(_without_refused(pairs, refused), words).select(CANDIDATE_COLUMNS)


def _with_sides(
    pairs: pl.DataFrame,
    queries: pl.DataFrame,
    of_query: tuple[str, ...],
    targets: pl.DataFrame,
    of_target: tuple[str, ...],
) -> pl.DataFrame:
    """(query, target) pairs with some columns of each side; the target's are suffixed
    ``_target`` where the names clash."""
    return pairs.join(queries.select("query", *of_query), on="query").join(
        targets.select("target", *of_target), on="target", suffix="_target"
    )


def _best(scored: pl.DataFrame) -> pl.DataFrame:
    """Each name's best-scored candidates, best first; ties fall to the lower entity id
    (targets are numbered in entity id order)."""
    return (
        scored.sort(["query", "total", "target"], descending=[False, True, False])
        .group_by("query", maintain_order=True)
        .head(SHOWN_CANDIDATES)
    )


def _regions_within_company() -> pl.Expr:
    """Every region the name names is one of the company's: its name's or its address's."""
    return pl.all_horizontal(
        pl.col(level).is_null()
        | pl.col(level).eq_missing(pl.col(f"{level}_target"))
        | pl.col(level).eq_missing(pl.col(f"address_{level}"))
        for level in LEVELS
    )


def _same_regions() -> pl.Expr:
    """The name names exactly the regions the company's name names."""
    return pl.all_horizontal(
        pl.col(level).eq_missing(pl.col(f"{level}_target")) for level in LEVELS
    )


def _without_refused(pairs: pl.DataFrame, refused: pl.DataFrame) -> pl.DataFrame:
    if refused.is_empty():
        return pairs
    return pairs.join(refused, on=["text", "entity_id"], how="anti")


def _closest(candidates: pl.DataFrame) -> pl.DataFrame:
    """Marks ``picked`` the one candidate per name that agrees with it in more than the key.

    The registry holds different companies whose names differ only in legal form or in
    region (…有限公司 and …有限责任公司; 佛山农商行 and 顺德农商行): the one spelt exactly
    as typed wins, then the one with the same regions and legal form, then the same regions,
    then the same district, then the same legal form, then the one of the kind of company
    the form says (隆昌劳务股份公司: the 股份有限公司, not the 有限公司; 公司法 第七条). A lone
    candidate is picked; if none is alone in agreeing, none is, and all stay candidates.
    """
    same_text = pl.col("text") == pl.col("text_target")
    form = _form_agreement()
    same_form, same_kind = form["same_form"], form["same_kind"]
    # 惠城联豪建筑公司: the company registered in 惠城区, not the one named only 惠州市….
    same_district = pl.col("district").is_not_null() & pl.col("district").eq_missing(
        pl.col("district_target")
    )
    tests = (
        same_text,
        _same_regions() & same_form,
        _same_regions(),
        same_district,
        same_form,
        same_kind,
    )
    # The first test that singles a candidate out decides (a lone candidate is singled out).
    decisive = [pl.when(pl.len().over("query") == 1).then(True)]
    decisive += [pl.when(test.sum().over("query") == 1).then(test) for test in tests]
    return candidates.with_columns(
        picked=pl.coalesce(*decisive, False), same_text=same_text, other_kind=form["other_kind"]
    )


def _form_agreement() -> dict[str, pl.Expr]:
    """How a candidate's legal form agrees with the name's (columns ``legal_form`` and
    ``kind``, the candidate's suffixed ``_target``): the same form, the same kind of company
    (:meth:`NameVocabulary.company_kind`), or another kind than the name says."""
    kind, kind_target = pl.col("kind"), pl.col("kind_target")
    same_kind = kind.is_not_null() & kind.eq_missing(kind_target)
    return {
        "same_form": pl.col("legal_form") == pl.col("legal_form_target"),
        "same_kind": same_kind,
        "other_kind": kind.is_not_null() & kind_target.is_not_null() & ~same_kind,
    }


def _fuzzy_links(fuzzy: pl.DataFrame) -> pl.DataFrame:
    """A name links to its best candidate when it scores above the threshold and leads the
    next by the margin, or, among candidates that score alike, when it alone has the
    name's legal form (:func:`_form_picks`)."""
    best = fuzzy.group_by("query", maintain_order=True).agg(
        pl.col("entity_id").first(),
        pl.col("total").first().alias("best"),
        pl.col("total").get(1, null_on_oob=True).fill_null(0.0).alias("runner_up"),
    )
    linked = best.filter(
        pl.col("best") >= FUZZY_THRESHOLD, pl.col("best") - pl.col("runner_up") >= MARGIN
    )
    # Python's round, as before: on near-ties (0.0005) polars rounds otherwise.
    confidence = [round(min(total, FUZZY_CONFIDENCE_CAP), 3) for total in linked["best"]]
    by_score = linked.select(
        "query",
        "entity_id",
        method=pl.lit("fuzzy"),
        confidence=pl.Series(confidence, dtype=pl.Float64),
    )
    by_form = _form_picks(fuzzy).select(
        "query",
        "entity_id",
        method=pl.lit("fuzzy"),
        # As a tie the row's place decides: the name alone did not choose.
        confidence=pl.min_horizontal("total", pl.lit(CONTEXT_CONFIDENCE)).round(3),
    )
    return pl.concat([by_score, by_form]).sort("query")


def _tied(fuzzy: pl.DataFrame) -> pl.DataFrame:
    """The best candidates of each name that several score alike, above the threshold."""
    best = pl.col("total").max().over("query")
    tied = fuzzy.filter(best >= FUZZY_THRESHOLD, pl.col("total") >= best - TIE)
    return tied.filter(pl.len().over("query") > 1)


def _form_picks(fuzzy: pl.DataFrame) -> pl.DataFrame:
    """Of candidates that score alike, the one with the name's legal form, else the one of
    the kind of company it says — as :func:`_closest` picks among namesakes (深圳市创安健设
    有限公司: the 创安建设有限公司, not the 创安建设有限责任公司 nor a 股份有限公司)."""
    tied = _tied(fuzzy)
    decisive = [
        pl.when(pl.col(test).sum().over("query") == 1).then(pl.col(test))
        for test in ("same_form", "same_kind")
    ]
    return tied.filter(pl.coalesce(*decisive, False))


def _fuzzy_ties(fuzzy: pl.DataFrame) -> pl.DataFrame:
    """The candidates of each name whose best candidates score alike, above the threshold,
    and that no legal form tells apart (:func:`_form_picks`): namesakes a short name fits
    equally (伟腾电子 for 南山区's and 光明区's 伟腾电子科技有限公司). The similarity cannot
    choose; the row's place may."""
    return _tied(fuzzy).join(_form_picks(fuzzy).select("query"), on="query", how="anti")


def _generic_links(generic: pl.DataFrame) -> pl.DataFrame:
    """A name of region and industry words links to the one company they fit; never to one
    of several."""
    return generic.filter(pl.len().over("query") == 1).select(
        "query",
        "entity_id",
        method=pl.lit("fuzzy"),
        confidence=pl.lit(GENERIC_CONFIDENCE),
    )


def _kind(words: NameVocabulary) -> pl.Expr:
    """The kind of company a parsed name's legal form says (:meth:`NameVocabulary.company_kind`),
    or null."""
    form = pl.col("legal_form").str.strip_prefix(words.group_word)
    return form.replace_strict(words.kind_of_form, default=None, return_dtype=pl.String)


def _written_out(words: NameVocabulary) -> dict[str, pl.Expr]:
    """``generic``, ``full_core`` and ``full_key`` of parsed names, as polars computes them
    (:func:`names.is_generic` and :func:`names.core_written_out`, all names at a time)."""
    generic = CORE.str.contains(words.only_tokens.pattern)
    full_core = (
        pl.when(generic)
        .then(write_out_column(CORE, words))
        .otherwise(pl.col("trade") + write_out_column(pl.col("industry"), words))
    )
    return {
        "generic": generic,
        "full_core": full_core,
        "full_key": pl.concat_str(full_core, pl.lit("|"), "branch"),
    }


def _full_industry(words: NameVocabulary) -> pl.Expr:
    """A company's industry words written out; a generic name's are all its core."""
    generic = CORE.str.contains(words.only_tokens.pattern)
    industry = pl.when(generic).then(CORE).otherwise(pl.col("industry"))
    return write_out_column(industry, words)


def _blocking_keys(names: pl.DataFrame, label: str) -> pl.DataFrame:
    """The keys under which a name meets its candidates; two names meet if they share one.

    - ``s|`` the core's sound: any number of homophone typos (宏→红, 信→讯 differ by a letter,
      so near homophones still need the next key);
    - ``d|`` the core, and the core less any one character (a deletion neighbourhood, kept to
      cores of at least MIN_KEY characters): one typo, of any kind, anywhere;
    - ``t|`` the trade name, for the rare trade names (few registry companies share them):
      the industry words may differ altogether.

    Keys this specific keep the candidate pairs few; a key like "the first two characters"
    pairs every 宏达… mention with every 宏达… company.
    """
    core, length = pl.col("core"), pl.col("core").str.len_chars()
    longest = names.get_column("core").str.len_chars().max() or 0
    assert isinstance(longest, int)
    keys = [
        pl.lit("s|") + pl.col("core_sound"),
        pl.lit("d|") + core,
        pl.when(pl.col("rare")).then(pl.lit("t|") + pl.col("trade")),
        *(
            pl.when(length > at, length > MIN_KEY).then(
                pl.lit("d|") + core.str.slice(0, at) + core.str.slice(at + 1)
            )
            for at in range(longest)
        ),
    ]
    # Not made unique: the odd repeated key (宏宏达 less either 宏) only repeats a pair,
    # and the pairs are made unique.
    return pl.concat(
        names.select(label, "block_city", key.alias("block")) for key in keys
    ).drop_nulls("block")


def _shortened_keys(targets: pl.DataFrame, words: NameVocabulary) -> pl.DataFrame:
    """A company's ``d|`` keys as a clerk shortens it, dropping industry words from either
    end (宝安鸿源建设 for 深圳市宝安区鸿源建设工程有限公司, 宝安耀丰劳务 for …耀丰建筑劳务…,
    联祥地产 for 联祥房地产开发): its trade name and each of its industry words, for
    companies with more than one, or a short form of the words it begins with (地产 for
    房地产, 建工 for 建筑工程, 人力 for 人力资源). A name so shortened is no single typo
    away from the company's core, nor always of a rare trade name, so no other key meets
    it; :func:`similarity.score_pairs` scores the pair as it scores any shortening."""
    industry, trade = pl.col("industry"), pl.col("trade")
    # Not made unique: a word written twice only repeats a pair, and pairs are made unique.
    each_word = (
        targets.select(
            "target", "block_city", "trade", word=industry.str.extract_all(words.tokens.pattern)
        )
        .filter(pl.col("word").list.len() > 1)
        .explode("word")
    )
    keys = [each_word.select("target", "block_city", block=pl.lit("d|") + trade + pl.col("word"))]
    sequences = dict(zip(words.industry_tokens, words.word_sequences, strict=True))
    for short in words.short_forms:
        # Written out, the company's words begin with the short form's words.
        begins = pl.col("industry_words").str.starts_with(WORD_END + sequences[short])
        keys.append(
            targets.filter(begins, industry != short).select(
                "target", "block_city", block=pl.lit("d|") + trade + pl.lit(short)
            )
        )
    return pl.concat(keys)


def _blocked_pairs(query_keys: pl.DataFrame, target_keys: pl.DataFrame) -> pl.DataFrame:
    """(query, target) sharing a block, and the city when the name names one."""
    anywhere = query_keys.filter(pl.col("block_city").is_null()).join(
        target_keys.drop("block_city"), on="block"
    )
    in_city = query_keys.filter(pl.col("block_city").is_not_null()).join(
        target_keys, on=["block", "block_city"]
    )
    return _distinct_pairs(
        pl.concat([anywhere.select("query", "target"), in_city.select("query", "target")])
    )


def _distinct_pairs(pairs: pl.DataFrame) -> pl.DataFrame:
    """(query, target) pairs made unique (in no particular order)."""
    # Both as one 64-bit number: polars makes a single integer column unique several
    # times faster than a frame of two.
    shift = 1 << 32
    packed = pairs.select(pl.col("query").cast(pl.UInt64) * shift + pl.col("target"))
    unique = packed.to_series().unique()
    return pl.DataFrame(
        {"query": (unique // shift).cast(pl.UInt32), "target": (unique % shift).cast(pl.UInt32)}
    )
