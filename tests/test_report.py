"""screening report on the sample world, as a user runs it: the HTML opens in headless
Chromium with no console error and no request beyond itself, Chinese renders with a CJK
font, the workbook has a sheet per outcome, and no unmasked ID or phone number appears in
either file."""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import sys
from base64 import b64decode
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import polars as pl
import pytest
from PIL import Image
from privacy import (
    PLANTED_ID,
    PLANTED_PHONE,
    plant_in_top_lead,
    public_numbers,
    unmasked_numbers,
)
from sample_job import sample_config
from typer.testing import CliRunner

from screening import dossier
from screening.cli import app
from screening.errors import StoreError
from screening.export import HEADERS
from screening.identifiers import ID_NUMBER_PATTERN, mask_id_number, mask_phone
from screening.job import run_job
from screening.report import write_report
from screening.report.workbook import sheet_name
from screening.rules.model import OUTCOME_TITLES
from screening.store import Store

REPO = Path(__file__).resolve().parents[1]
MASKED_ID = re.compile(r"(?<![0-9])\d{6}\*{8}\d{3}[\dX]")
MASKED_PHONE = re.compile(r"(?<![0-9])1\d{2}\*{4}\d{4}(?![0-9])")
SCREEN = (1280, 1600)


@pytest.fixture(scope="module")
def screened(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample world screened by the real job into a fresh database, with an ID number
    and a phone number typed into the remark of a wage case behind the top lead."""
    database = tmp_path_factory.mktemp("screened") / "s.duckdb"
    run_job(sample_config(database))
    plant_in_top_lead(database)
    return database


@pytest.fixture(scope="module")
def report_dir(screened: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report written by the real command, in a process of its own."""
    out = tmp_path_factory.mktemp("report") / "out"
    result = subprocess.run(
        [sys.executable, "-m", "screening", "report", "--db", str(screened), "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "report.html" in result.stdout and "leads.xlsx" in result.stdout
    return out


# -- the report in a browser ---------------------------------------------------------------


def test_the_report_opens_without_console_errors_or_requests(
    report_dir: Path, tmp_path: Path
) -> None:
    page = report_dir / "report.html"
    visit = visit_page(page, tmp_path / "profile")
    assert visit.problems == []
    assert visit.requests == [page.as_uri()]  # self-contained: it fetches nothing
    assert visit.cjk_glyphs >= 4  # 线索报告 drawn with a CJK font, not as empty boxes

    screenshot = tmp_path / "report.png"
    screenshot.write_bytes(visit.screenshot)
    image = Image.open(screenshot).convert("RGB")
    assert image.size == SCREEN
    colours = image.getcolors(maxcolors=SCREEN[0] * SCREEN[1]) or []
    assert len(colours) > 100, "the screenshot is blank"
    assert max(count for count, _ in colours) < 0.9 * SCREEN[0] * SCREEN[1]


def test_the_browser_check_flags_errors_and_requests(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>t</title></head>'
        '<body><h1>测试 test</h1><img src="missing.png" alt="">'
        '<script>console.error("deliberate"); undefinedFunction();</script></body></html>',
        encoding="utf-8",
    )
    visit = visit_page(page, tmp_path / "profile")
    assert "console.error: deliberate" in visit.problems
    assert any("undefinedFunction is not defined" in p for p in visit.problems)
    assert any(p.startswith("network error") and "missing.png" in p for p in visit.problems)
    assert (tmp_path / "missing.png").as_uri() in visit.requests


# -- the dossier the notebooks read ---------------------------------------------------------


def test_a_lead_dossier_explains_the_lead_with_its_records(screened: Path) -> None:
    with Store.open(screened, read_only=True) as store:
        run = dossier.published_run(store)
        leads = dossier.run_leads(store.con, run.run_id)
        top = dossier.lead_dossier(store.con, run.run_id, leads["lead_id"][0])
        with pytest.raises(StoreError, match="has no lead L-000000000000"):
            dossier.lead_dossier(store.con, run.run_id, "L-000000000000")
        with pytest.raises(StoreError, match="no run 'run-999999'"):
            dossier.published_run(store, "run-999999")
    assert top.lead["rank"] == 1
    assert top.contributions["score"].sum() == pytest.approx(top.lead["score"])
    assert top.contributions["share"].sum() == pytest.approx(1.0)
    assert top.contributions["title"].str.contains("[\u4e00-\u9fff]").all()  # rule titles
    wage_cases = top.evidence["arbitrations"]
    assert wage_cases.columns[:2] == ["source_file", "source_row"]
    assert all(MASKED_ID.fullmatch(number) for number in wage_cases["applicant_id"])
    assert not any(column.endswith("_hash") for column in wage_cases.columns)
    planted = wage_cases.filter(pl.col("remark").is_not_null())["remark"][0]
    assert planted == f"申请人身份证{mask_id_number(PLANTED_ID)}，电话{mask_phone(PLANTED_PHONE)}"
    # Every name in the records has its link; a person's (hash-derived) entity id is hidden.
    assert set(top.links["method"]) >= {"exact", "person"}
    assert top.links.filter(kind="person")["entity_id"].is_null().all()
    assert top.links["confidence"].is_between(0, 1).all()


# -- the workbook --------------------------------------------------------------------------


def test_the_workbook_has_a_sheet_per_outcome_and_the_evidence(
    report_dir: Path, screened: Path
) -> None:
    with duckdb.connect(str(screened), read_only=True) as con:
        counts = dict(
            con.execute("SELECT outcome, count(*) FROM leads GROUP BY outcome").fetchall()
        )
        (evidence,) = con.execute("SELECT count(*) FROM lead_evidence").fetchall()[0]
    assert len(counts) >= 3  # the sample world has leads of most outcomes
    workbook = openpyxl.load_workbook(report_dir / "leads.xlsx", read_only=True)
    per_outcome = [sheet_name(title) for o, title in OUTCOME_TITLES.items() if o in counts]
    assert workbook.sheetnames == ["概况 summary", *per_outcome, "证据 evidence"]
    assert "行政违法监督 administrative" in workbook.sheetnames  # cut at a word to fit 31
    for name in workbook.sheetnames:
        assert len(name) <= 31 and re.match(r"[\u4e00-\u9fff]", name), name

    for outcome, count in counts.items():
        rows = list(workbook[sheet_name(OUTCOME_TITLES[outcome])].iter_rows(values_only=True))
        assert rows[0] == (*HEADERS.values(), dossier.STATUS_COLUMN)  # the review status last
        assert len(rows) == count + 1
        assert {row[2] for row in rows[1:]} == {OUTCOME_TITLES[outcome]}
        assert [row[0] for row in rows[1:]] == sorted(row[0] for row in rows[1:])

    rows = list(workbook["证据 evidence"].iter_rows(values_only=True))
    assert rows[0] == (
        "排名 rank",
        "线索编号 lead id",
        "线索类型 outcome",
        "来源表 source table",
        "来源文件 source file",
        "行号 row",
    )
    assert len(rows) == evidence + 1
    assert {row[3] for row in rows[1:]} >= {"劳动仲裁 Labour arbitration"}


# -- masking -------------------------------------------------------------------------------


def test_no_unmasked_id_or_phone_number_appears(report_dir: Path, screened: Path) -> None:
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    workbook = openpyxl.load_workbook(report_dir / "leads.xlsx", read_only=True)
    cells = "\n".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    # Building permit numbers have an ID number's shape (region, date, sequence); they are
    # public record numbers the report shows as typed, like company codes.
    permits = public_numbers(screened)
    assert unmasked_numbers(html, permits) == []
    assert unmasked_numbers(cells, permits) == []

    # The scan has something to find: the records shown carry ID and phone numbers.
    assert mask_id_number(PLANTED_ID) in html and mask_phone(PLANTED_PHONE) in html
    assert len(MASKED_ID.findall(html)) > 20 and len(MASKED_PHONE.findall(html)) > 20
    assert permits & set(ID_NUMBER_PATTERN.findall(html))  # a permit number is shown
    # … and it finds them when they are there.
    assert unmasked_numbers(f"备注 {PLANTED_ID}，{PLANTED_PHONE}", permits) == [
        PLANTED_PHONE,
        PLANTED_ID,
    ]


# -- determinism and bad input -------------------------------------------------------------


def test_the_same_run_gives_the_same_html(report_dir: Path, screened: Path, tmp_path: Path) -> None:
    again = write_report(screened, tmp_path / "again")  # in this process, charts rendered anew
    assert again.html.read_bytes() == (report_dir / "report.html").read_bytes()
    html = again.html.read_text(encoding="utf-8")
    assert dossier.STATUS_COLUMN in html and "待审查 open" in html  # each lead's review


def test_bad_input_gets_a_one_line_error(screened: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.duckdb"
    with Store.open(empty) as store:
        failed = store.begin_run(as_of=None, config_hash=None, input_hashes={}, seed=None)
        store.fail_run(failed, "stopped")
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    out = str(tmp_path / "out")
    cases = [
        (["--db", str(empty), "--out", out], "no published run"),
        (["--db", str(empty), "--run", failed, "--out", out], f"{failed} is failed"),
        (["--db", str(screened), "--run", "run-999999", "--out", out], "no run 'run-999999'"),
        (["--db", str(tmp_path / "none.duckdb"), "--out", out], "database does not exist"),
        (["--db", str(screened), "--out", str(a_file)], "not a folder"),
        (["--db", str(screened), "--out", str(a_file / "sub")], "cannot write the report"),
    ]
    for args, message in cases:
        result = CliRunner().invoke(app, ["report", *args])
        assert result.exit_code == 1, (args, result.output)
        assert result.output.startswith("error:") and message in result.output, result.output
    assert not (tmp_path / "out").exists()


# -- headless Chromium over the DevTools protocol ------------------------------------------


@dataclass
class PageVisit:
    problems: list[str]  # console errors and warnings, uncaught exceptions, failed loads
    requests: list[str]  # every URL the page asked for, itself included
    cjk_glyphs: int  # glyphs of the page's <h1> drawn with a CJK font
    screenshot: bytes  # PNG of the first screen


def visit_page(page: Path, profile: Path) -> PageVisit:
    """Load ``page`` in headless Chromium and report what its console and network saw."""
    with _chromium(profile) as browser:
        target = browser.send("Target.createTarget", url="about:blank")["targetId"]
        session = browser.send("Target.attachToTarget", targetId=target, flatten=True)
        tab = session["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page", "DOM", "CSS"):
            browser.send(f"{domain}.enable", tab)
        width, height = SCREEN
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            tab,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        browser.send("Page.navigate", tab, url=page.as_uri())
        browser.wait_for("Page.loadEventFired")
        root = browser.send("DOM.getDocument", tab)["root"]["nodeId"]
        heading = browser.send("DOM.querySelector", tab, nodeId=root, selector="h1")["nodeId"]
        fonts = browser.send("CSS.getPlatformFontsForNode", tab, nodeId=heading)["fonts"]
        screenshot = b64decode(browser.send("Page.captureScreenshot", tab, format="png")["data"])
        events = browser.events
    return PageVisit(
        problems=[problem for event in events if (problem := _problem(event))],
        requests=[
            event["params"]["request"]["url"]
            for event in events
            if event.get("method") == "Network.requestWillBeSent"
        ],
        cjk_glyphs=sum(font["glyphCount"] for font in fonts if "CJK" in font["familyName"]),
        screenshot=screenshot,
    )


def _problem(event: dict[str, Any]) -> str | None:
    method, params = event.get("method"), event.get("params", {})
    if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert", "warning"):
        words = (str(arg.get("value", arg.get("description", ""))) for arg in params["args"])
        return f"console.{params['type']}: {' '.join(words)}"
    if method == "Runtime.exceptionThrown":
        details = params["exceptionDetails"]
        return f"uncaught {details.get('exception', {}).get('description', details['text'])}"
    if method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
        entry = params["entry"]
        return f"{entry['source']} {entry['level']}: {entry['text']} {entry.get('url', '')}"
    return None


@dataclass
class _DevTools:
    """The DevTools protocol over --remote-debugging-pipe: JSON messages ending in NUL,
    written to the browser's fd 3 and read from its fd 4."""

    commands: int
    replies: int
    events: list[dict[str, Any]] = field(default_factory=list)
    _buffer: bytes = b""
    _sent: int = 0

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Run a command (in a tab's ``session``) and return its result; events that
        arrive meanwhile are kept in ``events``."""
        self._sent += 1
        message: dict[str, Any] = {"id": self._sent, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        while (reply := self._receive()).get("id") != self._sent:
            self.events.append(reply)
        assert "error" not in reply, f"{method}: {reply['error']}"
        return dict(reply["result"])

    def wait_for(self, method: str) -> None:
        while not any(event.get("method") == method for event in self.events):
            self.events.append(self._receive())

    def _receive(self, timeout: float = 60) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self.replies], [], [], timeout)
            assert ready, "the browser did not answer in time"
            chunk = os.read(self.replies, 1 << 16)
            assert chunk, "the browser closed the pipe"
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return dict(json.loads(message))


@contextmanager
def _chromium(profile: Path) -> Iterator[_DevTools]:
    executable = shutil.which("chromium")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run should have installed it")
        pytest.skip("needs Debian's chromium (apt-get install chromium fonts-noto-cjk)")
    to_browser, commands = os.pipe()
    replies, from_browser = os.pipe()
    # The shell puts the pipe ends where Chromium looks for them: fds 3 and 4.
    process = subprocess.Popen(
        [
            "bash",  # dash cannot redirect from descriptors above 9
            "-c",
            f'exec "$@" 3<&{to_browser} 4>&{from_browser}',
            "chromium",
            executable,
            "--headless",
            "--no-sandbox",  # CI runs as root, where the sandbox refuses to start
            "--disable-gpu",
            "--no-first-run",
            "--remote-debugging-pipe",
            f"--user-data-dir={profile}",
        ],
        pass_fds=(to_browser, from_browser),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(to_browser)
    os.close(from_browser)
    browser = _DevTools(commands, replies)
    try:
        yield browser
        browser.send("Browser.close")
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(commands)
        os.close(replies)
