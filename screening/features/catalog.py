"""Every column a rule can see, with its meaning and unit: the one place they are documented.

A subject view has one row per subject (a company entity, a construction project, an
arbitration award), computed as of a date from the canonical tables and the entity links.
``screening features list`` prints this catalogue; a test checks that each view has exactly
these columns, so the documentation cannot drift from the SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Subject = Literal["company", "project", "award"]
SUBJECTS: tuple[Subject, ...] = ("company", "project", "award")


@dataclass(frozen=True)
class Feature:
    name: str
    type: str  # DuckDB type: VARCHAR, DATE, DECIMAL, BIGINT, BOOLEAN, DOUBLE
    unit: str  # 元 yuan, 天 days, 人 workers, 件 cases, share 0–1, "" for text and dates
    zh: str
    en: str


def _f(name: str, type_: str, unit: str, zh: str, en: str) -> Feature:
    return Feature(name, type_, unit, zh, en)


YUAN, DAYS, CASES, WORKERS, SHARE = "元 yuan", "天 days", "件 cases", "人 workers", "share 0–1"

CATALOG: dict[Subject, tuple[Feature, ...]] = {
    "company": (
        _f("subject_key", "VARCHAR", "", "主体标识", "USCC when known, else the entity id"),
        _f("entity_id", "VARCHAR", "", "主体编号", "entity id from entity resolution"),
        _f("name", "VARCHAR", "", "名称", "registry name, else the most frequent spelling"),
        _f("is_person", "BOOLEAN", "", "是否自然人", "a natural person (labour boss)"),
        _f("in_registry", "BOOLEAN", "", "是否在登记库", "listed in the company registry"),
        _f("reg_status", "VARCHAR", "", "登记状态", "存续/在业/注销/吊销 as registered"),
        _f("deregistered", "BOOLEAN", "", "是否已注销", "deregistered on or before the as-of date"),
        _f("dereg_date", "DATE", "", "注销日期", "date of deregistration (if deregistered)"),
        _f("dereg_reason", "VARCHAR", "", "注销原因", "简易注销/决议解散/破产 …"),
        _f("reg_capital", "DECIMAL", YUAN, "注册资本", "registered capital"),
        _f("founded", "DATE", "", "成立日期", "date founded"),
        _f(
            "active_projects",
            "BIGINT",
            "件 projects",
            "在建总包项目数",
            "projects under construction with this company as general contractor",
        ),
        _f(
            "active_contract_total",
            "DECIMAL",
            YUAN,
            "在建项目合同额合计",
            "contract prices of its projects under construction",
        ),
        _f(
            "deposits_held",
            "DECIMAL",
            YUAN,
            "在存保证金",
            "wage deposits held (made by the date and not refunded)",
        ),
        _f(
            "deposit_share_active",
            "DOUBLE",
            SHARE,
            "保证金覆盖比例",
            "deposits held / contract prices under construction (compare with the rate)",
        ),
        _f(
            "awards",
            "BIGINT",
            CASES,
            "劳动仲裁裁决/调解数",
            "awards and mediations in a worker's favour against this company",
        ),
        _f(
            "unpaid_awards",
            "BIGINT",
            CASES,
            "未履行裁决数",
            "awards not paid: no paid remark and no enforcement completed",
        ),
        _f("unpaid_award_total", "DECIMAL", YUAN, "未履行裁决金额", "sum of unpaid awards"),
        _f(
            "unpaid_workers",
            "BIGINT",
            WORKERS,
            "未获清偿劳动者人数",
            "distinct workers with an unpaid award",
        ),
        _f(
            "unpaid_enforced_awards",
            "BIGINT",
            CASES,
            "执行未到位裁决数",
            "awards whose enforcement was filed and not completed (执行完毕/和解)",
        ),
        _f(
            "unpaid_enforced_total",
            "DECIMAL",
            YUAN,
            "执行未到位金额",
            "sum of awards whose enforcement was not completed",
        ),
        _f(
            "unpaid_enforced_workers",
            "BIGINT",
            WORKERS,
            "执行未到位劳动者人数",
            "distinct workers whose enforcement was not completed",
        ),
        _f(
            "awards_before_dereg_unpaid",
            "BIGINT",
            CASES,
            "注销前未履行裁决数",
            "awards effective before deregistration and not paid by then",
        ),
        _f(
            "zb_cases",
            "BIGINT",
            CASES,
            "终本案件数",
            "enforcement cases closed as 终结本次执行程序 (no assets found)",
        ),
        _f(
            "zb_unpaid_total",
            "DECIMAL",
            YUAN,
            "终本未履行金额",
            "amount left unpaid in cases closed as 终本",
        ),
        _f("last_zb_date", "DATE", "", "最近终本日期", "latest 终本 closing date"),
        _f("days_since_last_zb", "BIGINT", DAYS, "距最近终本天数", "as-of date minus last_zb_date"),
        _f(
            "projects_active_at_zb",
            "BIGINT",
            "件 projects",
            "终本时在建项目数",
            "projects (as general contractor) under construction when the last 终本 closed",
        ),
        _f(
            "projects_won_after_zb",
            "BIGINT",
            "件 projects",
            "终本后新中标项目数",
            "projects permitted after the last 终本 closed",
        ),
        _f(
            "cheap_mediations",
            "BIGINT",
            CASES,
            "低比例调解数",
            "mediations settled at under half the amount claimed",
        ),
        _f("iou_awards", "BIGINT", CASES, "仅凭欠条案件数", "awards whose remark says only an IOU"),
    ),
    "project": (
        _f("subject_key", "VARCHAR", "", "项目编号", "project number"),
        _f("project_name", "VARCHAR", "", "项目名称", "project name"),
        _f("permit_no", "VARCHAR", "", "施工许可证编号", "construction permit number"),
        _f("contractor_id", "VARCHAR", "", "总承包单位", "general contractor's entity id"),
        _f("contractor_name", "VARCHAR", "", "总承包单位名称", "general contractor as typed"),
        _f("district", "VARCHAR", "", "所在区县", "district"),
        _f("contract_amount", "DECIMAL", YUAN, "合同金额", "construction contract price"),
        _f("permit_date", "DATE", "", "发证日期", "permit date"),
        _f(
            "completion_date",
            "DATE",
            "",
            "竣工验收日期",
            "completion (null when not completed by the as-of date)",
        ),
        _f(
            "under_construction",
            "BOOLEAN",
            "",
            "是否在建",
            "permitted and not completed as of the date",
        ),
        _f("days_since_permit", "BIGINT", DAYS, "发证天数", "as-of date minus permit date"),
        _f(
            "contractor_projects_in_district",
            "BIGINT",
            "件 projects",
            "同区在建项目数",
            "the contractor's projects under construction in the same district",
        ),
        _f("deposits", "BIGINT", "笔 deposits", "保证金笔数", "deposits made by the as-of date"),
        _f("deposit_required", "DECIMAL", YUAN, "应存金额", "largest amount required"),
        _f("deposit_actual", "DECIMAL", YUAN, "实存金额", "sum deposited"),
        _f("deposit_share", "DOUBLE", SHARE, "实存比例", "sum deposited / contract price"),
        _f(
            "guarantees",
            "BIGINT",
            "笔 deposits",
            "保函笔数",
            "deposits held as a guarantee (bank, insurance, guarantor)",
        ),
        _f(
            "guarantee_open_ended",
            "BOOLEAN",
            "",
            "保函在有效期内",
            "a guarantee valid beyond the as-of date (or with no end date)",
        ),
        _f("guarantee_valid_until", "DATE", "", "保函最晚到期日", "latest guarantee end date"),
        _f("refund_date", "DATE", "", "返还日期", "first refund by the as-of date"),
        _f("notice_days", "BIGINT", DAYS, "公示天数", "length of the refund's public notice"),
        _f(
            "claims_pending_at_refund",
            "BIGINT",
            CASES,
            "返还时未结仲裁数",
            "wage cases against the contractor on this site open when the deposit was refunded",
        ),
    ),
    "award": (
        _f("subject_key", "VARCHAR", "", "仲裁案号", "arbitration case number"),
        _f("applicant_hash", "VARCHAR", "", "申请人标识", "keyed hash of the worker's ID number"),
        _f("respondent_id", "VARCHAR", "", "被申请人", "employer's entity id"),
        _f("respondent_name", "VARCHAR", "", "被申请人名称", "employer as typed"),
        _f(
            "respondent_is_person",
            "BOOLEAN",
            "",
            "被申请人为自然人",
            "employer is a natural person",
        ),
        _f(
            "respondent_capital",
            "DECIMAL",
            YUAN,
            "被申请人注册资本",
            "employer's registered capital",
        ),
        _f("cause", "VARCHAR", "", "案由", "cause of action"),
        _f("wage_claim", "BOOLEAN", "", "是否追索劳动报酬", "a claim for unpaid wages"),
        _f("claim_amount", "DECIMAL", YUAN, "请求金额", "amount claimed"),
        _f("award_amount", "DECIMAL", YUAN, "裁决/调解金额", "amount awarded or agreed"),
        _f("close_method", "VARCHAR", "", "结案方式", "裁决/调解/撤诉/驳回 as of the date"),
        _f(
            "in_workers_favour",
            "BOOLEAN",
            "",
            "是否支持劳动者",
            "closed by award or mediation with an amount",
        ),
        _f("effective_date", "DATE", "", "生效日期", "date the award took effect"),
        _f(
            "days_to_deadline",
            "BIGINT",
            DAYS,
            "距申请执行期限天数",
            "days left of the two years to apply for enforcement",
        ),
        _f("remark", "VARCHAR", "", "备注", "remark as typed"),
        _f("paid_remark", "BOOLEAN", "", "备注显示已履行", "the remark says the money was paid"),
        _f("iou_only", "BOOLEAN", "", "仅有欠条", "the remark says the only evidence is an IOU"),
        _f(
            "contractor_advanced", "BOOLEAN", "", "总包已垫付", "the remark says the GC advanced it"
        ),
        _f(
            "enforcements",
            "BIGINT",
            CASES,
            "执行案件数",
            "enforcement cases on this award by the date (by case number or same parties)",
        ),
        _f("enforcement_completed", "BOOLEAN", "", "执行完毕", "an enforcement closed as paid"),
        _f("zb_enforcements", "BIGINT", CASES, "终本执行数", "enforcements closed as 终本"),
        _f("project_no", "VARCHAR", "", "涉及项目编号", "the project the site text names"),
        _f(
            "general_contractor_id",
            "VARCHAR",
            "",
            "总承包单位",
            "that project's general contractor",
        ),
    ),
}


def columns(subject: Subject) -> dict[str, Feature]:
    return {feature.name: feature for feature in CATALOG[subject]}
