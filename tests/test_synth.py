"""The synthetic world: determinism, formats as delivered, and exact ground truth."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import TINY_SEED, Extract, read_extract
from hypothesis import given
from hypothesis import strategies as st

from screening.errors import GenerateError
from screening.identifiers import id_number_check_char, is_valid_id_number, is_valid_uscc
from screening.synth import GeneratedWorld, generate_world
from screening.synth.builder import Builder
from screening.synth.draws import Stream
from screening.synth.id_numbers import EARLIEST_BIRTH, LATEST_BIRTH, IdNumbers
from screening.synth.model import World
from screening.synth.render import (
    ARBITRATION_HEADERS,
    DEPOSIT_HEADERS,
    ENFORCEMENT_HEADERS,
    PROJECT_HEADERS,
    REGISTRY_HEADERS,
    Mention,
    Table,
)
from screening.synth.scales import SCALES
from screening.synth.writer_process import TableWriter, _mention_rows, _mentions_message
from screening.synth.writers import JoinedRows
from screening.synth.xlsx import write_xlsx

HEADERS = {
    "registry": REGISTRY_HEADERS,
    "projects": PROJECT_HEADERS,
    "deposits": DEPOSIT_HEADERS,
    "arbitration": ARBITRATION_HEADERS,
    "enforcement": ENFORCEMENT_HEADERS,
}

# Every pattern of DOMAIN.md with the variants of its planted leads and of its decoys
# (hard negatives). FAKE-CLAIM is a guard: a story that must never become a lead.
PATTERN_VARIANTS = {
    "DEP-MISSING": (
        {"no_deposit", "under_deposit"},
        {
            "within_grace",
            "exempt_small_contract",
            "multi_project_reduced_rate",
            "permit_after_as_of",
            "deposit_without_permit_no",
        },
    ),
    "DEP-GUARANTEE-LAPSED": (
        {"expired_during_construction"},
        {"expired_after_completion", "expires_after_as_of", "renewed"},
    ),
    "DEP-EARLY-REFUND": (
        {"refund_before_completion", "short_notice"},
        {"long_notice", "refund_after_claims_closed"},
    ),
    "AWARD-UNENFORCED": (
        {"no_enforcement"},
        {
            "deadline_not_near",
            "enforced_bracket_variant",
            "enforced_via_judgment",
            "paid_voluntarily",
            "rejected",
            "withdrawn",
        },
    ),
    "ZB-WITH-ASSETS": (
        {"active_gc_project", "new_project_after_zb"},
        {"closed_after_as_of", "project_completed_before_zb", "truly_no_assets", "twin_has_assets"},
    ),
    "DEREG-EVASION": ({"simplified"}, {"bankruptcy", "claims_against_twin", "dereg_after_paid"}),
    "MULTI-CLAIM-EMPLOYER": (
        {"absconded_employer"},
        {"all_paid", "below_threshold", "split_twins"},
    ),
    "CHAIN-LIABILITY": (
        {"labour_boss", "tiny_firm"},
        {"gc_advanced", "boss_paid_by_enforcement", "no_project"},
    ),
    # Not in DOMAIN.md's rule table: an unusual employer for the anomaly model to find.
    "ANOMALY-MEDIATION-MILL": ({"fast_cheap_mediations"}, {"many_claims_normal_settlements"}),
    "ANOMALY-WAGE-SHELL": ({"claims_wave_open"}, {"many_claims_over_years"}),
}
SUBJECT_TYPES = {"CHAIN-LIABILITY": "award", "AWARD-UNENFORCED": "award", "FAKE-CLAIM": "award"}


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _is_plausible_date(text: str) -> bool:
    parts = re.fullmatch(r"(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?", text)
    if not parts:
        return False
    try:
        date(*map(int, parts.groups()))
    except ValueError:
        return False
    return True


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def extracts(tiny_world: GeneratedWorld) -> dict[str, Extract]:
    return {
        str(path.relative_to(tiny_world.extracts)): read_extract(path)
        for path in sorted(tiny_world.extracts.rglob("*.*"))
    }


def test_same_seed_gives_identical_bytes(tiny_world: GeneratedWorld, tmp_path: Path) -> None:
    again = generate_world("tiny", TINY_SEED, tmp_path / "again")
    assert _digest(again.root) == _digest(tiny_world.root)


def test_another_seed_gives_another_world(tiny_world: GeneratedWorld, tmp_path: Path) -> None:
    other = generate_world("tiny", TINY_SEED + 1, tmp_path / "other")
    assert _digest(other.extracts) != _digest(tiny_world.extracts)


def test_refuses_to_overwrite_without_permission(tiny_world: GeneratedWorld) -> None:
    with pytest.raises(GenerateError, match="not empty"):
        generate_world("tiny", TINY_SEED, tiny_world.root)


def test_unknown_scale_names_the_choices(tmp_path: Path) -> None:
    with pytest.raises(GenerateError, match="huge") as error:
        generate_world("huge", 1, tmp_path)
    assert "tiny" in str(error.value)


def test_sources_are_split_and_encoded_as_agencies_deliver_them(
    tiny_world: GeneratedWorld, extracts: dict[str, Extract]
) -> None:
    sources = Counter(name.split("/")[0] for name in extracts)
    assert sources["registry"] == sources["projects"] == sources["deposits"] == 1
    assert sources["arbitration"] >= 3 and sources["enforcement"] >= 3  # one file per year
    assert all(name.endswith(".xlsx") for name in extracts if name.startswith(("reg", "arb")))
    for name in extracts:
        if name.startswith(("projects", "enforcement")):
            with pytest.raises(UnicodeDecodeError):
                (tiny_world.extracts / name).read_bytes().decode("utf-8")


def test_every_file_reads_back_with_its_headers_and_row_count(
    tiny_world: GeneratedWorld, extracts: dict[str, Extract]
) -> None:
    declared = json.loads((tiny_world.truth / "world.json").read_text(encoding="utf-8"))["files"]
    assert set(declared) == set(extracts)
    for name, extract in extracts.items():
        assert extract.headers == HEADERS[name.split("/")[0]], name
        assert len(extract.rows) == declared[name], name
        expected_header_row = 2 if name.startswith("arbitration") else 1
        assert extract.header_row == expected_header_row


def test_tiny_is_a_few_hundred_rows_per_source(tiny_world: GeneratedWorld) -> None:
    declared = json.loads((tiny_world.truth / "world.json").read_text(encoding="utf-8"))["files"]
    per_source = Counter[str]()
    for name, rows in declared.items():
        per_source[name.split("/")[0]] += rows
    assert all(50 <= rows <= 1_000 for rows in per_source.values()), per_source


def test_cells_are_as_messy_as_real_extracts(extracts: dict[str, Extract]) -> None:
    cells = [cell for extract in extracts.values() for row in extract.rows.values() for cell in row]
    text = "\n".join(cells)
    assert re.search(r"\b20\d\d-\d\d-\d\d\b", text)  # ISO (and Excel date cells)
    assert re.search(r"\b20\d\d/\d{1,2}/\d{1,2}\b", text)
    assert re.search(r"20\d\d年\d{1,2}月\d{1,2}日", text)
    assert re.search(r"\d{1,3}(,\d{3})+\.\d\d", text)  # thousands separators
    assert re.search(r"\d万", text)  # amounts written in 万
    assert "（" in text  # full-width brackets
    assert any(cell != cell.strip() for cell in cells)  # stray whitespace


def _arbitration_cells(extracts: dict[str, Extract], header: str) -> list[str]:
    """One column's cells over all the yearly arbitration files."""
    column = ARBITRATION_HEADERS.index(header)
    return [
        row[column]
        for name, extract in extracts.items()
        if name.startswith("arbitration")
        for row in extract.rows.values()
    ]


def test_most_arbitration_rows_lack_a_uscc(extracts: dict[str, Extract]) -> None:
    codes = _arbitration_cells(extracts, "被申请人统一社会信用代码")
    assert sum(not code for code in codes) > 0.6 * len(codes)


def test_registry_codes_and_worker_ids_pass_their_checks(extracts: dict[str, Extract]) -> None:
    registry = extracts["registry/企业登记信息.xlsx"]
    column = REGISTRY_HEADERS.index("统一社会信用代码")
    codes = [row[column] for row in registry.rows.values()]
    assert sum(is_valid_uscc(code) for code in codes) >= 0.97 * len(codes)
    ids = [cell for cell in _arbitration_cells(extracts, "申请人身份证号码") if cell]
    assert ids and all(is_valid_id_number(number) for number in ids)


def test_every_pattern_is_planted_with_its_decoys(tiny_world: GeneratedWorld) -> None:
    truth = _read_csv(tiny_world.truth / "leads.csv")
    per_story = SCALES["tiny"].planted_per_pattern
    for pattern, (lead_variants, decoy_variants) in PATTERN_VARIANTS.items():
        leads = [t for t in truth if t["pattern"] == pattern and t["role"] == "lead"]
        decoys = [t for t in truth if t["pattern"] == pattern and t["role"] == "decoy"]
        if SUBJECT_TYPES.get(pattern) == "award":  # a story may give one or two awards
            assert per_story <= len(leads) <= 2 * per_story, pattern
        else:
            assert len(leads) == per_story, pattern
        assert {t["variant"] for t in leads} <= lead_variants, pattern
        assert {t["variant"] for t in decoys} == decoy_variants, pattern
        assert {t["subject_type"] for t in leads + decoys} == {
            SUBJECT_TYPES.get(pattern, t["subject_type"]) for t in leads + decoys
        }
    guards = [t for t in truth if t["role"] == "guard"]
    assert guards and {t["pattern"] for t in guards} == {"FAKE-CLAIM"}
    keys = [(t["pattern"], t["subject_key"]) for t in truth]
    assert len(keys) == len(set(keys)), "a subject is planted twice for one pattern"


def test_truth_subjects_exist_in_the_extracts(
    tiny_world: GeneratedWorld, extracts: dict[str, Extract]
) -> None:
    registry_codes = {
        row[REGISTRY_HEADERS.index("统一社会信用代码")]
        for row in extracts["registry/企业登记信息.xlsx"].rows.values()
    }
    project_numbers = {row[0] for row in extracts["projects/施工项目信息.csv"].rows.values()}
    mention_keys = {m["entity_key"] for m in _read_csv(tiny_world.truth / "mentions.csv")}
    for lead in _read_csv(tiny_world.truth / "leads.csv"):
        key = lead["subject_key"]
        if lead["subject_type"] == "company":
            assert key in registry_codes and key in mention_keys, lead
        elif lead["subject_type"] == "project":
            assert key in project_numbers, lead
        else:
            assert re.fullmatch(r".+劳人仲案字〔20\d\d〕第\d+号", key), lead


def test_every_mention_is_a_registered_company_or_a_person(
    tiny_world: GeneratedWorld, extracts: dict[str, Extract]
) -> None:
    mentions = _read_csv(tiny_world.truth / "mentions.csv")
    registered = {m["entity_key"] for m in mentions if m["file"].startswith("registry/")}
    kinds = Counter(m["entity_kind"] for m in mentions)
    assert kinds["company"] > 0 and kinds["person"] > 0
    for mention in mentions:
        if mention["entity_kind"] == "company":
            assert mention["entity_key"] in registered, mention
        else:
            assert mention["entity_kind"] == "person", mention
            assert re.fullmatch(r"P\d{7}", mention["entity_key"]), mention
        # The truth points at the exact cell a person would look at.
        extract = extracts[mention["file"]]
        row = extract.rows[int(mention["row"])]
        assert row[extract.headers.index(mention["column"])] == mention["typed_name"]


def test_clerks_variants_and_tricky_entities_are_present(tiny_world: GeneratedWorld) -> None:
    mentions = _read_csv(tiny_world.truth / "mentions.csv")
    variants = Counter(m["variant"] for m in mentions)
    for variant in ("exact", "person"):
        assert variants[variant] > 0, variants
    assert len(variants) >= 6, variants  # region dropped, form swapped, typo, brackets …
    registry = [m for m in mentions if m["file"].startswith("registry/")]
    names = [m["typed_name"] for m in registry]
    assert any(name.endswith("分公司") for name in names)
    trades = defaultdict(set)
    for name in names:
        trades[re.sub(r"^.+?[市省](.+?区)?", "", name)].add(name)
    assert any(len(same) > 1 for same in trades.values()), "no same-trade-name twins"


def test_malformed_and_duplicate_rows_are_recorded(
    tiny_world: GeneratedWorld, extracts: dict[str, Extract]
) -> None:
    malformed = _read_csv(tiny_world.truth / "malformed.csv")
    defects_per_file: dict[str, set[str]] = defaultdict(set)
    for record in malformed:
        extract = extracts[record["file"]]
        cell = extract.rows[int(record["row"])][extract.headers.index(record["column"])]
        defects_per_file[record["file"]].add(record["defect"])
        if record["defect"] == "blank_name":
            assert cell.strip() == "", record
        elif record["defect"] == "negative_amount":
            assert cell.startswith("-"), record
        elif record["defect"] == "bad_date":
            assert cell and not _is_plausible_date(cell), record
        else:
            assert cell and not re.fullmatch(r"[\d,.]+万?", cell), record
    assert set(defects_per_file) == set(extracts)  # a few in every file
    assert all(len(kinds) >= 3 for kinds in defects_per_file.values())  # kinds cycle per file
    duplicates = _read_csv(tiny_world.truth / "duplicates.csv")
    assert duplicates
    for record in duplicates:
        rows = extracts[record["file"]].rows
        assert rows[int(record["row"])] == rows[int(record["duplicate_of_row"])], record


def test_committed_sample_data_is_what_the_generator_makes(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[1] / "sample_data"
    fresh = generate_world("small", 20260930, tmp_path / "fresh")
    committed = {k: v for k, v in _digest(sample).items() if k != "README.md"}
    assert committed == _digest(fresh.root), (
        "sample_data/ is stale: regenerate it with the command in sample_data/README.md"
    )


def _draws(rng: random.Random, sizes: list[int]) -> list[object]:
    """Every kind of draw the generator makes, for each size, then one float."""
    drawn: list[object] = []
    for size in sizes:
        drawn += [rng.randint(-3, size), rng.randrange(size), rng.randrange(5, size + 6)]
        drawn += [rng.choice(range(size % 1000 + 1)), rng.choice("3578")]
        drawn += [rng.choices("abc", (65, 25, 10))[0], rng.choices("ab", (1, 0))[0]]
        drawn += [rng.lognormvariate(size % 17, 1.2)]
    return [*drawn, rng.random()]


@given(seed=st.text(max_size=8), sizes=st.lists(st.integers(1, 10**12), max_size=30))
def test_streams_draw_exactly_what_the_standard_random_draws(seed: str, sizes: list[int]) -> None:
    """The generator's faster draws are the standard library's, or a world's bytes change."""
    assert _draws(Stream(seed), sizes) == _draws(random.Random(seed), sizes)


@given(seed=st.text(max_size=8), areas=st.lists(st.sampled_from(["440604", "510105"]), max_size=40))
def test_id_numbers_are_drawn_as_a_birth_day_and_a_sequence_number(
    seed: str, areas: list[str]
) -> None:
    """IdNumbers draws what ``Builder.day`` and ``randint(0, 999)`` drew, and checks the
    number as :func:`id_number_check_char` does, or every world's bytes change."""
    fast, plain = IdNumbers(Stream(seed)), Stream(seed)
    span = (LATEST_BIRTH - EARLIEST_BIRTH).days
    for area in areas:
        born = EARLIEST_BIRTH + timedelta(days=plain.randint(0, span))
        body = f"{area}{born:%Y%m%d}{plain.randint(0, 999):03d}"
        expected = body + id_number_check_char(body)
        if expected in fast.taken:  # drawn again: both draw another
            continue
        assert fast.draw(area) == expected


@given(
    seed=st.text(max_size=8),
    spans=st.lists(st.tuples(st.integers(-5, 40_000), st.integers(-30, 20_000)), max_size=20),
)
def test_builder_days_are_drawn_as_randint_draws_them(
    seed: str, spans: list[tuple[int, int]]
) -> None:
    """``Builder.day`` indexes a calendar instead of adding a timedelta to a randint draw;
    the days, the draws and what follows them stay the same (past the calendar too)."""
    world = World(seed=0, scale="tiny", as_of=date(2026, 9, 30), extract_date=date(2026, 10, 31))
    builder, plain = Builder(world, all_cities=False), random.Random(seed)
    builder.rng = Stream(seed)
    for offset, span in spans:
        first = date(2000, 1, 1) + timedelta(days=offset)
        expected = first + timedelta(days=plain.randint(0, max(span, 0)))
        assert builder.day(first, first + timedelta(days=span)) == expected
    assert builder.rng.random() == plain.random()


def test_a_failing_writer_fails_the_command(tmp_path: Path) -> None:
    """The extracts are written by a second process; its failure is the command's."""
    table = Table("projects", "projects/x.csv", ["名称"], [["\U0001f600"]], [[]], encoding="gbk")
    writer = TableWriter(tmp_path / "extracts", tmp_path)
    with pytest.raises(GenerateError, match="writing the extracts failed"), writer:
        writer.write(table)


def test_an_xlsx_row_wider_than_its_columns_is_refused(tmp_path: Path) -> None:
    # Columns run A … ZZ: a wider row must fail, not lose the cells past ZZ.
    write_xlsx(tmp_path / "wide.xlsx", "Sheet1", [["x"] * 702])
    with pytest.raises(ValueError, match="703 cells"):
        write_xlsx(tmp_path / "wider.xlsx", "Sheet1", [["x"] * 703])


# Cells drawn from what can trip a joined chunk up: the separators, what csv quotes, blanks.
_CELLS = st.text(alphabet=st.sampled_from('ab宏 ,"\r\n\t\x1f\x1e'), max_size=4)


@given(rows=st.lists(st.lists(_CELLS, min_size=1, max_size=4), min_size=1, max_size=5))
def test_joined_rows_come_back_and_write_as_csv_writer_does(rows: list[list[str]]) -> None:
    """A chunk sent as one joined string gives back its rows, and its CSV is csv.writer's,
    byte for byte, when it offers one; a chunk it cannot carry is refused."""
    joined = JoinedRows.of(rows)
    if any("\x1f" in cell or "\x1e" in cell for row in rows for cell in row):
        assert joined is None
        return
    if min(map(len, rows)) < 2:
        assert joined is None  # a lone empty cell is "" in CSV
        return
    assert joined is not None
    assert joined.rows() == rows
    for line_end in ("\n", "\r\n"):
        expected = io.StringIO(newline="")
        csv.writer(expected, lineterminator=line_end).writerows(rows)
        assert joined.csv(line_end) in (None, expected.getvalue())
        escaped = any(c in cell for row in rows for cell in row for c in '"\r\n')
        assert (joined.csv(line_end) is None) == escaped


def test_a_chunk_with_a_date_or_a_number_is_not_joined() -> None:
    assert JoinedRows.of([["a", date(2024, 1, 2)]]) is None
    assert JoinedRows.of([["a", 1.5], ["b", "c"]]) is None
    assert JoinedRows.of([]) is None


@given(
    mentions=st.lists(
        st.lists(st.tuples(*[_CELLS] * 5).map(lambda fields: Mention(*fields)), max_size=3),
        min_size=1,
        max_size=4,
    )
)
def test_mentions_sent_joined_are_written_as_before(mentions: list[list[Mention]]) -> None:
    """A chunk of mentions sent as joined columns gives the truth rows csv.writer wrote
    from the mentions themselves: file, row (numbered from the chunk's first), fields."""
    expected = io.StringIO(newline="")
    csv.writer(expected, lineterminator="\n").writerows(
        ("x.csv", row, *mention)
        for row, row_mentions in enumerate(mentions, start=3)
        for mention in row_mentions
    )
    kind, content = _mentions_message("x.csv", 3, mentions)
    written = io.StringIO(newline="")
    if kind == "mentions":
        csv.writer(written, lineterminator="\n").writerows(content)  # type: ignore[arg-type]
    else:
        joined = _mention_rows(*content)  # type: ignore[misc]
        text = joined.csv("\n")
        if text is None:
            csv.writer(written, lineterminator="\n").writerows(joined.rows())
        else:
            written.write(text)
    assert written.getvalue() == expected.getvalue()
