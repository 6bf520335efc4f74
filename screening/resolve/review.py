"""What a person can ask of entity resolution: why a name linked, and a judgement on it.

Judgements (must-link / cannot-link a name and an entity) are appended, never edited,
so their history stays; the latest per name and entity wins, and wins over the cascade.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import polars as pl

from screening.errors import ScreeningError
from screening.resolve.link import latest_judgements
from screening.resolve.matcher import TIE, Decisions, Matcher
from screening.resolve.names import NameParts, is_person_name, normalise, parse_name
from screening.resolve.parses import parse_with_store
from screening.resolve.registry import Company, company, read_registry, registry_targets
from screening.resolve.similarity import FUZZY_THRESHOLD, MARGIN, Score
from screening.store import Store

Judgement = Literal["must_link", "cannot_link"]


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
    """What the cascade concluded for one company name, and why."""

    parts: NameParts
    link: Link | None = None
    candidates: list[Candidate] = field(default_factory=list)
    needs_context: bool = False
    why: str = ""


@dataclass
class Explanation:
    name: str
    person: bool
    decision: Decision | None  # None for a person's name
    linked: list[tuple[str, str, float, int]]  # entity, method, confidence, mentions now


def explain(store: Store, name: str) -> Explanation:
    """The cascade's view of ``name``: its parts, candidates, scores and the verdict."""
    con = store.con
    linked = con.execute(
        """SELECT entity_id, method, max(confidence), count(*) FROM mentions
           WHERE name = ? GROUP BY ALL ORDER BY 4 DESC, 1""",
        [name],
    ).fetchall()
    if is_person_name(name):
        return Explanation(name, True, None, linked)
    key = normalise(name)
    refused = pl.DataFrame(
        [
            entity_id
            for (judged, entity_id), kind in latest_judgements(con).items()
            if judged == key and kind == "cannot_link"
        ],
        schema={"entity_id": pl.String},
    ).select(text=pl.lit(key), entity_id="entity_id")
    registry = read_registry(con)
    query, registry_parsed = parse_with_store(store, pl.Series([name]), registry)
    targets = registry_targets(registry, registry_parsed)
    decisions = Matcher(targets).decide(query.with_row_index("query"), refused)
    return Explanation(name, False, _decision(parse_name(name), decisions, targets), linked)


def _decision(parts: NameParts, decisions: Decisions, targets: pl.DataFrame) -> Decision:
    """The decisions on one name, as the objects ``--explain`` shows."""
    links = [Link(*row) for row in decisions.links.drop("query").iter_rows()]
    decision = Decision(parts, link=links[0] if links else None)
    if decisions.exact.height:
        exact = decisions.exact.drop("entity_id").join(targets, on="target").sort("target")
        decision.candidates = [Candidate(company(row), None) for row in exact.iter_rows(named=True)]
        if decision.link:
            decision.why = "the only registry company with this trade name and region"
        else:
            decision.needs_context = True
            decision.why = (
                f"{exact.height} registry companies share this name: the row's place decides"
            )
        return decision
    if decision.link and decisions.generic.height:
        generic = decisions.generic.drop("entity_id").join(targets, on="target")
        decision.candidates = [
            Candidate(company(row), None) for row in generic.iter_rows(named=True)
        ]
        decision.why = (
            "a region and industry words only: the one registry company there with those "
            "industry words"
        )
        return decision
    fuzzy = decisions.fuzzy.drop("entity_id").join(targets, on="target", maintain_order="left")
    decision.candidates = [
        Candidate(company(row), Score(*(row[name] for name in Score.__dataclass_fields__)))
        for row in fuzzy.iter_rows(named=True)
    ]
    decision.why = _fuzzy_why(decision)
    return decision


def _fuzzy_why(decision: Decision) -> str:
    ranked = decision.candidates
    if not ranked:
        return "no registry company shares a blocking key and a compatible region"
    best = ranked[0].total
    runner_up = ranked[1].total if len(ranked) > 1 else 0.0
    tied = sum(best - candidate.total < TIE for candidate in ranked)
    if decision.link and tied > 1:
        return (
            f"{tied} registry companies score {best:.3f} alike: the one with the name's legal form"
        )
    if decision.link:
        return f"best score {best:.3f}, next {runner_up:.3f}"
    if best < FUZZY_THRESHOLD:
        return f"best score {best:.3f} is below the threshold {FUZZY_THRESHOLD}"
    if tied > 1:
        decision.needs_context = True
        return f"{tied} registry companies score {best:.3f} alike: the row's place decides"
    return f"best score {best:.3f} leads the next ({runner_up:.3f}) by less than {MARGIN}"


def judge(
    store: Store,
    name: str,
    entity_id: str,
    judgement: Judgement,
    *,
    reviewer: str,
    reason: str = "",
) -> None:
    """Record a judgement; it takes effect at the next resolve and is never lost."""
    con = store.con
    (known,) = con.execute(
        "SELECT count(*) FROM entities WHERE entity_id = ?", [entity_id]
    ).fetchall()[0]
    if not known and not entity_id.startswith("C-"):
        raise ScreeningError(
            f"no entity {entity_id}",
            hint="run `screening resolve --explain NAME` to see the entity ids of candidates",
        )
    con.execute(
        "INSERT INTO resolve_judgements VALUES (?, ?, ?, ?, ?, ?)",
        [
            normalise(name),
            entity_id,
            judgement,
            reviewer,
            reason,
            datetime.now(UTC).replace(tzinfo=None),
        ],
    )
