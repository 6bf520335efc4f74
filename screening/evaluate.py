"""How good a published run is, measured against a generated world's truth.

The truth folder of a world (``truth/leads.csv``, ``truth/mentions.csv``) records what was
planted: every lead and decoy per pattern, and the company behind every name cell. This
module reads it and scores the latest published run: precision at k, recall overall and
per pattern, each rule's precision, decoys near the top, and entity resolution's pairwise
precision and recall. The engine itself never reads the truth.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from screening.errors import ConfigError
from screening.ingest.manifest import load_manifest
from screening.resolve.quality import pairwise
from screening.store import Store

TOP_K = (10, 25, 50, 100)
DECOY_WINDOW = 50
MentionKey = tuple[str, int, str]  # source file, source row, canonical column


@dataclass(frozen=True)
class Evaluation:
    run_id: str
    leads: int
    precision_at: dict[int, float]
    recall: float
    recall_by_pattern: dict[str, tuple[int, int]]  # pattern -> (found, planted)
    precision_by_rule: dict[str, tuple[int, int]]  # rule -> (true leads, leads)
    decoys_in_top: int  # decoy subjects among the first DECOY_WINDOW leads
    resolution: tuple[float, float]  # pairwise precision, recall of company mentions


def mention_truth(world: Path) -> dict[MentionKey, tuple[str, str]]:
    """The company behind each company-name cell, and the clerk's variant of its name."""
    columns: dict[tuple[str, str], str] = {}
    for spec in load_manifest(world / "manifest.yaml").sources.values():
        folder = spec.files.split("/")[1]  # extracts/<folder>/…
        for header, mapped in spec.specs().items():
            columns[(folder, header)] = mapped.column
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


def planted_truth(world: Path) -> list[dict[str, str]]:
    """The rows of ``truth/leads.csv``: pattern, subject, outcome and role of each plant."""
    path = world / "truth" / "leads.csv"
    if not path.exists():
        raise ConfigError(
            "no truth/leads.csv here", where=str(world), hint="give a generated world's folder"
        )
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


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


def evaluate(store: Store, world: Path) -> Evaluation:
    """Score the latest published run of ``store`` against ``world``'s truth."""
    run = store.latest_published_run()
    if run is None:
        raise ConfigError("no published run to evaluate", hint="run `screening run` first")
    planted_rows = planted_truth(world)
    con = store.con
    leads = con.execute(
        "SELECT lead_id, subject_key, outcome FROM leads WHERE run_id = ? ORDER BY rank",
        [run.run_id],
    ).fetchall()
    planted = {
        (r["subject_key"], r["outcome_type"]): r["pattern"]
        for r in planted_rows
        if r["role"] == "lead"
    }
    decoys = {r["subject_key"] for r in planted_rows if r["role"] == "decoy"}
    true_lead = {lead: (key, outcome) in planted for lead, key, outcome in leads}
    found = {(key, outcome) for _lead, key, outcome in leads}

    by_pattern: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for subject, pattern in planted.items():
        by_pattern[pattern][1] += 1
        by_pattern[pattern][0] += subject in found
    by_rule: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for lead, rule in con.execute(
        "SELECT lead_id, source FROM lead_contributions WHERE run_id = ?", [run.run_id]
    ).fetchall():
        by_rule[rule][1] += 1
        by_rule[rule][0] += true_lead[lead]
    top = [true_lead[lead] for lead, _key, _outcome in leads]
    return Evaluation(
        run_id=run.run_id,
        leads=len(leads),
        precision_at={k: sum(top[:k]) / min(k, len(top)) if top else 0.0 for k in TOP_K},
        recall=len(found & planted.keys()) / len(planted) if planted else 1.0,
        recall_by_pattern={p: (n[0], n[1]) for p, n in sorted(by_pattern.items())},
        precision_by_rule={r: (n[0], n[1]) for r, n in sorted(by_rule.items())},
        decoys_in_top=sum(
            key in decoys and not true_lead[lead] for lead, key, _o in leads[:DECOY_WINDOW]
        ),
        resolution=_resolution(store, world),
    )


def _resolution(store: Store, world: Path) -> tuple[float, float]:
    linked = {
        (file, row, role): entity
        for file, row, role, entity in store.con.execute(
            "SELECT source_file, source_row, role, entity_id FROM mentions"
        ).fetchall()
    }
    truth = mention_truth(world)
    # Names in rows rejected at ingest have no mention: they are not resolution's to link.
    return pairwise((company, linked[key]) for key, (company, _v) in truth.items() if key in linked)
