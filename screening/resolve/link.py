"""Link every mention to an entity: the matching cascade, its guards, and stable ids.

The cascade, strongest evidence first:

1. **uscc** — a valid USCC is the company: entity ``C-<USCC>``, whether or not the
   registry lists it. Two different valid USCCs are never merged.
2. **person** — a natural person's name (a labour boss, a worker) is never a company:
   entity ``P-<hash of name and ID-number hash>``.
3. **exact** — the name's trade name, industry words and branch equal one registry
   company's, and the regions named agree. When several agree (twins in two districts),
   the place the row is tied to (the court, the project's district) must pick one.
4. **fuzzy** — candidates that share a blocking key (blocking in DuckDB), scored by
   :mod:`similarity`; linked when the best is above the threshold, leads the next by a
   margin, names no other region and no other branch.
5. **new** — otherwise the name is an entity of its own, ``N-<hash of region and key>``,
   shared by every mention with the same region and key.

Reviewer judgements (must-link / cannot-link a name and an entity) always win.
Entity ids derive from content (USCC, or a hash of the normalised name), so an entity
keeps its id when data is re-ingested or grows.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import duckdb
import polars as pl

from screening.gazetteer import load_gazetteer
from screening.resolve.mentions import gather_mentions
from screening.resolve.names import NameParts, is_person_name, normalise, parse_name
from screening.resolve.similarity import FUZZY_THRESHOLD, MARGIN, Score, score
from screening.store import Store, insert_frame

Progress = Callable[[str], None]
CONFIDENCE = {"uscc": 1.0, "person": 1.0, "reviewer": 1.0, "exact": 0.97, "new": 0.5}
CONTEXT_CONFIDENCE = 0.9  # an exact name that only the row's place could attribute


@dataclass(frozen=True)
class Company:
    """A registry company as a match target."""

    entity_id: str
    name: str
    parts: NameParts
    places: frozenset[str]  # the name's regions and the address's


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


@dataclass
class ResolveResult:
    mentions: int
    by_method: dict[str, int]
    entities: dict[str, int]  # by kind
    ambiguous_names: int
    judgements: int
    seconds: float


def entity_hash(*parts: str) -> str:
    return hashlib.blake2b("|".join(parts).encode(), digest_size=6).hexdigest()


# ----- the reference: registry companies ----------------------------------------------


def registry_companies(con: duckdb.DuckDBPyConnection) -> list[Company]:
    """One target per valid USCC in the registry (its first row wins), in USCC order."""
    rows = con.execute(
        """SELECT uscc, arg_min(company_name, (source_file, source_row)),
                  arg_min(address, (source_file, source_row))
           FROM registry WHERE uscc_status = 'valid' AND company_name IS NOT NULL
           GROUP BY uscc ORDER BY uscc"""
    ).fetchall()
    gazetteer = load_gazetteer()
    companies = []
    for uscc, name, address in rows:
        parts = parse_name(name)
        located, _rest = gazetteer.region_prefix(normalise(address or ""))
        places = frozenset(parts.places) | {place.code for place in located}
        companies.append(Company(f"C-{uscc}", name, parts, places))
    return companies


def compatible(parts: NameParts, company: Company) -> bool:
    """The regions a mention names all hold for the company, and the branch is the same."""
    return parts.branch == company.parts.branch and all(
        code in company.places for code in parts.places
    )


# ----- deciding one name ---------------------------------------------------------------


class Matcher:
    """The exact and fuzzy stages over the registry, per distinct company name."""

    def __init__(self, companies: list[Company], con: duckdb.DuckDBPyConnection) -> None:
        self.companies = companies
        self.con = con
        self.by_key: dict[str, list[Company]] = defaultdict(list)
        self.trade_count: Counter[str] = Counter()
        for company in companies:
            self.by_key[company.parts.key].append(company)
            self.trade_count[company.parts.trade] += 1

    def decide(self, names: list[str], refused: dict[str, set[str]]) -> dict[str, Decision]:
        decisions: dict[str, Decision] = {}
        fuzzy: list[str] = []
        for name in names:
            parts = parse_name(name)
            blocked = refused.get(normalise(name), set())
            exact = [
                c
                for c in self.by_key.get(parts.key, ())
                if compatible(parts, c) and c.entity_id not in blocked
            ]
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
        for name, candidates in self._fuzzy_candidates(fuzzy).items():
            decision = decisions[name]
            blocked = refused.get(normalise(name), set())
            ranked = sorted(
                (
                    Candidate(
                        c,
                        score(
                            decision.parts,
                            c.parts,
                            same_place=bool(c.parts.places)
                            and decision.parts.places == c.parts.places,
                            trade_count=self.trade_count[c.parts.trade],
                        ),
                    )
                    for c in candidates
                    if compatible(decision.parts, c) and c.entity_id not in blocked
                ),
                key=lambda candidate: (-candidate.total, candidate.company.entity_id),
            )
            decision.candidates = ranked[:5]
            _decide_fuzzy(decision)
        return decisions

    def _fuzzy_candidates(self, names: list[str]) -> dict[str, list[Company]]:
        """Registry companies sharing a blocking key with each name (a DuckDB join).

        A single typo cannot break all three keys (see :func:`_blocking_keys`); a name
        that names a city only meets companies of that city.
        """
        result: dict[str, list[Company]] = {name: [] for name in names}
        if not names:
            return result
        gazetteer = load_gazetteer()

        def city(codes: Iterable[str]) -> str:
            for code in codes:
                place = gazetteer.by_code(code)
                if place is not None and place.level == "city":
                    return code
            return ""

        queries = _blocking_keys(
            "query",
            [parse_name(n).core for n in names],
            [city(parse_name(n).places) for n in names],
        )
        targets = _blocking_keys(
            "target",
            [c.parts.core for c in self.companies],
            [city(c.places) for c in self.companies],
        )
        con = self.con.cursor()
        con.register("queries", queries.to_arrow())
        con.register("targets", targets.to_arrow())
        pairs = con.execute(
            """SELECT DISTINCT q.query, t.target FROM queries q JOIN targets t
                 ON q.block = t.block AND (q.city = t.city OR q.city = '')
               ORDER BY q.query, t.target"""
        ).fetchall()
        con.close()
        for query, target in pairs:
            result[names[query]].append(self.companies[target])
        return result


def _closest(parts: NameParts, exact: list[Company]) -> list[Company]:
    """Among companies sharing a name's key, those that agree with it in more than the key.

    The registry holds different companies whose names differ only in legal form or in
    region (…有限公司 and …有限责任公司; 佛山农商行 and 顺德农商行): the one spelt exactly
    as typed wins, then the one with the same regions and legal form, then the same regions,
    then the same legal form. If none is alone in agreeing, all stay candidates.
    """
    tests = (
        lambda c: c.parts.text == parts.text,
        lambda c: c.parts.places == parts.places and c.parts.legal_form == parts.legal_form,
        lambda c: c.parts.places == parts.places,
        lambda c: c.parts.legal_form == parts.legal_form,
    )
    if len(exact) > 1:
        for test in tests:
            agreeing = [c for c in exact if test(c)]
            if len(agreeing) == 1:
                return agreeing
    return exact


def _blocking_keys(label: str, cores: list[str], cities: list[str]) -> pl.DataFrame:
    """Three keys per core: its first two characters (the trade name, mostly), and the
    core without its first or without its second character. One typo leaves one intact.
    """
    keys = pl.DataFrame({label: range(len(cores)), "core": cores, "city": cities})
    return pl.concat(
        keys.select(label, "city", key.alias("block"))
        for key in (
            pl.lit("a|") + pl.col("core").str.slice(0, 2),
            pl.lit("b|") + pl.col("core").str.slice(1),
            pl.lit("c|") + pl.col("core").str.slice(0, 1) + pl.col("core").str.slice(2),
        )
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


def new_entity(parts: NameParts) -> str:
    return f"N-{entity_hash(parts.place, parts.key)}"


def person_entity(name: str, person_hash: str | None) -> str:
    return f"P-{entity_hash(normalise(name), person_hash or '')}"


# ----- the whole run -------------------------------------------------------------------


def resolve(store: Store, *, progress: Progress | None = None) -> ResolveResult:
    """Link every mention in the database to an entity; replaces earlier links atomically."""
    started = time.perf_counter()
    say = progress or (lambda _stage: None)
    con = store.con
    say("gathering mentions")
    mentions = gather_mentions(con).with_row_index("mention")
    judgements = latest_judgements(con)
    say("reading the registry")
    companies = registry_companies(con)
    # Judgements name a company as normalised: every spelling of it is judged.
    refused: dict[str, set[str]] = defaultdict(set)
    must_by_key: dict[str, str] = {}
    for (key, entity_id), kind in judgements.items():
        if kind == "cannot_link":
            refused[key].add(entity_id)
        elif kind == "must_link":
            must_by_key[key] = entity_id
    keys = (
        {name: normalise(name) for name in mentions.get_column("name").unique().to_list()}
        if judgements
        else {}
    )
    must = {name: must_by_key[key] for name, key in keys.items() if key in must_by_key}
    say("classifying names")
    by_uscc = pl.col("uscc").is_not_null()
    if refused:
        refused_uscc = {
            (name, entity_id) for name, key in keys.items() for entity_id in refused.get(key, ())
        }
        by_uscc &= ~pl.struct("name", "uscc").map_elements(
            lambda row: (row["name"], f"C-{row['uscc']}") in refused_uscc,
            return_dtype=pl.Boolean,
        )
    rest = mentions.filter(~by_uscc)
    distinct = rest.get_column("name").unique().sort().to_list()
    persons = {name for name in distinct if is_person_name(name)}
    company_names = [name for name in distinct if name not in persons]
    say(f"matching {len(company_names):,} company names")
    decisions = Matcher(companies, con).decide(company_names, refused)
    say("linking mentions")
    parts = [
        mentions.filter(by_uscc).select(
            "mention",
            (pl.lit("C-") + pl.col("uscc")).alias("entity_id"),
            pl.lit("uscc").alias("method"),
            pl.lit(CONFIDENCE["uscc"]).alias("confidence"),
        ),
        _person_links(rest.filter(pl.col("name").is_in(persons))),
        _name_links(rest.filter(~pl.col("name").is_in(persons)), decisions),
    ]
    links = pl.concat(parts).sort("mention")
    if must:
        reviewed = pl.col("name").replace_strict(must, default=None, return_dtype=pl.String)
        links = (
            links.join(mentions.select("mention", "name"), on="mention")
            .with_columns(
                pl.coalesce(reviewed, pl.col("entity_id")).alias("entity_id"),
                pl.when(reviewed.is_not_null())
                .then(pl.lit("reviewer"))
                .otherwise(pl.col("method"))
                .alias("method"),
                pl.when(reviewed.is_not_null())
                .then(CONFIDENCE["reviewer"])
                .otherwise(pl.col("confidence"))
                .alias("confidence"),
            )
            .drop("name")
        )
    linked = mentions.join(links, on="mention").sort("mention").drop("mention")
    say("writing entities")
    entities = _entities(linked, companies)
    _write(con, linked, entities)
    methods = Counter(linked.get_column("method").to_list())
    kinds = Counter(entities.get_column("kind").to_list())
    ambiguous = sum(1 for d in decisions.values() if d.needs_context)
    return ResolveResult(
        mentions=linked.height,
        by_method=dict(sorted(methods.items())),
        entities=dict(sorted(kinds.items())),
        ambiguous_names=ambiguous,
        judgements=len(judgements),
        seconds=time.perf_counter() - started,
    )


def _person_links(rows: pl.DataFrame) -> pl.DataFrame:
    pairs = rows.select("name", "person_hash").unique().sort("name", "person_hash")
    ids = [person_entity(name, hashed) for name, hashed in pairs.iter_rows()]
    pairs = pairs.with_columns(pl.Series("entity_id", ids, dtype=pl.String))
    return rows.join(pairs, on=["name", "person_hash"], nulls_equal=True).select(
        "mention",
        "entity_id",
        pl.lit("person").alias("method"),
        pl.lit(CONFIDENCE["person"]).alias("confidence"),
    )


def _name_links(rows: pl.DataFrame, decisions: dict[str, Decision]) -> pl.DataFrame:
    """Company names without a valid USCC: the name's decision, or the row's place."""
    places = _ContextPlaces()
    pairs = rows.select("name", "context").unique().sort("name", "context", nulls_last=True)
    decided: list[tuple[str, str, float]] = []
    for name, context in pairs.iter_rows():
        decision = decisions[name]
        link = decision.link
        if link is None and decision.needs_context:
            link = pick_by_context(decision, places(context))
        link = link or Link(new_entity(decision.parts), "new", CONFIDENCE["new"])
        decided.append((link.entity_id, link.method, link.confidence))
    pairs = pairs.with_columns(
        pl.Series("entity_id", [d[0] for d in decided], dtype=pl.String),
        pl.Series("method", [d[1] for d in decided], dtype=pl.String),
        pl.Series("confidence", [d[2] for d in decided], dtype=pl.Float64),
    )
    return rows.join(pairs, on=["name", "context"], nulls_equal=True).select(
        "mention", "entity_id", "method", "confidence"
    )


class _ContextPlaces:
    """The gazetteer places a row's context text names (a court, a district), cached."""

    def __init__(self) -> None:
        self.gazetteer = load_gazetteer()
        self.cache: dict[str | None, frozenset[str]] = {None: frozenset()}

    def __call__(self, text: str | None) -> frozenset[str]:
        if text not in self.cache:
            assert text is not None
            found, _ = self.gazetteer.region_prefix(normalise(text))
            if not found:
                found = self.gazetteer.lookup(normalise(text))[:1]
            # Only the most specific place: a city court's city holds every twin in it.
            self.cache[text] = frozenset(place.code for place in found[-1:])
        return self.cache[text]


def latest_judgements(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """The latest judgement per (normalised name, entity)."""
    rows = con.execute(
        """SELECT name, entity_id, arg_max(judgement, decided_at)
           FROM resolve_judgements GROUP BY name, entity_id ORDER BY name, entity_id"""
    ).fetchall()
    result: dict[tuple[str, str], str] = {}
    for name, entity_id, judgement in rows:
        result[(normalise(name), entity_id)] = judgement
    return result


def _entities(linked: pl.DataFrame, companies: list[Company]) -> pl.DataFrame:
    """One row per entity: registry name when registered, else its most frequent name."""
    registered = {c.entity_id: c for c in companies}
    counts = (
        linked.group_by("entity_id", "name")
        .agg(pl.len().alias("n"))
        .sort(["entity_id", "n", "name"], descending=[False, True, False])
        .group_by("entity_id", maintain_order=True)
        .agg(pl.col("name").first(), pl.col("n").sum().alias("mentions"))
    )
    rows = []
    for entity_id, name, count in counts.iter_rows():
        company = registered.get(entity_id)
        rows.append(
            {
                "entity_id": entity_id,
                "kind": "person" if entity_id.startswith("P-") else "company",
                "name": company.name if company else name,
                "uscc": entity_id[2:] if entity_id.startswith("C-") else None,
                "place": company.parts.place if company else parse_name(name).place or None,
                "in_registry": company is not None,
                "mentions": count,
            }
        )
    return pl.DataFrame(rows, schema_overrides={"uscc": pl.String, "place": pl.String})


def _write(con: duckdb.DuckDBPyConnection, linked: pl.DataFrame, entities: pl.DataFrame) -> None:
    con.begin()
    try:
        con.execute("DELETE FROM mentions")
        con.execute("DELETE FROM entities")
        insert_frame(con, "mentions", linked)
        insert_frame(con, "entities", entities)
        con.commit()
    except BaseException:
        con.rollback()
        raise
