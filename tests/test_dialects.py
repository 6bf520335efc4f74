"""Dialects: other agencies' conventions, each with its manifest, and truth still exact."""

from __future__ import annotations

import csv
import hashlib
import json
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from conftest import TINY_SEED
from test_synth import PATTERN_VARIANTS

from screening.config import load_config
from screening.errors import GenerateError
from screening.ingest.load import ingest
from screening.ingest.manifest import SourceSpec, load_manifest
from screening.ingest.readers import header_key, read_sheet
from screening.store import Store
from screening.synth import GeneratedWorld, generate_world
from screening.synth.dialects import DIALECTS, HOLDOUT, get_dialect

OTHERS = [name for name in DIALECTS if name != "default"]
# Until the manifest branch (derive:) is merged, dialects that derive columns cannot load.
DERIVE_SUPPORTED = "derive" in SourceSpec.model_fields


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, GeneratedWorld]:
    root = tmp_path_factory.mktemp("dialects")
    return {name: generate_world("tiny", TINY_SEED, root / name, dialect=name) for name in OTHERS}


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _loadable(name: str) -> bool:
    return DERIVE_SUPPORTED or not get_dialect(name).derive


def test_at_least_four_dialects_and_one_holdout() -> None:
    assert len(OTHERS) >= 4
    assert [name for name in DIALECTS if get_dialect(name).holdout] == [HOLDOUT]
    assert get_dialect("default").is_default
    assert not any(get_dialect(name).is_default for name in OTHERS)


@pytest.mark.parametrize("name", OTHERS)
def test_same_seed_gives_identical_bytes(
    name: str, worlds: dict[str, GeneratedWorld], tmp_path: Path
) -> None:
    again = generate_world("tiny", TINY_SEED, tmp_path / name, dialect=name)
    assert _digest(again.root) == _digest(worlds[name].root)


def test_dialects_write_differently(worlds: dict[str, GeneratedWorld]) -> None:
    files = {name: frozenset(world.files) for name, world in worlds.items()}
    assert len(set(files.values())) == len(files), "two dialects name their files alike"
    for name, world in worlds.items():
        summary = json.loads((world.truth / "world.json").read_text(encoding="utf-8"))
        assert summary["dialect"] == name
        assert (world.root / "manifest.yaml").is_file() and (world.root / "job.yaml").is_file()


def test_unknown_dialect_names_the_choices(tmp_path: Path) -> None:
    with pytest.raises(GenerateError, match="klingon") as error:
        generate_world("tiny", 1, tmp_path / "w", dialect="klingon")
    assert "zhaoqing" in str(error.value)
    assert not (tmp_path / "w").exists()


@pytest.mark.parametrize("name", OTHERS)
def test_ingests_with_its_own_manifest_only(
    name: str, worlds: dict[str, GeneratedWorld], tmp_path: Path
) -> None:
    if not _loadable(name):
        pytest.skip("needs the manifest branch's derive:")
    world = worlds[name]
    with Store.open(tmp_path / "d.db") as store:
        result = ingest(load_manifest(world.root / "manifest.yaml"), store)
        declared = Counter[str]()
        for file, rows in world.files.items():
            declared[file.split("/")[0]] += rows
        per_source = result.by_source()
        for source, rows in declared.items():
            total = per_source[source]
            assert total.rows_in == rows and total.loaded + total.rejected == rows, source
        assert all(not item.absent_headers for item in result.files), "a mapped header is absent"
        # Every subject of the truth is in the canonical tables under its true key.
        con = store.con
        uscc = {r[0] for r in con.execute("SELECT uscc FROM registry").fetchall()}
        projects = {r[0] for r in con.execute("SELECT project_no FROM projects").fetchall()}
        cases = {r[0] for r in con.execute("SELECT case_no FROM arbitrations").fetchall()}
    for lead in _read_csv(world.truth / "leads.csv"):
        key, kind = lead["subject_key"], lead["subject_type"]
        if kind == "company":
            assert key in uscc, lead
        elif kind == "project":
            assert key in projects, lead
        else:
            assert "".join(unicodedata.normalize("NFKC", key).split()) in cases, lead


@pytest.mark.parametrize("name", OTHERS)
def test_planted_patterns_survive_the_dialect(name: str, worlds: dict[str, GeneratedWorld]) -> None:
    knobs = get_dialect(name).world
    truth = _read_csv(worlds[name].truth / "leads.csv")
    leads = Counter(t["pattern"] for t in truth if t["role"] == "lead")
    assert all(leads[pattern] > 0 for pattern in PATTERN_VARIANTS), leads
    guards = [t for t in truth if t["role"] == "guard"]
    assert bool(guards) == knobs.fake_claim_guard
    decoys = {(t["pattern"], t["variant"]) for t in truth if t["role"] == "decoy"}
    assert (("ZB-WITH-ASSETS", "restored_after_zb") in decoys) == knobs.restored_decoys
    assert (("MULTI-CLAIM-EMPLOYER", "mostly_non_wage") in decoys) == knobs.non_wage_decoys
    assert (("AWARD-UNENFORCED", "non_wage_cause") in decoys) == knobs.non_wage_decoys


@pytest.mark.parametrize("name", OTHERS)
def test_every_mention_points_at_its_cell(name: str, worlds: dict[str, GeneratedWorld]) -> None:
    dialect, world = get_dialect(name), worlds[name]
    mentions = _read_csv(world.truth / "mentions.csv")
    by_file: dict[str, list[dict[str, str]]] = {}
    for mention in mentions:
        by_file.setdefault(mention["file"], []).append(mention)
    for file, file_mentions in by_file.items():
        layout = dialect.layouts[file.split("/")[0]]
        sheet = read_sheet(
            world.extracts / file,
            expected=layout.headers,
            sheet=layout.sheet or 0,
            encoding=layout.encoding if file.endswith(".csv") else None,
        )
        rows = {row["source_row"]: row for row in sheet.rows.iter_rows(named=True)}
        for mention in file_mentions:
            cell = rows[int(mention["row"])][header_key(mention["column"])]
            assert cell == mention["typed_name"], mention


def test_clerks_habits_are_labelled(worlds: dict[str, GeneratedWorld]) -> None:
    variants = Counter(
        m["variant"] for world in worlds.values() for m in _read_csv(world.truth / "mentions.csv")
    )
    for variant in ("industry_short", "person_note", "branch_head_uscc"):
        assert variants[variant] > 0, variants


def test_case_numbers_and_case_types_differ(worlds: dict[str, GeneratedWorld]) -> None:
    keys = {
        name: [t["subject_key"] for t in _read_csv(world.truth / "leads.csv")]
        for name, world in worlds.items()
    }
    assert any(k.startswith("(20") for k in keys[HOLDOUT])  # (2024)端劳人仲案字第12号
    assert any("劳人仲案〔" in k for k in keys["shenzhen"])  # 深南劳人仲案〔2024〕12号
    assert any("劳人仲字[" in k for k in keys["huizhou"])  # 惠阳劳人仲字[2024]第5号
    text = "".join(
        path.read_bytes().decode("gbk")
        for path in (worlds["jiangmen"].extracts / "enforcement").glob("*.csv")
    )
    assert all(kind in text for kind in ("执恢", "执异", "执保"))


def test_the_job_publishes_leads_on_a_dialect(
    worlds: dict[str, GeneratedWorld], tmp_path: Path
) -> None:
    from screening.job import run_job

    name = next(n for n in OTHERS if _loadable(n) and not get_dialect(n).holdout)
    config = load_config(worlds[name].root / "job.yaml").model_copy(
        update={"database": tmp_path / "job.db"}
    )
    assert run_job(config).leads.height > 0
