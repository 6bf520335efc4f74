"""How good a published run is, measured against a generated world's truth or against
reviewers' decisions.

The truth folder of a world (``truth/leads.csv``, ``truth/mentions.csv``) records what was
planted: every lead and decoy per pattern, and the company behind every name cell. This
module reads it and scores the latest published run: precision at k, recall overall and
per pattern, each rule's precision, decoys near the top, and entity resolution's figures
(:mod:`screening.resolve.quality`: pairwise, per mention, and without the largest
companies). The engine itself never reads the truth.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import polars as pl

from screening.errors import ConfigError
from screening.ingest.manifest import load_manifest
from screening.resolve.quality import ResolutionScores, resolution_scores
from screening.review import reviewer_labels
from screening.store import Store, query_frame

TOP_K = (10, 25, 50, 100)
DECOY_WINDOW = 50
MentionKey = tuple[str, int, str]  # source file, source row, canonical column


@dataclass(frozen=True)
class ListScores:
    """How good one ranked list of leads is against a world's truth (the measures of
    :class:`Evaluation` that need only the list)."""

    leads: int
    precision_at: dict[int, float]
    recall: float
    recall_by_pattern: dict[str, tuple[int, int]]  # pattern -> (found, planted)
    precision_by_rule: dict[str, tuple[int, int]]  # rule -> (true leads, leads)
    decoys_in_top: int  # decoy subjects among the first DECOY_WINDOW leads


@dataclass(frozen=True)
class Evaluation(ListScores):
    """A published run's lead list scored against a world's truth, with entity resolution
    and the award→project links."""

    run_id: str
    resolution: ResolutionScores  # of company mentions
    site_links: SiteLinks | None  # arbitration cases linked to their project (truth/sites.csv)


@dataclass(frozen=True)
class SiteLinks:
    """How well the award→project links (record links) find a case's project."""

    cases: int  # wage and other cases whose site is a project
    linked: int  # of those, linked to some project
    right: int  # of those, linked to the true project

    @property
    def share(self) -> float:
        return self.linked / self.cases if self.cases else 0.0

    @property
    def precision(self) -> float:
        return self.right / self.linked if self.linked else 1.0


def mention_truth(world: Path) -> dict[MentionKey, tuple[str, str]]:
    """The company behind each company-name cell, and the clerk's variant of its name."""
    columns: dict[tuple[str, str], str] = {}
    for spec in load_manifest(world / "manifest.yaml").sources.values():
        folder = spec.files.split("/")[1]  # extracts/<folder>/…
        for header, mapped in spec.mappings():
            columns[(folder, header)] = str(mapped.column)
    truth = {}
    with (world / "truth" / "mentions.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["entity_kind"] == "company":
                column = columns[(row["file"].split("/")[0], row["column"])]
                key = (f"extracts/{row['file']}", int(row["row"]), column)
                truth[key] = (row["entity_key"], row["variant"])
    return truth


@dataclass(frozen=True)
class RuleTruth:
    """What one rule fired on, beside what its pattern planted (leads and guards) and its
    decoys."""

    planted: frozenset[str]
    decoys: frozenset[str]
    fired: frozenset[str]

    @property
    def found(self) -> frozenset[str]:
        return self.fired & self.planted

    @property
    def decoys_hit(self) -> frozenset[str]:
        return self.fired & self.decoys


def world_of(truth: Path) -> Path:
    """The world folder, given either it or its truth/ folder."""
    return truth.parent if (truth / "leads.csv").exists() else truth


def planted_truth(world: Path) -> list[dict[str, str]]:
    """The rows of ``truth/leads.csv``: pattern, subject, outcome and role of each plant."""
    path = world / "truth" / "leads.csv"
    if not path.exists():
        raise ConfigError(
            "no truth/leads.csv here", where=str(world), hint="give a generated world's folder"
        )
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


LeadKey = tuple[str, str]  # subject key, outcome


@dataclass(frozen=True)
class Labels:
    """Which leads are true. A world's truth is complete: a lead it did not plant is false.
    Reviewers' labels are partial: confirmed leads are true, dismissed ones false, and the
    rest unknown, left out of precision."""

    source: str
    true: frozenset[LeadKey]
    false: frozenset[LeadKey] | None  # None: every lead not true is false

    def verdicts(self, leads: pl.DataFrame) -> list[bool | None]:
        """Per lead (columns subject_key, outcome), in order: true, false or unknown."""
        return [
            True if key in self.true else False if self.false is None or key in self.false else None
            for key in zip(leads["subject_key"], leads["outcome"], strict=True)
        ]

    def count_true(self, leads: pl.DataFrame) -> int | None:
        judged = [v for v in self.verdicts(leads) if v is not None]
        return sum(judged) if judged else None

    def precision(self, leads: pl.DataFrame) -> float | None:
        judged = [v for v in self.verdicts(leads) if v is not None]
        return sum(judged) / len(judged) if judged else None

    def recall(self, leads: pl.DataFrame) -> float | None:
        if not self.true:
            return None
        found = set(zip(leads["subject_key"], leads["outcome"], strict=True))
        return len(found & self.true) / len(self.true)


def truth_labels(world: Path) -> Labels:
    """A generated world's planted leads (``truth/leads.csv``)."""
    planted = {
        (r["subject_key"], r["outcome_type"]) for r in planted_truth(world) if r["role"] == "lead"
    }
    return Labels(f"truth {world}", frozenset(planted), None)


def decision_labels(con: duckdb.DuckDBPyConnection) -> Labels:
    """The reviewers' confirmed (true) and dismissed (false) leads."""
    rows = reviewer_labels(con)
    keys = {
        confirmed: frozenset(zip(group["subject_key"], group["outcome"], strict=True))
        for (confirmed,), group in rows.group_by("confirmed")
    }
    return Labels("reviewers' decisions", keys.get(True, frozenset()), keys.get(False, frozenset()))


def rule_hits_against_truth(
    fired: Mapping[str, Iterable[str]], world: Path
) -> dict[str, RuleTruth]:
    """Per rule (a pattern's id) and per planted pattern: its subjects beside the truth."""
    truth = planted_truth(world)
    patterns = sorted(set(fired) | {row["pattern"] for row in truth})
    return {
        pattern: RuleTruth(
            planted=frozenset(
                r["subject_key"] for r in truth if r["pattern"] == pattern and r["role"] != "decoy"
            ),
            decoys=frozenset(
                r["subject_key"] for r in truth if r["pattern"] == pattern and r["role"] == "decoy"
            ),
            fired=frozenset(fired.get(pattern, ())),
        )
        for pattern in patterns
    }


def score_leads(leads: pl.DataFrame, world: Path) -> ListScores:
    """Score a ranked lead list against ``world``'s truth.

    ``leads`` has one row per lead, best first, with ``subject_key`` and ``outcome`` and,
    optionally, ``rules``: the list of rules (or other sources) that contributed to the
    lead, for each rule's precision. Any list scores, not only a published run's: the
    bench scores its naive baseline with this too.
    """
    planted_rows = planted_truth(world)
    keys = list(zip(leads["subject_key"], leads["outcome"], strict=True))
    planted = {
        (r["subject_key"], r["outcome_type"]): r["pattern"]
        for r in planted_rows
        if r["role"] == "lead"
    }
    decoys = {r["subject_key"] for r in planted_rows if r["role"] == "decoy"}
    top = [key in planted for key in keys]
    found = set(keys)

    by_pattern: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for subject, pattern in planted.items():
        by_pattern[pattern][1] += 1
        by_pattern[pattern][0] += subject in found
    by_rule: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    if "rules" in leads.columns:
        for is_true, rules in zip(top, leads["rules"].to_list(), strict=True):
            for rule in rules or ():
                by_rule[rule][1] += 1
                by_rule[rule][0] += is_true
    return ListScores(
        leads=len(keys),
        precision_at={k: sum(top[:k]) / min(k, len(top)) if top else 0.0 for k in TOP_K},
        recall=len(found & planted.keys()) / len(planted) if planted else 1.0,
        recall_by_pattern={p: (n[0], n[1]) for p, n in sorted(by_pattern.items())},
        precision_by_rule={r: (n[0], n[1]) for r, n in sorted(by_rule.items())},
        decoys_in_top=sum(
            key in decoys and not is_true
            for (key, _outcome), is_true in zip(keys[:DECOY_WINDOW], top, strict=False)
        ),
    )


def run_leads(con: duckdb.DuckDBPyConnection, run_id: str) -> pl.DataFrame:
    """A run's leads, best first: subject_key, outcome and the list of their ``rules``
    (each contribution's source, the anomaly model included)."""
    return query_frame(
        con,
        """SELECT l.subject_key, l.outcome,
                  coalesce(list(c.source ORDER BY c.source)
                           FILTER (WHERE c.source IS NOT NULL), []) AS rules
           FROM leads l
           LEFT JOIN lead_contributions c ON c.run_id = l.run_id AND c.lead_id = l.lead_id
           WHERE l.run_id = ?
           GROUP BY l.lead_id, l.rank, l.subject_key, l.outcome
           ORDER BY l.rank, l.lead_id""",
        [run_id],
    )


def evaluate(store: Store, world: Path) -> Evaluation:
    """Score the latest published run of ``store`` against ``world``'s truth."""
    run = store.latest_published_run()
    if run is None:
        raise ConfigError("no published run to evaluate", hint="run `screening run` first")
    scores = score_leads(run_leads(store.con, run.run_id), world)
    return Evaluation(
        **asdict(scores),
        run_id=run.run_id,
        resolution=_resolution(store, world),
        site_links=site_links(store.con, world),
    )


@dataclass(frozen=True)
class LabelledEvaluation:
    """A run scored against partial labels (reviewers' decisions)."""

    run_id: str
    leads: int
    labelled: int  # leads of the run that carry a label
    precision_at: dict[int, float | None]  # over the labelled leads among the first k
    recall: float | None  # of the labels' true leads, how many the run has


def evaluate_labels(store: Store, labels: Labels) -> LabelledEvaluation:
    """Score the latest published run against ``labels`` (e.g. :func:`decision_labels`)."""
    run = store.latest_published_run()
    if run is None:
        raise ConfigError("no published run to evaluate", hint="run `screening run` first")
    leads = query_frame(
        store.con,
        "SELECT subject_key, outcome FROM leads WHERE run_id = ? ORDER BY rank",
        [run.run_id],
    )
    return LabelledEvaluation(
        run_id=run.run_id,
        leads=leads.height,
        labelled=sum(v is not None for v in labels.verdicts(leads)),
        precision_at={k: labels.precision(leads.head(k)) for k in TOP_K},
        recall=labels.recall(leads),
    )


def _resolution(store: Store, world: Path) -> ResolutionScores:
    linked = {
        (file, row, role): entity
        for file, row, role, entity in store.con.execute(
            "SELECT source_file, source_row, role, entity_id FROM mentions"
        ).fetchall()
    }
    truth = mention_truth(world)
    # Names in rows rejected at ingest have no mention: they are not resolution's to link.
    return resolution_scores(
        (company, linked[key]) for key, (company, _v) in truth.items() if key in linked
    )


def site_links(con: duckdb.DuckDBPyConnection, world: Path) -> SiteLinks | None:
    """The cases whose site is a project (the truth), against the award→project links;
    None for a world generated before the truth listed sites."""
    path = world / "truth" / "sites.csv"
    if not path.exists():
        return None
    truth = pl.read_csv(path, schema={"case_no": pl.String, "project_no": pl.String})
    linked = query_frame(
        con,
        """SELECT DISTINCT a.case_no, p.project_no AS linked_no
           FROM record_links l
           JOIN arbitrations a ON a.source_file = l.from_file AND a.source_row = l.from_row
           JOIN projects p ON p.source_file = l.to_file AND p.source_row = l.to_row
           WHERE l.link = 'award_project'""",
    )
    joined = truth.join(linked, on="case_no", how="left")
    per_case = joined.group_by("case_no").agg(
        pl.col("linked_no").is_not_null().any().alias("linked"),
        (pl.col("linked_no") == pl.col("project_no")).fill_null(False).any().alias("right"),
    )
    return SiteLinks(
        cases=per_case.height,
        linked=int(per_case["linked"].sum()),
        right=int(per_case["right"].sum()),
    )
