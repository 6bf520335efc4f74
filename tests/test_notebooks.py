"""The review notebooks run top to bottom in a real kernel on the sample world, show leads
and charts, never show a personal number, and a decision made in one survives a re-run."""

from __future__ import annotations

import json
from pathlib import Path

import jupytext
import nbformat
import polars as pl
import pytest
from nbclient import NotebookClient
from privacy import (
    PLANTED_ID,
    PLANTED_PHONE,
    plant_in_top_lead,
    public_numbers,
    sample_personal_numbers,
    unmasked_in,
    unmasked_numbers,
)
from sample_job import SAMPLE, sample_config

from screening import dossier
from screening.config import JobConfig
from screening.identifiers import mask_id_number, mask_phone
from screening.job import run_job
from screening.review import lead_statuses
from screening.store import Store

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
VEGA_LITE = "application/vnd.vegalite."  # the chart spec Jupyter draws, any version


@pytest.fixture(scope="module")
def job(tmp_path_factory: pytest.TempPathFactory) -> JobConfig:
    config = sample_config(tmp_path_factory.mktemp("nb") / "nb.duckdb")
    run_job(config)
    return config


@pytest.fixture(scope="module")
def planted(job: JobConfig) -> str:
    """The lead behind whose wage case a clerk typed an ID and a phone number."""
    return plant_in_top_lead(job.database)


def execute(name: str, **parameters: object) -> nbformat.NotebookNode:
    """Run notebooks/<name>.py in a fresh kernel with its parameters cell replaced."""
    notebook = jupytext.read(NOTEBOOKS / f"{name}.py")
    cell = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    defaults = cell.source
    assert all(f"\n{key} = " in f"\n{defaults}" for key in parameters), "unknown parameter"
    overrides = "\n".join(f"{key} = {value!r}" for key, value in parameters.items())
    cell.source = f"{defaults}\n{overrides}"
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": NOTEBOOKS}}
    ).execute()
    return notebook


def outputs(notebook: nbformat.NotebookNode) -> list[dict[str, object]]:
    return [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]


def shown_text(notebook: nbformat.NotebookNode) -> str:
    """Everything the notebook shows, as text (tables, prints, chart data)."""
    shown = [out.get("data", out.get("text", "")) for out in outputs(notebook)]
    return json.dumps(shown, ensure_ascii=False)


def assert_nothing_personal_shown(text: str, database: Path) -> None:
    """Neither the sample's own ID and phone numbers nor anything shaped like one (but the
    public permit numbers and company codes) appears in ``text``."""
    assert unmasked_in(text) == []
    assert unmasked_numbers(text, public_numbers(database)) == []


def charts(notebook: nbformat.NotebookNode) -> int:
    return sum(
        any(kind.startswith(VEGA_LITE) for kind in out.get("data", {})) for out in outputs(notebook)
    )


def test_review_notebook_lists_leads_opens_a_dossier_and_records_a_decision(
    job: JobConfig, planted: str
) -> None:
    notebook = execute(
        "01_review_leads",
        DB=str(job.database),
        LEAD=planted,
        DECISION=("dismissed", "已履行完毕 paid in full", "测试 reviewer"),
    )
    text = shown_text(notebook)
    assert "线索编号 lead id" in text and "来源文件 source file" in text
    assert charts(notebook) >= 3  # outcomes, the top leads' scores, this lead's breakdown
    assert_nothing_personal_shown(text, job.database)
    assert mask_id_number(PLANTED_ID) in text and mask_phone(PLANTED_PHONE) in text

    with Store.open(job.database, read_only=True) as store:
        run = store.latest_published_run()
        assert run is not None
        first = lead_statuses(store.con, run.run_id)
    dismissed = first.filter(status="dismissed")
    assert dismissed.height == 1
    again = run_job(job)  # the decision survives a re-run
    with Store.open(job.database, read_only=True) as store:
        statuses = lead_statuses(store.con, again.run_id)
    lead = dismissed["lead_id"].item()
    assert statuses.filter(lead_id=lead)["status"].item() == "dismissed"


def test_tuning_notebook_sweeps_a_parameter(job: JobConfig) -> None:
    notebook = execute(
        "02_tune_rules",
        DB=str(job.database),
        CONFIG=str(SAMPLE / "job.yaml"),
        RULE="AWARD-UNENFORCED",
        PARAMETER="horizon_days",
        VALUES="30,90,365",
        TRUTH=str(SAMPLE),
    )
    text = shown_text(notebook)
    assert "precision" in text and "leave 减少" in text
    assert charts(notebook) >= 1
    assert_nothing_personal_shown(text, job.database)


def test_data_quality_notebook_shows_rejects_coverage_and_links(job: JobConfig) -> None:
    notebook = execute("03_data_quality", DB=str(job.database))
    text = shown_text(notebook)
    assert "valid_share" in text and "mean_confidence" in text and "reason" in text
    assert charts(notebook) >= 5
    assert_nothing_personal_shown(text, job.database)


def test_the_scan_would_see_an_unmasked_number() -> None:
    numbers = sample_personal_numbers()
    assert len(numbers) > 10  # the sample has workers' ID numbers and phones to hide
    assert unmasked_in(f"<td>{min(numbers)}</td>") == [min(numbers)]


@pytest.mark.parametrize("name", ["01_review_leads", "02_tune_rules", "03_data_quality"])
def test_each_notebook_is_paired_with_its_ipynb(name: str) -> None:
    script = jupytext.read(NOTEBOOKS / f"{name}.py")
    paired = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    assert [c.source for c in script.cells] == [c.source for c in paired.cells], (
        f"run `jupytext --sync notebooks/{name}.py`"
    )
    assert not outputs(paired), "commit the .ipynb without outputs"


def test_leads_filter_by_outcome_district_rule_and_status(job: JobConfig) -> None:
    with Store.open(job.database, read_only=True) as store:
        run = dossier.published_run(store)
        leads = dossier.run_leads(store.con, run.run_id)
    district = leads["district"].drop_nulls().mode().sort()[0]
    for chosen, check in (
        (dossier.filter_leads(leads, outcome="support_prosecution"), ("outcome", "support")),
        (dossier.filter_leads(leads, district=district), ("district", district)),
        (dossier.filter_leads(leads, rule="DEP-MISSING"), ("rules", "DEP-MISSING")),
    ):
        column, value = check
        assert 0 < chosen.height < leads.height
        assert chosen[column].str.contains(value).all()
    set_aside = leads.with_columns(status=pl.lit("snoozed")).head(3)
    assert dossier.filter_leads(set_aside).is_empty()
    assert dossier.filter_leads(set_aside, show_set_aside=True).height == 3
