"""``generate_world``: build a world, write its extracts and its ground truth.

Layout of the output folder::

    extracts/   what the agencies deliver (the engine reads only this)
      registry/企业登记信息.xlsx
      projects/施工项目信息.csv              (GBK)
      deposits/农民工工资保证金.csv           (UTF-8)
      arbitration/劳动争议仲裁案件_YYYY.xlsx  (one per filing year, title row above the header)
      enforcement/执行案件_YYYY.csv           (GBK, one per filing year)
    job.yaml    the job config that screens this world as of its as-of date
    manifest.yaml  where each source's files are and how their headers map
    truth/      what really happened (never read by the engine)
      world.json      seed, scale, dialect (unless default), as-of and extract dates, row counts
      leads.csv       planted leads, decoys and guards (pattern, subject, outcome, role)
      sites.csv       each arbitration case that names a site: the project it is
      mentions.csv    every company/person mention: file, row, column -> true entity
      malformed.csv   every malformed row: file, row, column, defect
      duplicates.csv  every exact duplicate row and the row it copies

That is the ``default`` dialect. Other dialects (``--dialect``, see
:mod:`screening.synth.dialects`) name, split, encode and head their files their own way
and ship the manifest that reads them.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import json
import random
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from screening.errors import GenerateError
from screening.synth.background import Background
from screening.synth.builder import Builder
from screening.synth.dialect import Dialect
from screening.synth.dialects import get_dialect
from screening.synth.draws import Stream
from screening.synth.manifests import SAMPLE_MANIFEST, manifest_text
from screening.synth.model import World
from screening.synth.plant import Planter
from screening.synth.render import (
    Table,
    add_noise,
    arbitration_tables,
    deposits_table,
    enforcement_tables,
    projects_table,
    registry_table,
)
from screening.synth.restyle import restyle
from screening.synth.scales import get_scale
from screening.synth.writer_process import TableWriter

DEFAULT_AS_OF = date(2026, 9, 30)
EXTRACT_LAG_DAYS = 31  # extracts are pulled a month after the as-of date

# Per source: date columns, amount columns and the required name column, for noise.
NOISE_COLUMNS = {
    "registry": (["成立日期", "注销/吊销日期"], ["注册资本(万元)", "实缴资本(万元)"], "企业名称"),
    "projects": (["发证日期", "开工日期", "竣工验收日期"], ["合同金额(万元)"], "施工总承包单位"),
    "deposits": (
        ["存储日期", "返还日期", "保函有效期至"],
        ["应存金额(元)", "实存金额(元)"],
        "总承包单位",
    ),
    "arbitration": (
        ["立案日期", "结案日期", "生效日期"],
        ["请求金额(元)", "裁决/调解金额(元)"],
        "被申请人",
    ),
    "enforcement": (
        ["立案日期", "结案日期"],
        ["申请执行标的(元)", "实际执行到位金额(元)"],
        "被执行人",
    ),
}


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """A world is millions of long-lived records and no reference cycles: the cyclic
    collector would walk them all again and again (a fifth of the build) and free nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class GeneratedWorld:
    root: Path
    extracts: Path
    truth: Path
    files: dict[str, int]  # relative path -> data rows written


@_collector_paused()
def build_world(
    scale_name: str, seed: int, as_of: date = DEFAULT_AS_OF, dialect: str | Dialect = "default"
) -> World:
    """The world's true state: background plus planted stories, cases numbered."""
    scale = get_scale(scale_name)
    knobs = (dialect if isinstance(dialect, Dialect) else get_dialect(dialect)).world
    world = World(
        seed=seed,
        scale=scale.name,
        as_of=as_of,
        extract_date=as_of + timedelta(days=EXTRACT_LAG_DAYS),
    )
    builder = Builder(world, all_cities=scale.all_cities, knobs=knobs)
    background = Background(builder, scale)
    background.populate()
    background.build_projects(scale.projects)
    Planter(builder, background, scale.planted_per_pattern).plant_all()
    background.build_arbitrations(scale.arbitrations)
    background.lawful_refunds()
    background.build_other_enforcements(scale.enforcements)
    background.close_companies()
    builder.number_cases()
    return world


@_collector_paused()
def generate_world(
    scale_name: str,
    seed: int,
    out: Path,
    *,
    as_of: date = DEFAULT_AS_OF,
    overwrite: bool = False,
    progress: Callable[[str], None] | None = None,
    dialect: str = "default",
) -> GeneratedWorld:
    """Generate a world into ``out`` (extracts/ and truth/) in ``dialect``'s conventions.

    Same seed and dialect, same bytes.
    """
    profile = get_dialect(dialect)  # an unknown name fails before anything is written
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise GenerateError(
                f"output folder is not empty: {out}",
                hint="choose an empty folder or pass --overwrite",
            )
        for child in ("extracts", "truth"):
            shutil.rmtree(out / child, ignore_errors=True)
        for name in ("job.yaml", "manifest.yaml"):
            (out / name).unlink(missing_ok=True)
    notify = progress or (lambda _message: None)
    extracts, truth = out / "extracts", out / "truth"
    truth.mkdir(parents=True, exist_ok=True)
    files: dict[str, int] = {}
    # Started before the world is built, so that the writer process holds none of it.
    with TableWriter(extracts, truth) as writer:
        notify("building the world")
        world = build_world(scale_name, seed, as_of, profile)
        rng = Stream(f"screening-render/{seed}/{scale_name}")
        # The dialect's own choices draw from their own stream: the default's stays as it was.
        dialect_rng = Stream(f"screening-dialect/{seed}/{scale_name}/{profile.name}")
        for table in _tables(world, rng, profile, dialect_rng):
            notify(f"writing {table.path}")
            dates, amounts, name = _noise_columns(table.source, profile)
            add_noise(table, rng, dates, amounts, name)
            writer.write(table)
            files[table.path] = len(table.rows)
            del table  # else its rows live on while the next table is rendered
        _write_summary(out, world, seed, scale_name, profile, files)
        # Freed while the writer finishes: a province is seconds of freeing millions of
        # records, which after the writer's end would only make the command wait longer.
        del world
    return GeneratedWorld(out, extracts, truth, files)


def _write_summary(
    out: Path, world: World, seed: int, scale_name: str, profile: Dialect, files: dict[str, int]
) -> None:
    """The truth read from the world itself (leads, sites, world.json), job and manifest."""
    truth = out / "truth"
    _write_csv(
        truth / "leads.csv",
        ["pattern", "subject_type", "subject_key", "outcome_type", "role", "variant", "note"],
        sorted(
            (t.pattern, t.subject_type, t.subject_key, t.outcome_type, t.role, t.variant, t.note)
            for t in world.truth
        ),
    )
    _write_csv(
        truth / "sites.csv",
        ["case_no", "project_no"],
        sorted(
            (case.case_no, case.project.project_no)
            for case in world.arbitrations
            if case.project is not None and case.site_text
        ),
    )
    summary = {
        "seed": seed,
        "scale": scale_name,
        # The default world's summary is as it always was (sample_data/ is byte-checked).
        **({} if profile.name == "default" else {"dialect": profile.name}),
        "as_of": world.as_of.isoformat(),
        "extract_date": world.extract_date.isoformat(),
        "files": dict(sorted(files.items())),
        "companies": len(world.companies),
        "projects": len(world.projects),
    }
    (out / "job.yaml").write_text(
        "# The job that screens this world: screening run --config job.yaml\n"
        f"manifest: manifest.yaml\nas_of: {world.as_of.isoformat()}\nseed: {seed}\n",
        encoding="utf-8",
    )
    if profile.name == "default":
        shutil.copyfile(SAMPLE_MANIFEST, out / "manifest.yaml")
    else:
        (out / "manifest.yaml").write_text(manifest_text(profile), encoding="utf-8")
    (truth / "world.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def _tables(
    world: World, rng: random.Random, dialect: Dialect, dialect_rng: random.Random
) -> Iterable[Table]:
    """Each source rendered, then restyled. Lazily: the default renders a table only after
    the previous one had its noise, as it always did, so its random stream is unchanged."""
    rendered: tuple[tuple[str, Callable[[], Iterable[Table]]], ...] = (
        ("registry", lambda: [registry_table(world, rng)]),
        ("projects", lambda: [projects_table(world, rng)]),
        ("deposits", lambda: [deposits_table(world, rng)]),
        ("arbitration", lambda: arbitration_tables(world, rng)),
        ("enforcement", lambda: enforcement_tables(world, rng)),
    )
    for source, render in rendered:
        yield from restyle(source, render(), dialect, world, dialect_rng)


def _noise_columns(source: str, dialect: Dialect) -> tuple[list[str], list[str], str]:
    """The noise columns of a source under the dialect's headers (absent ones skipped)."""
    dates, amounts, name = NOISE_COLUMNS[source]
    layout = dialect.layouts.get(source)
    if layout is None:
        return dates, amounts, name

    def mapped(headers: list[str]) -> list[str]:
        return [h for h in map(layout.header_of, headers) if h is not None]

    name_header = layout.header_of(name)
    assert name_header is not None, f"{dialect.name}: {source} must keep {name}"
    return mapped(dates), mapped(amounts), name_header


def _write_csv(path: Path, header: list[str], rows: Iterable[tuple[object, ...]]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
