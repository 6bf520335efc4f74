"""Link every mention to an entity: the matching cascade, its guards, and stable ids.

The cascade, strongest evidence first:

1. **uscc** — a valid USCC is the company: entity ``C-<USCC>``, whether or not the
   registry lists it. Two different valid USCCs are never merged. But a branch's name
   (…分公司) typed with a USCC the registry gives a head office is the branch, not the
   head office: such a mention goes on down the cascade by its name.
2. **person** — a natural person's name (a labour boss, a worker) is never a company:
   entity ``P-<hash of name and ID-number hash>``, the name without a clerk's note
   (张三(包工头) is 张三).
3. **exact** — the name's trade name, industry words and branch equal one registry
   company's, and the regions named agree. When several agree (twins in two districts),
   the place the row is tied to (the court, the project's district) must pick one: by the
   places the companies' names and addresses give, else where they were registered. A
   short name spelt as one company's but which other companies' names could be shortened
   to (广业建工: also …广业建筑工程…) is contested the same way; where the place picks
   none, it goes to the company spelt so, less surely, with the method ``contested``.
4. **fuzzy** — candidates that share a blocking key, scored by :mod:`similarity`; linked
   when the best is above the threshold, leads the next by a margin, names no other region
   and no other branch. Where several score alike above the threshold (namesakes a short
   name fits equally), the row's place decides among them as in the exact stage, and
   none is linked if it picks none. A name of a region and industry words only (南海汽配)
   links to the one company of that region with those industry words, if there is one
   only.
5. **new** — otherwise the name is an entity of its own, ``N-<hash of region and key>``,
   shared by every mention with the same region and key.

Reviewer judgements (must-link / cannot-link a name and an entity) always win.
Entity ids derive from content (USCC, or a hash of the normalised name), so an entity
keeps its id when data is re-ingested or grows.

The mentions (eight million at province scale) never leave DuckDB: Python decides each
distinct name once, as frames, and SQL joins those decisions back to the mentions while
writing them.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType

import duckdb
import polars as pl

from screening.committees import committee_place
from screening.features.vocabulary import Vocabulary
from screening.gazetteer import LEVELS, Place, load_gazetteer
from screening.resolve.bulk import ADDRESS_LEVELS, PARTS_SCHEMA, PLACE_CODE
from screening.resolve.links import write_links
from screening.resolve.matcher import (
    CONFIDENCE,
    CONTESTED_CONFIDENCE,
    KEY,
    PLACE,
    Decisions,
    Matcher,
)
from screening.resolve.mentions import MENTION_ORDER, mentions_sql
from screening.resolve.name_vocabulary import name_vocabulary
from screening.resolve.names import normalise, parse_name, person_name
from screening.resolve.parses import parse_with_store
from screening.resolve.registry import read_registry, registration_area, registry_targets
from screening.store import Store, empty_table

Progress = Callable[[str], None]
Judgements = dict[tuple[str, str], str]


@dataclass
class ResolveResult:
    mentions: int
    by_method: dict[str, int]
    entities: dict[str, int]  # by kind
    ambiguous_names: int
    judgements: int
    seconds: float


def entity_hash(*parts: str) -> str:
    return entity_hashes(*([part] for part in parts))[0]


def entity_hashes(*columns: Iterable[str]) -> list[str]:
    """:func:`entity_hash` of each row of ``columns``: millions at province scale."""
    blake2b = hashlib.blake2b
    return [
        blake2b("|".join(parts).encode(), digest_size=6).hexdigest()
        for parts in zip(*columns, strict=True)
    ]


# ----- the whole run -------------------------------------------------------------------


def resolve(
    store: Store, *, progress: Progress | None = None, vocabulary: Vocabulary | None = None
) -> ResolveResult:
    """Link every mention in the database to an entity, then every record to the records
    it concerns (:mod:`screening.resolve.links`, with ``vocabulary``); replaces earlier
    links atomically."""
    started = time.perf_counter()
    say = progress or (lambda _stage: None)
    with _Scratch(store.con) as scratch:
        judgements = latest_judgements(scratch.con)
        decided = _decide(store, scratch, judgements, say)
        say("writing mentions and entities")
        _write(scratch, decided)
        write_links(scratch.con, vocabulary, say)
        by_method = _counts(scratch.con, "SELECT method, count(*) FROM mentions GROUP BY 1")
        kinds = _counts(scratch.con, "SELECT kind, count(*) FROM entities GROUP BY 1")
    return ResolveResult(
        mentions=sum(by_method.values()),
        by_method=by_method,
        entities=kinds,
        ambiguous_names=decided.ambiguous_names,
        judgements=len(judgements),
        seconds=time.perf_counter() - started,
    )


@dataclass(frozen=True)
class _Decided:
    """What writing needs of the deciding, besides the links it left in DuckDB."""

    ambiguous_names: int
    registered: pl.DataFrame  # entity_id, registered_name, registered_place
    places: pl.DataFrame  # name, place: of each company name taken apart


def _decide(store: Store, scratch: _Scratch, judgements: Judgements, say: Progress) -> _Decided:
    """Decide every distinct name and leave the links in DuckDB (:func:`_register_links`).

    A function of its own so that its frames (GBs at province scale) are freed before
    DuckDB writes the mentions, which needs the memory.
    """
    say("reading the registry")
    registry = read_registry(scratch.con)
    say("gathering mentions")
    named = _gather_names(scratch, judgements, registry)
    names = named.get_column("name").unique().sort()
    say(f"taking apart {names.len():,} names")
    # Most names are spelt exactly as a registry company's: those reuse its parse.
    unregistered = names.filter(~names.is_in(registry.get_column("name").implode()))
    parsed, registry_parsed = parse_with_store(store, unregistered, registry, say)
    targets = registry_targets(registry, registry_parsed)
    parsed = _with_registered(names, parsed, registry_parsed)
    queries = parsed.filter(~pl.col("is_person")).drop("is_person").with_row_index("query")
    say(f"matching {queries.height:,} company names")
    pairs = _person_pairs(named, parsed)
    # Persons are hashed (Python, one core) while polars matches the companies (in its own
    # threads, the GIL released): on two cores the two overlap.
    with ThreadPoolExecutor(max_workers=1) as beside:
        persons = beside.submit(_person_links, pairs)
        decisions = Matcher(targets).decide(queries, _refused(judgements))
        scratch.frame("resolve_by_person", persons.result())
    say("linking mentions")
    _register_links(scratch, parsed, queries, targets, decisions, judgements)
    return _Decided(
        ambiguous_names=decisions.ambiguous().get_column("query").n_unique(),
        registered=targets.select(
            "entity_id", registered_name="name", registered_place=_place_or_null()
        ),
        places=queries.select("name", place=_place_or_null()),
    )


def _place_or_null() -> pl.Expr:
    return pl.when(PLACE != "").then(PLACE)


class _Scratch:
    """What one resolve keeps in DuckDB while it runs (frames registered, temporary views
    and tables), dropped when it ends: the connection lives on for the next stage."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.frames: list[str] = []
        self.relations: list[tuple[str, str]] = []

    def __enter__(self) -> _Scratch:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for kind, name in reversed(self.relations):
            self.con.execute(f"DROP {kind} IF EXISTS {name}")
        for name in self.frames:
            self.con.unregister(name)

    def frame(self, name: str, frame: pl.DataFrame) -> None:
        self.con.register(name, frame.to_arrow())
        self.frames.append(name)

    def view(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")
        self.relations.append(("VIEW", name))

    def table(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
        self.relations.append(("TABLE", name))

    def query(self, sql: str) -> pl.DataFrame:
        frame = pl.from_arrow(self.con.sql(sql).to_arrow_table())
        assert isinstance(frame, pl.DataFrame)
        return frame


# ----- names ---------------------------------------------------------------------------


def _gather_names(
    scratch: _Scratch, judgements: Judgements, registry: pl.DataFrame
) -> pl.DataFrame:
    """Defines the view ``resolve_mentions`` (every mention, and whether its USCC links it)
    and returns the distinct (name, person_hash) of the mentions the USCC does not link."""
    # A cannot-link overrides a USCC too, and so does a branch's name on its head office's
    # USCC: such mentions go down the cascade by name.
    refused = pl.concat(
        [_refused_uscc(scratch.con, judgements), _branches_on_head_uscc(scratch.con, registry)]
    ).unique()
    scratch.frame("resolve_refused_uscc", refused)
    scratch.view(
        "resolve_mentions",
        f"""SELECT m.*, m.uscc IS NOT NULL AND refused.name IS NULL AS by_uscc
            FROM ({mentions_sql()}) m LEFT JOIN resolve_refused_uscc refused
              ON refused.name = m.name AND refused.uscc = m.uscc""",
    )
    # With the ID-number hash: a person is a name and a hash (:func:`_person_pairs`), and
    # one pass over the eight million mentions costs seconds.
    return scratch.query(
        "SELECT DISTINCT name, person_hash FROM resolve_mentions WHERE NOT by_uscc"
    )


def _with_registered(
    names: pl.Series, parsed: pl.DataFrame, registry_parsed: pl.DataFrame
) -> pl.DataFrame:
    """Every name's parse, sorted by name: its own, or its registry spelling's."""
    registered = (
        registry_parsed.select("name", *PARTS_SCHEMA)
        .filter(pl.col("name").is_in(names.implode()))
        .unique("name", keep="any")  # a name's parse depends on the name alone
    )
    return pl.concat([parsed, registered]).sort("name")


def latest_judgements(con: duckdb.DuckDBPyConnection) -> Judgements:
    """The latest judgement per (normalised name, entity)."""
    rows = con.execute(
        """SELECT name, entity_id, arg_max(judgement, decided_at)
           FROM resolve_judgements GROUP BY name, entity_id ORDER BY name, entity_id"""
    ).fetchall()
    result: Judgements = {}
    for name, entity_id, judgement in rows:
        result[(normalise(name), entity_id)] = judgement
    return result


def _refused(judgements: Judgements) -> pl.DataFrame:
    """The cannot-links: (normalised name ``text``, ``entity_id``)."""
    refused = [key for key, kind in judgements.items() if kind == "cannot_link"]
    return pl.DataFrame(
        refused, schema={"text": pl.String, "entity_id": pl.String}, orient="row"
    ).sort("text", "entity_id")


def _refused_uscc(con: duckdb.DuckDBPyConnection, judgements: Judgements) -> pl.DataFrame:
    """(name, USCC) of the mentions whose USCC a cannot-link refuses for their name."""
    refused = _refused(judgements).filter(pl.col("entity_id").str.starts_with("C-"))
    usccs = refused.select(pl.col("entity_id").str.slice(2).alias("uscc")).unique()
    rows: list[tuple[str, str]] = []
    if usccs.height:
        con.register("resolve_refused_usccs", usccs.to_arrow())
        try:
            rows = con.execute(
                f"""SELECT DISTINCT name, uscc FROM ({mentions_sql()})
                    WHERE uscc IN (SELECT uscc FROM resolve_refused_usccs) ORDER BY ALL"""
            ).fetchall()
        finally:
            con.unregister("resolve_refused_usccs")
    pairs = set(refused.select("text", pl.col("entity_id").str.slice(2)).iter_rows())
    return pl.DataFrame(
        [(name, uscc) for name, uscc in rows if (normalise(name), uscc) in pairs],
        schema={"name": pl.String, "uscc": pl.String},
        orient="row",
    )


def _branches_on_head_uscc(con: duckdb.DuckDBPyConnection, registry: pl.DataFrame) -> pl.DataFrame:
    """(name, USCC) of the mentions whose name is a branch's (…三水分公司) while the
    registry names that USCC's company without a branch: a head office's code typed
    beside a branch. The USCC alone must not merge the branch into its head office."""
    suffixes = "|".join(map(re.escape, name_vocabulary().branch_suffixes))
    rows = con.execute(
        f"""SELECT DISTINCT name, uscc FROM ({mentions_sql()})
            WHERE uscc IS NOT NULL AND regexp_matches(name, ?) ORDER BY ALL""",
        [f"({suffixes})"],
    ).fetchall()
    registered = dict(
        registry.filter(pl.col("uscc").is_in([uscc for _, uscc in rows]))
        .select("uscc", "name")
        .iter_rows()
    )
    head_offices = {
        uscc for uscc, name in registered.items() if not parse_name(normalise(name)).branch
    }
    return pl.DataFrame(
        [
            (name, uscc)
            for name, uscc in rows
            if uscc in head_offices and parse_name(normalise(name)).branch
        ],
        schema={"name": pl.String, "uscc": pl.String},
        orient="row",
    )


# ----- links, per name -----------------------------------------------------------------

LINK_SCHEMA = {"entity_id": pl.String, "method": pl.String, "confidence": pl.Float64}
PERSONS_AT_ONCE = 100_000


def _register_links(
    scratch: _Scratch,
    parsed: pl.DataFrame,
    queries: pl.DataFrame,
    targets: pl.DataFrame,
    decisions: Decisions,
    judgements: Judgements,
) -> None:
    """The links :func:`_write` joins to the mentions, each a frame in DuckDB (beside
    ``resolve_by_person``, :func:`_person_links`): ``resolve_by_name`` (a company name
    decided alone), ``resolve_by_place`` (a name several companies share, with the row's
    context) and ``resolve_reviewed`` (must-links, by name)."""
    ambiguous = decisions.ambiguous()
    decided = queries.join(decisions.links, on="query").select("name", *LINK_SCHEMA)
    unlinked = queries.join(decisions.links, on="query", how="anti").join(
        ambiguous, on="query", how="anti"
    )
    scratch.frame("resolve_by_name", pl.concat([decided, _new_links(unlinked)]))
    scratch.frame(
        "resolve_by_place", _place_links(scratch, queries, targets, ambiguous, decisions.fallback)
    )
    must = {key: entity for (key, entity), kind in judgements.items() if kind == "must_link"}
    scratch.frame(
        "resolve_reviewed",
        parsed.filter(pl.col("text").is_in(list(must))).select(
            "name", entity_id=pl.col("text").replace_strict(must, return_dtype=pl.String)
        ),
    )


def _new_links(names: pl.DataFrame) -> pl.DataFrame:
    """Names nothing links: an entity of their own, shared by every spelling with the same
    region and key."""
    named = names.select("name", place=PLACE, key=KEY)
    return named.select(
        "name",
        entity_id=pl.lit("N-")
        + pl.Series(entity_hashes(named["place"].to_list(), named["key"].to_list())),
        method=pl.lit("new"),
        confidence=pl.lit(CONFIDENCE["new"]),
    )


def _place_links(
    scratch: _Scratch,
    queries: pl.DataFrame,
    targets: pl.DataFrame,
    ambiguous: pl.DataFrame,
    fallback: pl.DataFrame,
) -> pl.DataFrame:
    """Names several companies share, or fit alike: the one company in the place the row
    is tied to, else the name's fallback (:meth:`Matcher._contest`), else an entity of
    their own. One row per (name, context).

    A company is in a place its name or address names; where that singles none out, in
    the place it was registered: a USCC's characters 3–8 are its registration authority's
    division code (GB 32100-2015).
    """
    shared = queries.join(ambiguous.select("query").unique(), on="query")
    scratch.frame("resolve_shared_names", shared.select("name"))
    contexts = scratch.query(
        """SELECT DISTINCT m.name, m.context FROM resolve_mentions m
           JOIN resolve_shared_names USING (name) WHERE NOT m.by_uscc"""
    ).sort("name", "context")
    places = _ContextPlaces()
    contexts = contexts.with_columns(
        pl.Series("context_place", [places(text) for text in contexts["context"]], PLACE_CODE)
    )
    candidates = contexts.join(shared.select("name", "query"), on="name")
    located = candidates.join(ambiguous, on="query").join(
        targets.select("target", "entity_id", *LEVELS, *ADDRESS_LEVELS), on="target"
    )
    named_here = pl.any_horizontal(
        pl.col(column) == pl.col("context_place") for column in (*LEVELS, *ADDRESS_LEVELS)
    )
    registered_here = registration_area(pl.col("entity_id")) == pl.col("context_place").cast(
        pl.String
    )
    picked = _the_one_here(located, named_here)
    rest = located.join(picked, on=["name", "context"], how="anti", nulls_equal=True)
    picked = pl.concat([picked, _the_one_here(rest, registered_here)])
    unpicked = candidates.join(picked, on=["name", "context"], how="anti", nulls_equal=True)
    # Its own method: the spelling alone chose, where a place-picked link had the row's
    # place behind it too, and a reviewer must tell the two apart.
    by_fallback = unpicked.join(fallback, on="query").select(
        "name",
        "context",
        "entity_id",
        method=pl.lit("contested"),
        confidence=pl.lit(CONTESTED_CONFIDENCE),
    )
    unpicked = unpicked.join(fallback, on="query", how="anti")
    new = _new_links(shared.join(unpicked.select("name").unique(), on="name"))
    return pl.concat([picked, by_fallback, unpicked.select("name", "context").join(new, on="name")])


def _the_one_here(located: pl.DataFrame, here: pl.Expr) -> pl.DataFrame:
    """(name, context) links to the one candidate ``here`` holds for, where it is one."""
    return (
        located.filter(here)
        .filter(pl.len().over("name", "context") == 1)
        .select("name", "context", "entity_id", "method", "confidence")
    )


class _ContextPlaces:
    """The place a row's context text names (a court, a district, an arbitration
    committee), cached."""

    def __init__(self) -> None:
        self.cache: dict[str | None, str | None] = {None: None}

    def __call__(self, text: str | None) -> str | None:
        if text not in self.cache:
            assert text is not None
            found = self._places(text)
            # Only the most specific place: a city court's city holds every twin in it.
            self.cache[text] = found[-1].code if found else None
        return self.cache[text]

    @staticmethod
    def _places(text: str) -> list[Place]:
        committee = committee_place(text)
        if committee is not None:
            return [committee]
        gazetteer, normalised = load_gazetteer(), normalise(text)
        found, _ = gazetteer.region_prefix(normalised)
        return found or gazetteer.lookup(normalised)[:1]


def _person_pairs(named: pl.DataFrame, parsed: pl.DataFrame) -> pl.DataFrame:
    """Each person's name as written and as normalised, with each ID-number hash beside it
    (``named``: :func:`_gather_names`)."""
    return named.join(parsed.filter("is_person").select("name", "text"), on="name")


def _person_links(pairs: pl.DataFrame) -> pl.DataFrame:
    """A person per name (normalised, without a clerk's note) and ID-number hash
    (:func:`_person_pairs`): 张三(包工头) is the person 张三."""
    # In slices: a province's two million persons as Python strings at once held half a
    # GB more, beside the matching's frames at the run's peak.
    hashed = [_person_ids(part) for part in pairs.iter_slices(PERSONS_AT_ONCE)]
    ids = pl.concat(hashed) if hashed else pl.Series([], dtype=pl.String)
    return pairs.select(
        "name",
        "person_hash",
        entity_id=pl.lit("P-") + ids,
        method=pl.lit("person"),
        confidence=pl.lit(CONFIDENCE["person"]),
    )


def _person_ids(pairs: pl.DataFrame) -> pl.Series:
    texts = pairs["text"].to_list()
    bare = {text: person_name(text) or text for text in set(texts)}
    hashed = entity_hashes(
        [bare[text] for text in texts], pairs["person_hash"].fill_null("").to_list()
    )
    return pl.Series(hashed, dtype=pl.String)


# ----- writing -------------------------------------------------------------------------


def _write(scratch: _Scratch, decided: _Decided) -> None:
    """Replace the mentions and entities, all or nothing."""
    con = scratch.con
    con.begin()
    try:
        for table in ("mentions", "entities"):
            empty_table(con, table)
        _write_mentions(con)
        _write_entities(scratch, decided)
        con.commit()
    except BaseException:
        con.rollback()
        raise


def _link_column(column: str) -> str:
    """A mention's link column: from the first source that links it (the sources exclude
    each other, but for the reviewer's, which wins)."""
    by_uscc = {"entity_id": "'C-' || m.uscc", "method": "'uscc'", "confidence": "$uscc"}
    sources = (
        f"reviewed.{column}",
        f"CASE WHEN m.by_uscc THEN {by_uscc[column]} END",
        *(f"{source}.{column}" for source in ("person", "named", "placed")),
    )
    return f"coalesce({', '.join(sources)}) AS {column}"


def _write_mentions(con: duckdb.DuckDBPyConnection) -> None:
    """Each mention with its link: a reviewer's, its USCC's, or its name's. The evidence
    it was linked by (USCC, ID-number hash, context) stays in its row (:func:`mentions_sql`):
    copying it cost a third of the write."""
    con.execute(
        f"""INSERT INTO mentions
            SELECT m.source_table, m.source_file, m.source_row, m.role, m.name,
                   {", ".join(map(_link_column, LINK_SCHEMA))}
            FROM resolve_mentions m
            LEFT JOIN (SELECT name, entity_id, 'reviewer' AS method, $reviewer AS confidence
                       FROM resolve_reviewed) reviewed ON reviewed.name = m.name
            LEFT JOIN resolve_by_person person ON NOT m.by_uscc AND person.name = m.name
              AND person.person_hash IS NOT DISTINCT FROM m.person_hash
            LEFT JOIN resolve_by_name named ON NOT m.by_uscc AND named.name = m.name
            LEFT JOIN resolve_by_place placed ON NOT m.by_uscc AND placed.name = m.name
              AND placed.context IS NOT DISTINCT FROM m.context
            ORDER BY {MENTION_ORDER}""",
        {"reviewer": CONFIDENCE["reviewer"], "uscc": CONFIDENCE["uscc"]},
    )


def _write_entities(scratch: _Scratch, decided: _Decided) -> None:
    """One row per entity: the registry's name and place when registered; otherwise its
    most frequent name, and the place that name gives."""
    scratch.table(
        "resolve_entity_names",
        """SELECT entity_id, first(name ORDER BY n DESC, name) AS name, sum(n) AS mentions
           FROM (SELECT entity_id, name, count(*) AS n FROM mentions GROUP BY ALL)
           GROUP BY entity_id""",
    )
    scratch.frame("resolve_registered", decided.registered)
    unregistered = scratch.query(
        """SELECT DISTINCT name FROM resolve_entity_names
           ANTI JOIN resolve_registered USING (entity_id)
           WHERE NOT starts_with(entity_id, 'P-')"""
    )
    scratch.frame("resolve_name_places", _name_places(unregistered, decided.places))
    # A name's place serves any entity that name is the most frequent name of.
    scratch.con.execute(
        """INSERT INTO entities
           SELECT e.entity_id,
                  CASE WHEN starts_with(e.entity_id, 'P-') THEN 'person' ELSE 'company' END,
                  coalesce(r.registered_name, e.name),
                  CASE WHEN starts_with(e.entity_id, 'C-') THEN e.entity_id[3:] END,
                  CASE WHEN NOT starts_with(e.entity_id, 'P-')
                       THEN coalesce(r.registered_place, p.place) END,
                  r.registered_name IS NOT NULL,
                  e.mentions
           FROM resolve_entity_names e
           LEFT JOIN resolve_registered r USING (entity_id)
           LEFT JOIN resolve_name_places p USING (name)
           ORDER BY e.entity_id"""
    )


def _name_places(names: pl.DataFrame, places: pl.DataFrame) -> pl.DataFrame:
    """The most specific place each company name names (null when none)."""
    known = names.join(places, on="name")
    # Names only a USCC linked, or that read like a person's, were not taken apart yet.
    other = names.join(places, on="name", how="anti").get_column("name").sort()
    taken_apart = pl.DataFrame(
        {"name": other, "place": [parse_name(name).place or None for name in other]},
        schema=known.schema,
    )
    return pl.concat([known, taken_apart])


def _counts(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, int]:
    return dict(sorted(con.execute(sql).fetchall()))
