"""What a person reads about a published run and its leads: the reader shared by
``screening report`` and the review notebooks.

Every function only reads. Whatever it returns for people to see has ID numbers and phone
numbers masked, and leaves out the keyed hashes that joins use. Column names stay English
snake_case so code can filter on them; :data:`FIELD_TITLES` and :func:`readable_leads` give
the Chinese-first titles a person reads.

Example (a notebook cell)::

    from screening import dossier
    from screening.store import Store

    with Store.open("screening.duckdb", read_only=True) as store:
        run = dossier.published_run(store)
        leads = dossier.run_leads(store.con, run.run_id)
        first = dossier.lead_dossier(store.con, run.run_id, leads["lead_id"][0])
        first.evidence["arbitrations"]  # the wage cases behind it, with file and row
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from screening.config import RULES_LIBRARY
from screening.errors import StoreError
from screening.export import HEADERS, masked_text
from screening.identifiers import mask_id_number, mask_personal_numbers, mask_phone
from screening.ingest.canonical import TABLES, Kind
from screening.leads.evidence import evidence_fingerprints
from screening.leads.rank import ANOMALY
from screening.review import STATUS_TITLES, lead_statuses
from screening.rules.model import OUTCOME_TITLES
from screening.store import RunRecord, Store, query_frame

SUBJECT_TITLES = {"company": "企业 company", "project": "项目 project", "award": "仲裁裁决 award"}
CHANGE_TITLES = {"new": "新增 new", "persisting": "持续 persisting"}
METHOD_TITLES = {
    "uscc": "信用代码 USCC",
    "exact": "名称一致 exact",
    "contested": "简称存疑 contested",
    "fuzzy": "名称近似 fuzzy",
    "reviewer": "人工认定 reviewer",
    "person": "自然人 person",
    "new": "未匹配 no match",
}
STATUS_COLUMN = "审查状态 status"
# Out of the working list unless asked for: decided, or put off until a later day.
SET_ASIDE = ("confirmed", "dismissed", "snoozed")
ANOMALY_TITLE = "异常用人单位（模型） unusual employer (anomaly model)"

# The fields a person reads of each source's records, in the order shown. The keyed
# hashes (…_hash) are left out: they exist for joins, and a person has no use for them.
FIELDS: dict[str, tuple[str, ...]] = {
    "arbitrations": (
        "case_no",
        "applicant_name",
        "applicant_id",
        "applicant_phone",
        "respondent_name",
        "project_text",
        "cause",
        "claim_amount",
        "award_amount",
        "filed_date",
        "closed_date",
        "close_method",
        "remark",
    ),
    "enforcements": (
        "case_no",
        "court",
        "applicant_name",
        "respondent_name",
        "respondent_code",
        "basis",
        "filed_date",
        "closed_date",
        "close_method",
        "target_amount",
        "unpaid_amount",
        "dishonest",
        "remark",
    ),
    "projects": (
        "project_no",
        "project_name",
        "permit_no",
        "contractor_name",
        "contractor_uscc",
        "client_name",
        "contract_amount",
        "start_date",
        "completion_date",
        "project_status",
        "district",
    ),
    "deposits": (
        "project_name",
        "permit_no",
        "contractor_name",
        "required_amount",
        "actual_amount",
        "method",
        "guarantee_valid_until",
        "deposit_date",
        "refund_date",
        "remark",
    ),
    "registry": (
        "company_name",
        "uscc",
        "legal_rep",
        "reg_status",
        "status_date",
        "dereg_reason",
        "reg_capital",
        "paid_capital",
        "founded",
    ),
}
FIELD_TITLES: dict[str, str] = {
    "source_file": "来源文件 source file",
    "source_row": "行号 row",
    "case_no": "案号 case no.",
    "applicant_name": "申请人 applicant",
    "applicant_id": "申请人身份证号 applicant ID",
    "applicant_phone": "联系电话 phone",
    "respondent_name": "被申请人/被执行人 respondent",
    "respondent_code": "被执行人证件号 respondent ID/USCC",
    "project_text": "项目（原文）project as typed",
    "cause": "案由 cause",
    "claim_amount": "请求金额（元）claimed",
    "award_amount": "裁决金额（元）awarded",
    "filed_date": "立案日期 filed",
    "closed_date": "结案日期 closed",
    "close_method": "结案方式 closed by",
    "remark": "备注 remark",
    "court": "法院 court",
    "basis": "执行依据 basis",
    "target_amount": "执行标的（元）to enforce",
    "unpaid_amount": "未履行（元）unpaid",
    "dishonest": "失信 dishonest",
    "project_no": "项目编号 project no.",
    "project_name": "项目名称 project",
    "permit_no": "施工许可证号 permit no.",
    "contractor_name": "总承包单位 contractor",
    "contractor_uscc": "总承包单位信用代码 contractor USCC",
    "client_name": "建设单位 client",
    "contract_amount": "合同金额（元）contract",
    "start_date": "开工日期 started",
    "completion_date": "竣工日期 completed",
    "project_status": "项目状态 status",
    "district": "区县 district",
    "required_amount": "应存金额（元）required",
    "actual_amount": "实存金额（元）deposited",
    "method": "存储方式 method",
    "guarantee_valid_until": "保函有效期至 guarantee until",
    "deposit_date": "存储日期 deposited on",
    "refund_date": "返还日期 refunded on",
    "company_name": "企业名称 company",
    "uscc": "统一社会信用代码 USCC",
    "legal_rep": "法定代表人 legal representative",
    "reg_status": "登记状态 status",
    "status_date": "注销/吊销日期 status date",
    "dereg_reason": "注销原因 reason",
    "reg_capital": "注册资本（元）registered capital",
    "paid_capital": "实缴资本（元）paid-in capital",
    "founded": "成立日期 founded",
}

# How each kind of column is masked for display. Case, permit and project numbers (CODE)
# and company codes (USCC) are public record numbers and shown as typed: a building
# permit number even has the shape of an ID number (region, date, sequence), and masking
# it would hide the very link an analyst follows. Ingest already stores ID numbers and
# phones masked; masking again here is idempotent and guards free text a clerk typed a
# number into.
_MASKS: dict[Kind, Callable[[str], str]] = {
    Kind.ID_NUMBER: mask_id_number,
    Kind.PHONE: mask_phone,
    Kind.PARTY_CODE: mask_personal_numbers,
    Kind.NAME: mask_personal_numbers,
    Kind.TEXT: mask_personal_numbers,
}


@dataclass(frozen=True)
class Dossier:
    """Everything behind one lead, masked, for a person to judge it."""

    lead: dict[str, Any]  # the lead's row (see run_leads)
    contributions: pl.DataFrame  # source, title, score, share
    evidence: dict[str, pl.DataFrame]  # source table -> its records (see evidence_records)
    links: pl.DataFrame  # the entity links of the names in the records (see entity_links)
    # The records shown are the database's current ones; True when they no longer say
    # what they said when the run published the lead (a later ingest changed them).
    evidence_changed: bool


def published_run(store: Store, run_id: str | None = None) -> RunRecord:
    """The run ``run_id``, or the latest published run; ``StoreError`` when there is none
    or the run was not published (a failed or running run has no leads to read)."""
    run = store.latest_published_run() if run_id is None else store.get_run(run_id)
    if run is None:
        raise StoreError(
            "the database has no published run",
            where=str(store.path),
            hint="run `screening run` first, or check the --db path",
        )
    if run.status != "published":
        raise StoreError(
            f"run {run_id} is {run.status}, not published: it has no leads to read",
            where=str(store.path),
            hint="leave out --run for the latest published run",
        )
    return run


def run_inputs(con: duckdb.DuckDBPyConnection, run_id: str) -> pl.DataFrame:
    """The extract files a run read: source, file, data_rows, sha256; by source and file."""
    return query_frame(
        con,
        "SELECT source, file, data_rows, sha256 FROM run_inputs WHERE run_id = ? "
        "ORDER BY source, file",
        [run_id],
    )


def run_leads(
    con: duckdb.DuckDBPyConnection, run_id: str, today: date | None = None
) -> pl.DataFrame:
    """A run's leads by rank, with the columns of ``export.HEADERS`` and each lead's review
    ``status`` (see :func:`review.lead_statuses`); names and reasons masked."""
    leads = query_frame(
        con,
        f"SELECT {', '.join(HEADERS)} FROM leads WHERE run_id = ? ORDER BY rank",
        [run_id],
    )
    statuses = lead_statuses(con, run_id, today).select("lead_id", "status")
    leads = leads.join(statuses, on="lead_id", how="left", maintain_order="left")
    return masked_text(leads, "subject_name", "reason")


def filter_leads(
    leads: pl.DataFrame,
    *,
    outcome: str | None = None,
    district: str | None = None,
    rule: str | None = None,
    show_set_aside: bool = False,
) -> pl.DataFrame:
    """The leads (from run_leads) of one outcome, district or rule, each when given;
    confirmed, dismissed and snoozed ones only with ``show_set_aside``."""
    if outcome is not None:
        leads = leads.filter(outcome=outcome)
    if district is not None:
        leads = leads.filter(pl.col("district").str.contains(district, literal=True))
    if rule is not None:
        leads = leads.filter(pl.col("rules").str.split(",").list.contains(rule))
    if not show_set_aside:
        leads = leads.filter(~pl.col("status").is_in(SET_ASIDE))
    return leads


def readable_leads(leads: pl.DataFrame) -> pl.DataFrame:
    """Leads as a person reads them: outcome, subject, change and review status in words,
    Chinese-first column titles (``export.HEADERS``)."""
    titles = {**HEADERS, "status": STATUS_COLUMN}
    return leads.with_columns(
        pl.col("outcome").replace(OUTCOME_TITLES),
        pl.col("subject").replace(SUBJECT_TITLES),
        pl.col("change").replace(CHANGE_TITLES),
        *([pl.col("status").replace(STATUS_TITLES)] if "status" in leads.columns else []),
    ).rename({column: title for column, title in titles.items() if column in leads.columns})


def readable_records(records: pl.DataFrame) -> pl.DataFrame:
    """Source records (one frame of evidence_records) with Chinese-first column titles."""
    return records.rename(
        {column: FIELD_TITLES[column] for column in records.columns if column in FIELD_TITLES}
    )


def outcome_counts(leads: pl.DataFrame) -> pl.DataFrame:
    """Per outcome, in the order of ``OUTCOME_TITLES``: its title, leads, new, persisting,
    amount (yuan) and workers."""
    order = list(OUTCOME_TITLES)
    counts = leads.group_by("outcome").agg(
        pl.len().alias("leads"),
        (pl.col("change") == "new").sum().alias("new"),
        (pl.col("change") == "persisting").sum().alias("persisting"),
        pl.col("amount").sum(),
        pl.col("workers").sum(),
    )
    return counts.with_columns(
        pl.col("outcome").replace_strict(OUTCOME_TITLES, default=pl.col("outcome")).alias("title")
    ).sort(
        pl.col("outcome").replace_strict(
            {outcome: i for i, outcome in enumerate(order)}, default=len(order)
        ),
        "outcome",
    )


def rule_titles(rules: Path = RULES_LIBRARY) -> dict[str, str]:
    """Rule id -> "中文标题 English title" for every rule in the folder that loads, and the
    anomaly model's. Pass the folder a job's rules came from if it is not the library."""
    from screening.rules.load import load_rules

    titles = {
        loaded.rule.id: f"{loaded.rule.title.zh} {loaded.rule.title.en}"
        for loaded in load_rules(rules).rules
    }
    return {**titles, ANOMALY: ANOMALY_TITLE}


def run_contributions(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    titles: dict[str, str],
    lead_ids: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Each lead's score by source (a rule id or ANOMALY): lead_id, rank, source, title,
    score and its share of the lead's score; by rank, then source. ``lead_ids`` limits it
    to those leads."""
    frame = query_frame(
        con,
        """SELECT c.lead_id, l.rank, c.source, c.score,
                  c.score / sum(c.score) OVER (PARTITION BY c.lead_id) AS share
           FROM lead_contributions c JOIN leads l USING (run_id, lead_id)
           WHERE c.run_id = ? AND (? IS NULL OR list_contains(?, c.lead_id))
           ORDER BY l.rank, c.source""",
        [run_id, *_lead_filter(lead_ids)],
    )
    return frame.with_columns(
        pl.col("source").replace_strict(titles, default=pl.col("source")).alias("title")
    ).select("lead_id", "rank", "source", "title", "score", "share")


def evidence_records(
    con: duckdb.DuckDBPyConnection, run_id: str, lead_ids: Sequence[str] | None = None
) -> dict[str, pl.DataFrame]:
    """The source records behind leads, one frame per source table (in the order of
    ``FIELDS``, tables without records left out): lead_id, source_file, source_row and the
    table's ``FIELDS``, masked; by lead rank, file and row. ``lead_ids`` limits it to
    those leads."""
    records = {}
    for table, fields in FIELDS.items():
        frame = query_frame(
            con,
            f"""SELECT e.lead_id, e.source_file, e.source_row, {", ".join(f"t.{f}" for f in fields)}
                FROM lead_evidence e JOIN leads l USING (run_id, lead_id)
                JOIN {table} t USING (source_file, source_row)
                WHERE e.run_id = ? AND e.source_table = ?
                  AND (? IS NULL OR list_contains(?, e.lead_id))
                ORDER BY l.rank, e.source_file, e.source_row""",
            [run_id, table, *_lead_filter(lead_ids)],
        )
        if not frame.is_empty():
            records[table] = _masked(frame, TABLES[table].columns)
    return records


def entity_links(
    con: duckdb.DuckDBPyConnection, run_id: str, lead_ids: Sequence[str] | None = None
) -> pl.DataFrame:
    """How each company or person name in leads' source records was linked: lead_id,
    source_table, source_file, source_row, role (the column the name is in), name,
    entity_name, entity_id (companies only), kind, method, confidence."""
    # A person's entity id derives from a keyed hash of the ID number: never shown.
    frame = query_frame(
        con,
        """SELECT e.lead_id, m.source_table, m.source_file, m.source_row, m.role, m.name,
                  n.name AS entity_name,
                  CASE WHEN n.kind = 'company' THEN m.entity_id END AS entity_id,
                  n.kind, m.method, m.confidence
           FROM lead_evidence e JOIN leads l USING (run_id, lead_id)
           JOIN mentions m USING (source_table, source_file, source_row)
           JOIN entities n USING (entity_id)
           WHERE e.run_id = ? AND (? IS NULL OR list_contains(?, e.lead_id))
           ORDER BY l.rank, m.source_table, m.source_file, m.source_row, m.role""",
        [run_id, *_lead_filter(lead_ids)],
    )
    return masked_text(frame, "name", "entity_name")


def lead_dossier(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    lead_id: str,
    titles: dict[str, str] | None = None,
) -> Dossier:
    """One lead's row, score breakdown, source records and entity links; ``StoreError``
    when the run has no such lead. ``titles`` (from :func:`rule_titles`) saves loading
    the rules again for every lead."""
    found = run_leads(con, run_id).filter(lead_id=lead_id)
    if found.is_empty():
        raise StoreError(
            f"run {run_id} has no lead {lead_id}", hint="take a lead id from run_leads()"
        )
    return Dossier(
        lead=found.row(0, named=True),
        contributions=run_contributions(con, run_id, titles or rule_titles(), [lead_id]).select(
            "source", "title", "score", "share"
        ),
        evidence={
            table: frame.drop("lead_id")
            for table, frame in evidence_records(con, run_id, [lead_id]).items()
        },
        links=entity_links(con, run_id, [lead_id]).drop("lead_id"),
        evidence_changed=_evidence_changed(con, run_id, lead_id),
    )


def _evidence_changed(con: duckdb.DuckDBPyConnection, run_id: str, lead_id: str) -> bool:
    rows = query_frame(
        con,
        """SELECT lead_id, source_table, source_file, source_row FROM lead_evidence
           WHERE run_id = ? AND lead_id = ?""",
        [run_id, lead_id],
    )
    published = con.execute(
        "SELECT evidence_hash FROM leads WHERE run_id = ? AND lead_id = ?", [run_id, lead_id]
    ).fetchall()[0][0]
    now = evidence_fingerprints(con, rows)["evidence_hash"].to_list()
    return (now[0] if now else None) != published


def _lead_filter(lead_ids: Sequence[str] | None) -> list[list[str] | None]:
    """The two parameters of ``(? IS NULL OR list_contains(?, lead_id))``."""
    chosen = None if lead_ids is None else list(lead_ids)
    return [chosen, chosen]


def _masked(frame: pl.DataFrame, kinds: dict[str, Kind]) -> pl.DataFrame:
    return frame.with_columns(
        pl.col(column).map_elements(_MASKS[kind], return_dtype=pl.String)
        for column, kind in kinds.items()
        if column in frame.columns and kind in _MASKS
    )
