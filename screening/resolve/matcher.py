"""The exact and fuzzy stages of the cascade: deciding which registry company a name means.

Each distinct company name is decided once. The exact stage looks the name's key up among
registry companies; the fuzzy stage finds candidates sharing a blocking key (a DuckDB join
that also applies the region and branch guards) and scores every pair at once
(:func:`similarity.score_pairs`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import duckdb
import polars as pl

from screening.gazetteer import load_gazetteer
from screening.resolve.names import NameParts
from screening.resolve.registry import Company
from screening.resolve.similarity import FUZZY_THRESHOLD, MARGIN, Score, score_pairs
from screening.resolve.sound import sounds

CONFIDENCE = {"uscc": 1.0, "person": 1.0, "reviewer": 1.0, "exact": 0.97, "new": 0.5}
CONTEXT_CONFIDENCE = 0.9  # an exact name that only the row's place could attribute
SHOWN_CANDIDATES = 5  # kept per name for --explain
MIN_KEY = 3  # a blocking key of fewer characters would pair too many names
RARE_TRADE = 20  # a trade name shared by at most this many registry companies is a key
SCORE_FIELDS = tuple(Score.__dataclass_fields__)


@dataclass(frozen=True)
class Link:
    entity_id: str
    method: str
    confidence: float


@dataclass
class Candidate:
    company: Company
    score: Score | None  # None for an exact key match

    @property
    def total(self) -> float:
        return 1.0 if self.score is None else self.score.total


@dataclass
class Decision:
    """What the cascade concluded for one company name, and why (for --explain)."""

    parts: NameParts
    link: Link | None = None
    candidates: list[Candidate] = field(default_factory=list)
    needs_context: bool = False
    why: str = ""


class Matcher:
    """The exact and fuzzy stages over the registry, per distinct company name."""

    def __init__(self, companies: list[Company], con: duckdb.DuckDBPyConnection) -> None:
        self.companies = companies
        self.con = con
        self.by_key: dict[str, list[Company]] = defaultdict(list)
        trade_count: Counter[str] = Counter()
        for company in companies:
            self.by_key[company.parts.key].append(company)
            trade_count[company.parts.trade] += 1
        self.targets = _name_frame(
            "target",
            [c.parts for c in companies],
            [c.places for c in companies],
            [trade_count[c.parts.trade] <= RARE_TRADE for c in companies],
        ).with_columns(
            pl.Series("entity_id", [c.entity_id for c in companies], dtype=pl.String),
            pl.Series(
                "trade_count", [trade_count[c.parts.trade] for c in companies], dtype=pl.Int64
            ),
        )
        self.target_keys = _blocking_keys("target", self.targets)

    def decide(
        self, parts_by_name: Mapping[str, NameParts], refused: Mapping[str, set[str]]
    ) -> dict[str, Decision]:
        """A decision per name; ``refused`` holds cannot-links by normalised name."""
        decisions: dict[str, Decision] = {}
        fuzzy: list[str] = []
        # Many spellings share a key and regions: the compatible companies are found once.
        same_key: dict[tuple[str, tuple[str, ...]], list[Company]] = {}
        for name, parts in parts_by_name.items():
            group = (parts.key, parts.places)
            if group not in same_key:
                places = frozenset(parts.places)  # the key holds the branch already
                same_key[group] = [c for c in self.by_key.get(parts.key, ()) if c.places >= places]
            blocked = refused.get(parts.text)
            exact = same_key[group]
            if blocked:
                exact = [c for c in exact if c.entity_id not in blocked]
            decision = Decision(parts, candidates=[Candidate(c, None) for c in exact])
            exact = _closest(parts, exact)
            if len(exact) == 1:
                confidence = 1.0 if parts.text == exact[0].parts.text else CONFIDENCE["exact"]
                decision.link = Link(exact[0].entity_id, "exact", confidence)
                decision.why = "the only registry company with this trade name and region"
            elif exact:
                decision.needs_context = True
                decision.why = (
                    f"{len(exact)} registry companies share this name: the row's place decides"
                )
            else:
                fuzzy.append(name)
            decisions[name] = decision
        ranked = self._ranked_candidates([decisions[name].parts for name in fuzzy], refused)
        for number, name in enumerate(fuzzy):
            decision = decisions[name]
            decision.candidates = ranked.get(number, [])
            _decide_fuzzy(decision)
        return decisions

    def _ranked_candidates(
        self, queries: list[NameParts], refused: Mapping[str, set[str]]
    ) -> dict[int, list[Candidate]]:
        """The best-scored compatible candidates per query, best first (ties by entity id).

        Candidates share a blocking key (see :func:`_blocking_keys`) and a city when the
        query names one. The guards hold as in the exact stage: the same branch, and every
        region the query names is one of the company's.
        """
        if not queries:
            return {}
        query_frame = _name_frame(
            "query", queries, [frozenset(q.places) for q in queries], [True] * len(queries)
        )
        query_keys = _blocking_keys("query", query_frame)
        con = self.con.cursor()
        con.register("query_keys", query_keys.to_arrow())
        con.register("target_keys", self.target_keys.to_arrow())
        blocked = pl.from_arrow(
            con.sql(
                """SELECT DISTINCT q.query, t.target FROM query_keys q JOIN target_keys t
                     ON q.block = t.block AND (q.city = t.city OR q.city = '')
                   ORDER BY q.query, t.target"""
            ).to_arrow_table()
        )
        con.close()
        assert isinstance(blocked, pl.DataFrame)
        # The guards, in polars: given both sides' columns, DuckDB's planner joined the
        # names to the companies on the branch (mostly '' = '') before the blocked pairs.
        mention_places = pl.col("places").str.split(",")
        pairs = (
            blocked.join(query_frame, on="query")
            .join(self.targets, on="target", suffix="_target")
            .filter(
                pl.col("branch") == pl.col("branch_target"),
                (pl.col("places") == "")
                | (
                    mention_places.list.set_difference(
                        pl.col("places_target").str.split(",")
                    ).list.len()
                    == 0
                ),
            )
            .select(
                "query",
                "target",
                "core",
                "text",
                "entity_id",
                pl.col("trade_target").alias("trade"),
                pl.col("industry_target").alias("industry"),
                "trade_count",
                (
                    (pl.col("name_places_target") != "")
                    & (pl.col("name_places") == pl.col("name_places_target"))
                ).alias("same_place"),
            )
        )
        if refused:
            refused_pairs = pl.DataFrame(
                [(text, entity_id) for text, ids in refused.items() for entity_id in ids],
                schema={"text": pl.String, "entity_id": pl.String},
                orient="row",
            )
            pairs = pairs.join(refused_pairs, on=["text", "entity_id"], how="anti")
        scored = score_pairs(pairs).sort(
            ["query", "total", "entity_id"], descending=[False, True, False]
        )
        best = scored.group_by("query", maintain_order=True).head(SHOWN_CANDIDATES)
        ranked: dict[int, list[Candidate]] = defaultdict(list)
        columns = ("query", "target", *SCORE_FIELDS)
        for query, target, *fields in zip(*(best[c].to_list() for c in columns), strict=True):
            ranked[query].append(Candidate(self.companies[target], Score(*fields)))
        return ranked


def _name_frame(
    label: str, names: list[NameParts], places: list[frozenset[str]], rare: list[bool]
) -> pl.DataFrame:
    """What blocking and the guards need of each name. Region codes are joined into one
    comma-separated string: polars builds list columns from Python slowly."""
    return pl.DataFrame(
        {
            label: range(len(names)),
            "text": [n.text for n in names],
            "core": [n.core for n in names],
            "core_sound": [sounds(n.core) for n in names],
            "trade": [n.trade for n in names],
            "industry": [n.industry for n in names],
            "branch": [n.branch for n in names],
            "rare": rare,
            "places": [",".join(sorted(p)) for p in places],
            "name_places": [",".join(n.places) for n in names],
            "city": [_city(p) for p in places],
        },
        schema_overrides={"rare": pl.Boolean}
        | {column: pl.String for column in ("text", "core", "core_sound", "trade")}
        | {column: pl.String for column in ("industry", "branch", "places", "name_places")}
        | {"city": pl.String},
    )


def _city(codes: frozenset[str]) -> str:
    """The city among the regions ("" when none): a name naming a city only meets
    companies of that city."""
    gazetteer = load_gazetteer()
    for code in sorted(codes):
        place = gazetteer.by_code(code)
        if place is not None and place.level == "city":
            return code
    return ""


def _closest(parts: NameParts, exact: list[Company]) -> list[Company]:
    """Among companies sharing a name's key, those that agree with it in more than the key.

    The registry holds different companies whose names differ only in legal form or in
    region (…有限公司 and …有限责任公司; 佛山农商行 and 顺德农商行): the one spelt exactly
    as typed wins, then the one with the same regions and legal form, then the same regions,
    then the same legal form. If none is alone in agreeing, all stay candidates.
    """
    if len(exact) < 2:
        return exact
    tests = (
        lambda c: c.parts.text == parts.text,
        lambda c: c.parts.places == parts.places and c.parts.legal_form == parts.legal_form,
        lambda c: c.parts.places == parts.places,
        lambda c: c.parts.legal_form == parts.legal_form,
    )
    for test in tests:
        agreeing = [c for c in exact if test(c)]
        if len(agreeing) == 1:
            return agreeing
    return exact


def _blocking_keys(label: str, names: pl.DataFrame) -> pl.DataFrame:
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
    return (
        pl.concat(names.select(label, "city", key.alias("block")) for key in keys)
        .drop_nulls("block")
        .unique()
    )


def _decide_fuzzy(decision: Decision) -> None:
    ranked = decision.candidates
    if not ranked:
        decision.why = "no registry company shares a blocking key and a compatible region"
        return
    best = ranked[0]
    runner_up = ranked[1].total if len(ranked) > 1 else 0.0
    if best.total < FUZZY_THRESHOLD:
        decision.why = f"best score {best.total:.3f} is below the threshold {FUZZY_THRESHOLD}"
    elif best.total - runner_up < MARGIN:
        decision.why = (
            f"best score {best.total:.3f} leads the next ({runner_up:.3f}) by less than {MARGIN}"
        )
    else:
        decision.link = Link(best.company.entity_id, "fuzzy", round(min(best.total, 0.99), 3))
        decision.why = f"best score {best.total:.3f}, next {runner_up:.3f}"


def pick_by_context(decision: Decision, context_places: frozenset[str]) -> Link | None:
    """Among equally named companies, the one in the place the row is tied to."""
    here = [c for c in decision.candidates if context_places & c.company.places]
    if len(here) == 1:
        return Link(here[0].company.entity_id, "exact", CONTEXT_CONFIDENCE)
    return None
