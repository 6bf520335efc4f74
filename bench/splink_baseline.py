"""Baseline: Splink 4 (DuckDB backend) on the company-name mentions our resolver links.

Run by hand (never in CI), in a venv that has the project's ``bench`` extra:

    python3.11 -m venv /tmp/splink-venv
    /tmp/splink-venv/bin/pip install -e '.[bench]'
    /tmp/splink-venv/bin/python bench/splink_baseline.py \\
        --mentions MENTIONS.parquet --out CLUSTERS.parquet [--threshold 0.9]

Splink 4.0.17 runs on DuckDB 2.0.1 and sqlglot 30.31: it asks only for duckdb>=0.9.2 and
sqlglot>=17.6, so pip keeps the project's versions, and a separate venv only keeps Splink's
extra dependencies (pandas, altair, igraph) out of the project's .venv. The input is a
Parquet file, not our DuckDB database, so this script never opens the resolver's store.
Two DuckDB 2.0 changes matter to SQL written beside Splink: a result that is not fetched to
the end (``fetchone``) blocks the next statement on the connection Splink shares, and
lambdas are written ``lambda x: ...`` (the ``x -> ...`` arrow is refused).

Input columns: ``mention`` (unique int), ``name`` (as typed), ``uscc`` (valid or null),
``context`` (a court, district or address, or null); persons already removed by the caller.
Output: ``mention``, ``cluster_id`` (string), one row per input mention. One line per phase
goes to stdout; the caller measures wall time and peak memory of the whole process.

Setup choices (what a competent Splink user would do, written here, not taken from
``screening.resolve``, so that the baseline stays independent of our resolver):

* Mentions are deduplicated to distinct (cleaned name, uscc, context) records: most mentions
  repeat a few names, and Splink would otherwise score identical rows against each other.
* The name is cleaned (NFKC, brackets unified, whitespace removed) and split into a leading
  region (city and district, each null when absent), a legal form (stripped), a branch flag
  and the remaining core name. The region vocabulary is learnt from the data (``XX市`` and
  ``XX市YY区/县/市`` prefixes seen in many names), so that short forms such as ``佛山顺德``
  and bracketed ``佛山市(顺德)`` are stripped too, without a hand-made gazetteer.
* Comparisons: uscc exact / null / else; name: cleaned exact, core exact, one character
  changed in the core, Jaro-Winkler 0.9 and 0.8 on the core; city, district, branch flag and
  context each exact / null / else. DuckDB's levenshtein() counts UTF-8 bytes, not
  characters, hence the SQL level for "one character changed". No term-frequency
  adjustment: it did not change the clusters and its u has the flaw described next.
* u is corrected after training (``decontaminate_u``): random sampling measures how often a
  level occurs in any pair, matches included, and with several records per company the
  matches dominate the rare levels (same cleaned name: ~150x too high on medium), which caps
  an exact name at even odds. Without it, thresholds above ~0.5 lose most links.
* Blocking: exact uscc, and three two-character windows of the core name (characters 1-2,
  2-3, and 1+3-4), so that one changed character anywhere still meets its original in some
  block. The comparison count comes from Splink's blocking analysis and is printed (and
  capped) before predicting.
* Training: the prior from deterministic rules (same uscc, same cleaned name; recall 0.6), u
  by seeded random sampling (10M pairs), m by EM blocked on uscc and then on the core name,
  so that each comparison is trained in one of them.

On the medium world (357,718 mentions, 221,401 records, 110M comparisons) threshold 0.9
gives pairwise precision 0.9997 and recall 0.808; 0.5 gives 0.9983 / 0.809. What it misses
is mostly what needs an authority the model has no notion of: a one-character typo, a
dropped region or a changed legal form is, by the name alone, as likely another company
(the world holds such near-twins on purpose), whereas our resolver checks against the
registry.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.blocking_analysis import cumulative_comparisons_to_be_scored_from_blocking_rules_data

SEED = 42
U_MAX_PAIRS = 1e7  # plenty for ~10 comparison levels; more only costs time
PRIOR_RECALL = 0.6  # share of true matches the deterministic rules find (uscc is often null)
MAX_COMPARISONS = 1_000_000_000  # beyond this predict() would run for hours: stop early

# Longest first, so 股份有限公司 is not cut as 有限公司 and leave 股份 in the core name.
LEGAL_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "股份合作公司",
    "(普通合伙)",
    "(有限合伙)",
    "个人独资企业",
    "合伙企业",
    "公司",
)
BRANCH_SUFFIX = re.compile(r"(分公司|分行|支行|分店|营业部|办事处|分厂)$")
BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "[": "(", "]": ")"})
HAN = r"[\u4e00-\u9fff]"
PROVINCE = re.compile(rf"^{HAN}{{2,3}}(省|自治区)")
CITY_PREFIX = re.compile(rf"^(?:{HAN}{{2,3}}省)?({HAN}{{2}})市")
DISTRICT_PREFIX = re.compile(rf"^(?:{HAN}{{2,3}}省)?{HAN}{{2}}市({HAN}{{2}})[区县市]")
# A stem must start this many distinct names to count as a region, so that a trade name
# followed by 市 (佛山市鑫成市政工程) is not mistaken for a county-level city.
MIN_REGION_NAMES = 10


def clean_name(name: str) -> str:
    """NFKC (full-width to half-width, ideographic space to space), brackets, no spaces."""
    text = unicodedata.normalize("NFKC", name).translate(BRACKETS)
    return "".join(text.split())


@dataclass(frozen=True)
class Regions:
    """City and district stems (two characters, without 市/区/县) learnt from the names."""

    cities: frozenset[str]
    districts: frozenset[str]

    @classmethod
    def learn(cls, names: Iterable[str]) -> Regions:
        cities: Counter[str] = Counter()
        districts: Counter[str] = Counter()
        for name in names:
            if city := CITY_PREFIX.match(name):
                cities[city.group(1)] += 1
            if district := DISTRICT_PREFIX.match(name):
                districts[district.group(1)] += 1
        return cls(
            frozenset(s for s, n in cities.items() if n >= MIN_REGION_NAMES),
            frozenset(s for s, n in districts.items() if n >= MIN_REGION_NAMES),
        )

    def pattern(self) -> re.Pattern[str]:
        """Leading city, then district: 佛山市顺德区, 佛山市(顺德), 佛山顺德(区), 顺德区.

        A bare district stem counts only after a bare city stem (the short form 佛山顺德):
        after 佛山市 it is as likely the start of a trade name (佛山市丰顺贸易).
        """
        city = "|".join(sorted(self.cities)) or "(?!)"
        district = "|".join(sorted(self.districts)) or "(?!)"
        suffix = "(?:区|县|市)"
        return re.compile(
            rf"^(?:(?P<city>{city})市(?:\((?P<bracketed>{district}){suffix}?\)"
            rf"|(?P<district>{district}){suffix})?"
            rf"|(?P<short_city>{city})(?P<short_district>{district})?{suffix}?"
            rf"|(?P<lone_district>{district}){suffix})"
        )


@dataclass(frozen=True)
class NameParts:
    name_clean: str
    city: str | None
    district: str | None
    core: str
    is_branch: bool


def split_name(name_clean: str, regions: re.Pattern[str]) -> NameParts:
    """Region prefix, legal form and branch suffix off; what remains is the core name."""
    rest = PROVINCE.sub("", name_clean)
    match = regions.match(rest)
    city = district = None
    if match and match.end() < len(rest):  # never strip a whole name down to nothing
        city = match.group("city") or match.group("short_city")
        districts = match.group("bracketed", "district", "short_district", "lone_district")
        district = next((d for d in districts if d), None)
        rest = rest[match.end() :]
    is_branch = BRANCH_SUFFIX.search(rest) is not None
    for form in LEGAL_FORMS:
        # Only the first occurrence: a branch keeps its own tail (…股份有限公司佛山分行).
        position = rest.find(form)
        if position > 0:
            rest = rest[:position] + rest[position + len(form) :]
            break
    return NameParts(name_clean, city, district, rest or name_clean, is_branch)


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    """One integer; fetchall, because DuckDB 2.0 refuses the next statement on a connection
    whose previous result was not fetched to the end (fetchone leaves it open), and Splink
    shares this connection."""
    return int(con.execute(sql).fetchall()[0][0])


def prepare(con: duckdb.DuckDBPyConnection, mentions: Path) -> tuple[int, int]:
    """Tables ``mention_records`` (mention -> record) and ``records`` (Splink's input)."""
    con.execute("CREATE TABLE mentions AS SELECT * FROM read_parquet(?)", [str(mentions)])
    distinct = "SELECT DISTINCT name FROM mentions WHERE name IS NOT NULL"
    raw = [row[0] for row in con.execute(distinct).fetchall()]
    cleaned = {name: clean_name(name) for name in raw}
    pattern = Regions.learn(set(cleaned.values())).pattern()
    parts = {clean: split_name(clean, pattern) for clean in set(cleaned.values())}
    features = pa.table(
        {
            "name": list(cleaned),
            "name_clean": list(cleaned.values()),
            "city": [parts[c].city for c in cleaned.values()],
            "district": [parts[c].district for c in cleaned.values()],
            "core": [parts[c].core for c in cleaned.values()],
            "is_branch": [parts[c].is_branch for c in cleaned.values()],
        }
    )
    con.register("name_features", features)
    # dense_rank over the record key gives every mention its record; NULLs rank together.
    con.execute(
        """
        CREATE TABLE mention_records AS
        SELECT m.mention, f.*, m.uscc, m.context,
               dense_rank() OVER (ORDER BY f.name_clean, m.uscc, m.context) AS unique_id
        FROM mentions m LEFT JOIN name_features f USING (name)  -- a null name links by uscc
        """
    )
    con.unregister("name_features")
    con.execute(
        """
        CREATE TABLE records AS
        SELECT unique_id, any_value(name_clean) AS name_clean, any_value(city) AS city,
               any_value(district) AS district, any_value(core) AS core,
               any_value(is_branch) AS is_branch, any_value(uscc) AS uscc,
               any_value(context) AS context, count(*) AS mentions
        FROM mention_records GROUP BY unique_id ORDER BY unique_id
        """
    )
    return scalar(con, "SELECT count(*) FROM mentions"), scalar(con, "SELECT count(*) FROM records")


# DuckDB's levenshtein() counts UTF-8 bytes (one Chinese character is 3 bytes, and similar
# characters share leading bytes), so it cannot say "one character"; this can. Typos in
# Chinese names are mostly substitutions (homophones), so equal length is required.
ONE_CHARACTER_CHANGED = (
    'length("core_l") = length("core_r") AND list_count(list_filter('
    'range(1, length("core_l") + 1), '
    'lambda i: substr("core_l", i, 1) <> substr("core_r", i, 1))) <= 1'
)


def name_comparison() -> cl.CustomComparison:
    """Cleaned name exact, core exact, one character changed, then Jaro-Winkler."""
    return cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.Or(cll.NullLevel("name_clean"), cll.NullLevel("core")),
            cll.ExactMatchLevel("name_clean"),
            cll.ExactMatchLevel("core"),
            cll.CustomLevel(ONE_CHARACTER_CHANGED, "One character changed in core"),
            cll.JaroWinklerLevel("core", 0.9),
            cll.JaroWinklerLevel("core", 0.8),
            cll.ElseLevel(),
        ],
    )


def prediction_rules() -> list[object]:
    """Exact uscc; three two-character windows near the start of the core name."""
    return [
        block_on("uscc"),
        block_on("substr(core, 1, 2)"),
        block_on("substr(core, 2, 2)"),
        block_on("substr(core, 1, 1) || substr(core, 3, 2)"),
    ]


def settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.ExactMatch("uscc"),
            name_comparison(),
            cl.ExactMatch("city"),
            cl.ExactMatch("district"),
            cl.ExactMatch("is_branch"),
            cl.ExactMatch("context"),
        ],
        blocking_rules_to_generate_predictions=prediction_rules(),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def count_comparisons(db_api: DuckDBAPI) -> int:
    counts = cumulative_comparisons_to_be_scored_from_blocking_rules_data(
        table_or_tables=["records"],
        blocking_rules=prediction_rules(),
        db_api=db_api,
        link_type="dedupe_only",
    )
    return int(counts["row_count"].sum())


def decontaminate_u(model: dict[str, Any]) -> dict[str, Any]:
    """u = P(level | non-match), but random sampling measures P(level | any pair).

    The two differ by lambda * m, which is negligible unless the level is rarer than a match
    is: here every entity has several records (one per court, spelling, uscc), so about
    one random pair in 30,000 is a match, and nearly every sampled pair with the same cleaned
    name is one. Left alone, u(exact name) comes out ~150x too high and an exact name is
    worth only even odds. Subtract lambda * m, floored at the sampling resolution, and
    renormalise.
    """
    prior = model["probability_two_random_records_match"]
    for comparison in model["comparisons"]:
        levels = [
            level
            for level in comparison["comparison_levels"]
            if level.get("u_probability") is not None
        ]
        for level in levels:
            corrected = level["u_probability"] - prior * (level.get("m_probability") or 0.0)
            level["u_probability"] = max(corrected, 1 / U_MAX_PAIRS)
        total = sum(level["u_probability"] for level in levels)
        for level in levels:
            level["u_probability"] /= total
    return model


def train(linker: Linker) -> None:
    linker.training.estimate_probability_two_random_records_match(
        [block_on("uscc"), block_on("name_clean")], recall=PRIOR_RECALL
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=SEED)
    # Each EM session leaves the comparisons of its own blocking columns untrained; the two
    # together train every comparison. Blocking on the whole core name (not its first two
    # characters, ~50M pairs on medium) keeps EM to seconds and still sees the homonyms
    # that differ only in region.
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("uscc"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("core"))


def write_clusters(con: duckdb.DuckDBPyConnection, clusters_table: str, out: Path) -> int:
    """Every mention gets its record's cluster (records never linked are their own)."""
    con.execute(
        f"""
        COPY (
            SELECT m.mention, CAST(coalesce(c.cluster_id, m.unique_id) AS VARCHAR) AS cluster_id
            FROM mention_records m LEFT JOIN {clusters_table} c USING (unique_id)
            ORDER BY m.mention
        ) TO '{out}' (FORMAT parquet)
        """
    )
    return scalar(con, f"SELECT count(DISTINCT cluster_id) FROM {clusters_table}")


def run(mentions: Path, out: Path, threshold: float) -> None:
    con = duckdb.connect()
    started = time.perf_counter()
    rows, records = prepare(con, mentions)
    db_api = DuckDBAPI(connection=con)
    comparisons = count_comparisons(db_api)
    print(
        f"prepare  {time.perf_counter() - started:7.1f} s  {rows} mentions, {records} records, "
        f"{comparisons} comparisons",
        flush=True,
    )
    if comparisons > MAX_COMPARISONS:
        raise SystemExit(f"{comparisons} comparisons exceed {MAX_COMPARISONS}: tighten blocking")

    started = time.perf_counter()
    linker = Linker("records", settings(), db_api=db_api)
    train(linker)
    model = decontaminate_u(linker.misc.save_model_to_json())
    linker = Linker("records", model, db_api=db_api)
    print(f"training {time.perf_counter() - started:7.1f} s", flush=True)

    started = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    links = scalar(con, f"SELECT count(*) FROM {predictions.physical_name}")
    print(
        f"predict  {time.perf_counter() - started:7.1f} s  {comparisons} comparisons scored, "
        f"{links} at p >= {threshold}",
        flush=True,
    )

    started = time.perf_counter()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )
    count = write_clusters(con, clusters.physical_name, out)
    print(f"cluster  {time.perf_counter() - started:7.1f} s  {count} clusters", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=Path, required=True, help="Parquet of mentions")
    parser.add_argument("--out", type=Path, required=True, help="Parquet of mention clusters")
    parser.add_argument("--threshold", type=float, default=0.9, help="match probability")
    args = parser.parse_args()
    run(args.mentions, args.out, args.threshold)
    return 0


if __name__ == "__main__":
    sys.exit(main())
