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
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import polars as pl

from screening.gazetteer import load_gazetteer
from screening.resolve.bulk import ParsedName, parse_mention_names
from screening.resolve.matcher import CONFIDENCE, Decision, Link, Matcher, pick_by_context
from screening.resolve.mentions import gather_mentions
from screening.resolve.names import NameParts, normalise, parse_name
from screening.resolve.registry import Company, registry_companies
from screening.store import Store, insert_frame

Progress = Callable[[str], None]
# Raise when a change to resolution changes its output: a job then resolves again even
# if no input changed.
RESOLVER_VERSION = 2


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


def new_entity(parts: NameParts) -> str:
    return f"N-{entity_hash(parts.place, parts.key)}"


def person_entity(text: str, person_hash: str | None) -> str:
    """A person: the normalised name and the keyed hash of the ID number, when known."""
    return f"P-{entity_hash(text, person_hash or '')}"


# ----- the whole run -------------------------------------------------------------------


def resolve(store: Store, *, progress: Progress | None = None) -> ResolveResult:
    """Link every mention in the database to an entity; replaces earlier links atomically."""
    started = time.perf_counter()
    say = progress or (lambda _stage: None)
    con = store.con
    say("gathering mentions")
    mentions = gather_mentions(con).with_row_index("mention")
    judgements = latest_judgements(con)
    # Judgements name a company as normalised: every spelling of it is judged.
    refused: dict[str, set[str]] = defaultdict(set)
    must_by_key: dict[str, str] = {}
    for (key, entity_id), kind in judgements.items():
        if kind == "cannot_link":
            refused[key].add(entity_id)
        elif kind == "must_link":
            must_by_key[key] = entity_id
    by_uscc = pl.col("uscc").is_not_null()
    if refused:
        # A cannot-link overrides a USCC too: such mentions go down the cascade by name.
        refused_uscc = pl.DataFrame(
            [(key, entity_id[2:]) for key, ids in refused.items() for entity_id in ids],
            schema={"key": pl.String, "uscc": pl.String},
            orient="row",
        )
        keys = mentions.select("name").unique()
        keys = keys.with_columns(
            pl.Series("key", [normalise(name) for name in keys["name"]], dtype=pl.String)
        )
        refused_names = keys.join(refused_uscc, on="key").select("name", "uscc")
        by_uscc &= ~pl.struct("name", "uscc").is_in(refused_names.to_struct().implode())
    say("reading the registry")
    companies = registry_companies(con)
    # Only what linking needs: at province scale every copy of the mentions costs GBs.
    rest = mentions.filter(~by_uscc).select("mention", "name", "person_hash", "context")
    distinct = rest.get_column("name").unique().sort().to_list()
    say(f"taking apart {len(distinct):,} names")
    parsed = _parse(distinct, companies)
    company_parts = {name: p.parts for name, p in parsed.items() if p.parts is not None}
    say(f"matching {len(company_parts):,} company names")
    decisions = Matcher(companies, con).decide(company_parts, refused)
    ambiguous = sum(1 for d in decisions.values() if d.needs_context)
    say("linking mentions")
    is_person = pl.col("name").is_in([name for name, p in parsed.items() if p.is_person])
    links = pl.concat(
        [
            mentions.filter(by_uscc).select(
                "mention",
                (pl.lit("C-") + pl.col("uscc")).alias("entity_id"),
                pl.lit("uscc").alias("method"),
                pl.lit(CONFIDENCE["uscc"]).alias("confidence"),
            ),
            _person_links(rest.filter(is_person), parsed),
            _name_links(rest.filter(~is_person), decisions),
        ]
    )
    del rest, decisions, company_parts
    must = {name: must_by_key[p.text] for name, p in parsed.items() if p.text in must_by_key}
    if must:
        links = _apply_must_links(links, mentions, must)
    linked = mentions.join(links, on="mention").sort("mention").drop("mention")
    del mentions, links
    say("writing entities")
    entities = _entities(linked, companies, parsed)
    del parsed
    _write(con, linked, entities)
    methods = dict(linked.group_by("method").len().sort("method").iter_rows())
    kinds = dict(entities.group_by("kind").len().sort("kind").iter_rows())
    return ResolveResult(
        mentions=linked.height,
        by_method=methods,
        entities=kinds,
        ambiguous_names=ambiguous,
        judgements=len(judgements),
        seconds=time.perf_counter() - started,
    )


def _parse(names: list[str], companies: list[Company]) -> dict[str, ParsedName]:
    """Each name's normalised text and parts. A name spelt exactly as a registry company's
    (most are) reuses that parse; the rest are parsed in bulk."""
    registered = {
        c.name: ParsedName(c.parts.text, None if c.name_is_person else c.parts) for c in companies
    }
    unknown = [name for name in names if name not in registered]
    parsed = dict(zip(unknown, parse_mention_names(unknown), strict=True))
    return {name: registered.get(name) or parsed[name] for name in names}


def _apply_must_links(
    links: pl.DataFrame, mentions: pl.DataFrame, must: dict[str, str]
) -> pl.DataFrame:
    """A reviewer's must-link wins over whatever the cascade decided for that name."""
    reviewed = pl.col("name").replace_strict(must, default=None, return_dtype=pl.String)
    return (
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


def _person_links(rows: pl.DataFrame, parsed: dict[str, ParsedName]) -> pl.DataFrame:
    pairs = rows.select("name", "person_hash").unique().sort("name", "person_hash")
    ids = [person_entity(parsed[name].text, hashed) for name, hashed in pairs.iter_rows()]
    pairs = pairs.with_columns(pl.Series("entity_id", ids, dtype=pl.String))
    return rows.join(pairs, on=["name", "person_hash"], nulls_equal=True).select(
        "mention",
        "entity_id",
        pl.lit("person").alias("method"),
        pl.lit(CONFIDENCE["person"]).alias("confidence"),
    )


LINK_SCHEMA = {"entity_id": pl.String, "method": pl.String, "confidence": pl.Float64}


def _name_links(rows: pl.DataFrame, decisions: dict[str, Decision]) -> pl.DataFrame:
    """Company names without a valid USCC: the name's decision, or else the row's place."""
    by_name: list[tuple[str, str, str, float]] = []
    undecided: set[str] = set()
    for name, decision in decisions.items():
        if decision.link is None and decision.needs_context:
            undecided.add(name)
            continue
        link = decision.link or _new_link(decision)
        by_name.append((name, link.entity_id, link.method, link.confidence))
    named = pl.DataFrame(by_name, schema={"name": pl.String, **LINK_SCHEMA}, orient="row")
    needs_place = rows.filter(pl.col("name").is_in(undecided))
    places = _ContextPlaces()
    by_place: list[tuple[str, str | None, str, str, float]] = []
    pairs = needs_place.select("name", "context").unique().sort("name", "context")
    for name, context in pairs.iter_rows():
        decision = decisions[name]
        picked = pick_by_context(decision, places(context))
        link = picked or _new_link(decision)
        by_place.append((name, context, link.entity_id, link.method, link.confidence))
    placed = pl.DataFrame(
        by_place, schema={"name": pl.String, "context": pl.String, **LINK_SCHEMA}, orient="row"
    )
    columns = ["mention", *LINK_SCHEMA]
    return pl.concat(
        [
            rows.join(named, on="name").select(columns),
            needs_place.join(placed, on=["name", "context"], nulls_equal=True).select(columns),
        ]
    )


def _new_link(decision: Decision) -> Link:
    """A name nothing links: an entity of its own, shared by its every spelling."""
    return Link(new_entity(decision.parts), "new", CONFIDENCE["new"])


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


def _entities(
    linked: pl.DataFrame, companies: list[Company], parsed: dict[str, ParsedName]
) -> pl.DataFrame:
    """One row per entity: the registry's name and place when registered; otherwise its
    most frequent name, and the place that name gives."""
    entities = (
        linked.group_by("entity_id", "name")
        .agg(pl.len().alias("n"))
        .sort(["entity_id", "n", "name"], descending=[False, True, False])
        .group_by("entity_id", maintain_order=True)
        .agg(pl.col("name").first(), pl.col("n").sum().alias("mentions"))
    )
    registry = pl.DataFrame(
        {
            "entity_id": [c.entity_id for c in companies],
            "registered_name": [c.name for c in companies],
            "registered_place": [c.parts.place or None for c in companies],
        },
        schema={
            "entity_id": pl.String,
            "registered_name": pl.String,
            "registered_place": pl.String,
        },
    )
    entities = entities.join(registry, on="entity_id", how="left")
    person = pl.col("entity_id").str.starts_with("P-")
    unregistered = entities.filter(pl.col("registered_name").is_null() & ~person)
    own_places = {
        name: (parsed[name].parts if name in parsed else None) or parse_name(name)
        for name in unregistered.get_column("name").unique().to_list()
    }
    name_place = pl.col("name").replace_strict(
        {name: parts.place or None for name, parts in own_places.items()},
        default=None,
        return_dtype=pl.String,
    )
    return entities.select(
        "entity_id",
        pl.when(person).then(pl.lit("person")).otherwise(pl.lit("company")).alias("kind"),
        pl.coalesce("registered_name", "name").alias("name"),
        pl.when(pl.col("entity_id").str.starts_with("C-"))
        .then(pl.col("entity_id").str.slice(2))
        .alias("uscc"),
        pl.when(person)
        .then(None)
        .otherwise(pl.coalesce("registered_place", name_place))
        .alias("place"),
        pl.col("registered_name").is_not_null().alias("in_registry"),
        "mentions",
    )


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
