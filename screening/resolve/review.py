"""What a person can ask of entity resolution: why a name linked, and a judgement on it.

Judgements (must-link / cannot-link a name and an entity) are appended, never edited,
so their history stays; the latest per name and entity wins, and wins over the cascade.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from screening.errors import ScreeningError
from screening.resolve.link import latest_judgements
from screening.resolve.matcher import Decision, Matcher
from screening.resolve.names import is_person_name, normalise, parse_name
from screening.resolve.registry import registry_companies
from screening.store import Store

Judgement = Literal["must_link", "cannot_link"]


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
    refused = {
        entity_id
        for (judged, entity_id), kind in latest_judgements(con).items()
        if judged == key and kind == "cannot_link"
    }
    matcher = Matcher(registry_companies(con), con)
    decision = matcher.decide({name: parse_name(name)}, {key: refused})[name]
    return Explanation(name, False, decision, linked)


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
