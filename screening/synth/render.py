"""Write the world down the way each agency does: its headers, formats and mistakes.

Each ``*_table(s)`` function returns :class:`Table` objects: the header, the rows as the
agency exported them, and for every row the company/person mentions it contains (for the
ground truth). :func:`add_noise` then inserts exact duplicates and a few malformed rows
(corrupted copies of real rows, so no planted fact is lost) and numbers the rows as a
person sees them in Excel or a text editor.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from operator import attrgetter
from typing import NamedTuple, TypeVar

from screening.synth import names
from screening.synth.model import (
    Arbitration,
    Company,
    Enforcement,
    Party,
    Person,
    World,
    sorted_by,
)

Cell = str | int | float | date | None


class Mention(NamedTuple):
    """Who a name cell really names. A tuple: millions are made, and sent to the writer."""

    column: str
    typed: str
    entity_kind: str  # company | person
    entity_key: str  # USCC of the true company, or P + person uid
    variant: str


@dataclass
class Table:
    source: str  # registry | projects | deposits | arbitration | enforcement
    path: str  # relative to the extracts folder
    headers: list[str]
    rows: list[list[Cell]]
    mentions: list[list[Mention]]
    title: str | None = None  # a title line above the header, as some agencies export
    encoding: str = "utf-8"
    date_cells: bool = False  # xlsx: dates as real Excel date cells
    duplicates: list[tuple[int, int]] = field(default_factory=list)  # (row, duplicate of row)
    malformed: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, defect)
    # The true case behind each row (cases only), for dialects that write more about it.
    records: list[Arbitration | Enforcement] = field(default_factory=list)
    sheet: str | None = None  # xlsx sheet name; default: from the file name

    @property
    def first_data_row(self) -> int:
        """The 1-based row (line) number of the first data row."""
        return 3 if self.title else 2


# ----- cell formats ---------------------------------------------------------------------


def date_text(rng: random.Random, day: date | None, weights: tuple[int, int, int]) -> Cell:
    """A date as clerks write it: ISO, 2024/5/1 or 2024年5月1日 (by ``weights``)."""
    if day is None:
        return ""
    roll = rng.random() * sum(weights)  # rng.choices, minus its overhead on hot paths
    texts = _DATE_TEXTS.get(day) or _date_texts(day)
    if roll < weights[0]:
        return texts[0]
    if roll < weights[0] + weights[1]:
        return texts[1]
    return texts[2]


# Each day's three texts, made once: millions of cells fall on a few thousand days, and
# one string per text is also one string in memory and in the writer's pickles.
_DATE_TEXTS: dict[date, tuple[str, str, str]] = {}


def _date_texts(day: date) -> tuple[str, str, str]:
    texts = _DATE_TEXTS[day] = (
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
    )
    return texts


def yuan_text(rng: random.Random, fen: int | None, *, wan_share: float = 0.0) -> str:
    """Yuan with or without thousands separators; sometimes written in 万."""
    if fen is None:
        return ""
    if wan_share and rng.random() < wan_share and fen % 100 == 0:
        return f"{_trim(fen / 1_000_000)}万"
    return _yuan(fen, rng.random() < 0.6)


def _yuan(fen: int, separated: bool) -> str:
    """Yuan with thousands separators and cents, or plain (cents only when there are)."""
    yuan, cents = divmod(fen, 100)
    if cents == 0:  # most amounts are whole yuan; one format spec less is a third faster
        return f"{yuan:,}.00" if separated else f"{yuan}"
    return f"{yuan:,}.{cents:02d}" if separated else f"{yuan}.{cents:02d}"


def wan_text(rng: random.Random, fen: int) -> str:
    """An amount in 万元 (the unit is in the header), with separators at random."""
    wan = fen / 1_000_000
    return f"{wan:,.2f}" if rng.random() < 0.3 else _trim(wan)


def _trim(number: float) -> str:
    return f"{number:.4f}".rstrip("0").rstrip(".")


# ----- mentions -------------------------------------------------------------------------


def company_mention(
    rng: random.Random, column: str, company: Company, exact_share: float
) -> tuple[str, Mention]:
    typed, variant = names.clerk_variant(rng, company.name, company.region, exact_share)
    if rng.random() < STRAY_WHITESPACE:  # names.stray_whitespace, its first draw inlined
        typed = names.padded(rng, typed)
    return typed, _new_mention(Mention, (column, typed, "company", company.uscc, variant))


def party_mention(
    rng: random.Random, column: str, party: Party, exact_share: float
) -> tuple[str, Mention]:
    if isinstance(party, Company):
        return company_mention(rng, column, party, exact_share)
    typed = party.name
    if rng.random() < STRAY_WHITESPACE:
        typed = names.padded(rng, typed)
    return typed, _new_mention(Mention, (column, typed, "person", f"P{party.uid:07d}", "person"))


STRAY_WHITESPACE = 0.03  # share of name cells a clerk pasted with stray spaces
# Mention(...) without the Python-level __new__ of a NamedTuple: millions are made.
_new_mention = tuple.__new__


def uscc_as_typed(rng: random.Random, company: Company, present: float, mistyped: float) -> str:
    """The USCC cell: present, missing, or mistyped (never silently valid-but-wrong)."""
    if rng.random() >= present:
        return ""
    if rng.random() >= mistyped:
        return company.uscc
    code = list(company.uscc)
    kind = rng.randrange(4)
    if kind == 0:  # two neighbours swapped
        i = rng.randrange(8, 16)
        if code[i] != code[i + 1]:
            code[i], code[i + 1] = code[i + 1], code[i]
            return "".join(code)
    if kind == 1:  # one character dropped
        del code[rng.randrange(18)]
        return "".join(code)
    if kind == 2 and "0" in code:  # letter O for zero
        return "".join(code).replace("0", "O", 1)
    i = rng.randrange(2, 17)  # one character changed
    code[i] = "0123456789"[(int(code[i], 36) + 1) % 10]
    return "".join(code)


# ----- sources --------------------------------------------------------------------------

REGISTRY_HEADERS = [
    "企业名称",
    "统一社会信用代码",
    "法定代表人",
    "企业类型",
    "登记状态",
    "注销/吊销日期",
    "注销原因",
    "注册资本(万元)",
    "实缴资本(万元)",
    "成立日期",
    "住所",
]


def registry_table(world: World, rng: random.Random) -> Table:
    table = Table(
        "registry", "registry/企业登记信息.xlsx", REGISTRY_HEADERS, [], [], date_cells=True
    )
    for company in sorted(world.companies, key=lambda c: c.uscc):
        status_date = (
            company.status_date
            if company.status_date and company.status_date <= world.extract_date
            else None
        )
        status = company.status if status_date else "存续"
        typed = names.stray_whitespace(rng, company.name, 0.01)
        table.rows.append(
            [
                typed,
                company.uscc,
                company.legal_rep.name,
                "分公司"
                if company.parent
                else ("股份有限公司" if "股份" in company.name else "有限责任公司"),
                {
                    "存续": rng.choice(("存续", "存续", "在业")),
                    "注销": "注销",
                    "吊销": "吊销，未注销",
                }[status],
                _excel_or_text(rng, status_date),
                company.dereg_reason if status == "注销" else "",
                company.reg_capital_wan,
                company.paid_capital_wan,
                _excel_or_text(rng, company.founded),
                company.address,
            ]
        )
        table.mentions.append([Mention("企业名称", typed, "company", company.uscc, "registry")])
    return table


def _excel_or_text(rng: random.Random, day: date | None) -> Cell:
    """Registry dates: mostly real Excel date cells, some typed as text."""
    if day is None:
        return None
    return day if rng.random() < 0.65 else date_text(rng, day, (60, 0, 40))


PROJECT_HEADERS = [
    "项目编号",
    "项目名称",
    "施工许可证编号",
    "建设单位",
    "建设单位统一社会信用代码",
    "施工总承包单位",
    "施工总承包单位统一社会信用代码",
    "合同金额(万元)",
    "发证日期",
    "开工日期",
    "竣工验收日期",
    "项目状态",
    "所在区县",
]


def projects_table(world: World, rng: random.Random) -> Table:
    table = Table("projects", "projects/施工项目信息.csv", PROJECT_HEADERS, [], [], encoding="gbk")
    weights = (20, 70, 10)
    for project in sorted(world.projects, key=lambda p: p.project_no):
        if project.permit_date > world.extract_date:
            continue
        client, client_mention = company_mention(rng, "建设单位", project.client, 0.75)
        builder, builder_mention = company_mention(rng, "施工总承包单位", project.contractor, 0.75)
        completed = (
            project.completed
            if project.completed and project.completed <= world.extract_date
            else None
        )
        started = project.start_date if project.start_date <= world.extract_date else None
        table.rows.append(
            [
                project.project_no,
                project.name,
                project.permit_no,
                client,
                uscc_as_typed(rng, project.client, 0.9, 0.03),
                builder,
                uscc_as_typed(rng, project.contractor, 0.9, 0.03),
                wan_text(rng, project.contract_fen),
                date_text(rng, project.permit_date, weights),
                date_text(rng, started, weights),
                date_text(rng, completed, weights),
                "竣工" if completed else ("在建" if started else "未开工"),
                _district_name(project.district_code, project.district_short),
            ]
        )
        table.mentions.append([client_mention, builder_mention])
    return table


def _district_name(code: str, short: str) -> str:
    from screening.gazetteer import load_gazetteer

    place = load_gazetteer().by_code(code)
    return place.name if place else short


DEPOSIT_HEADERS = [
    "项目名称",
    "施工许可证编号",
    "总承包单位",
    "总承包单位统一社会信用代码",
    "施工合同额(元)",
    "存储比例",
    "应存金额(元)",
    "实存金额(元)",
    "存储方式",
    "保函有效期至",
    "存储日期",
    "动用金额(元)",
    "动用日期",
    "返还申请日期",
    "公示开始日期",
    "公示结束日期",
    "返还日期",
    "备注",
]


def deposits_table(world: World, rng: random.Random) -> Table:
    table = Table("deposits", "deposits/农民工工资保证金.csv", DEPOSIT_HEADERS, [], [])
    weights = (75, 20, 5)

    def seen(day: date | None) -> Cell:
        return date_text(rng, day if day and day <= world.extract_date else None, weights)

    for deposit in sorted_by(world.deposits, "deposit_date", "uid"):
        if deposit.deposit_date > world.extract_date:
            continue
        project = deposit.project
        contractor, mention = company_mention(rng, "总承包单位", deposit.contractor, 0.8)
        table.rows.append(
            [
                project.name
                if rng.random() < 0.7
                else project.short_name + rng.choice(("项目", "工程", "")),
                project.permit_no if deposit.show_permit_no else "",
                contractor,
                uscc_as_typed(rng, deposit.contractor, 0.85, 0.03),
                yuan_text(rng, deposit.contract_fen, wan_share=0.1),
                _rate_text(rng, deposit.rate_permille),
                yuan_text(rng, deposit.required_fen),
                yuan_text(rng, deposit.actual_fen),
                deposit.method,
                seen(deposit.valid_until),
                seen(deposit.deposit_date),
                yuan_text(rng, deposit.used_fen) if deposit.used_fen else "",
                seen(deposit.used_date),
                seen(deposit.refund_applied),
                seen(deposit.notice_start),
                seen(deposit.notice_end),
                seen(deposit.refunded),
                deposit.remark,
            ]
        )
        table.mentions.append([mention])
    return table


def _rate_text(rng: random.Random, permille: int) -> str:
    percent = _trim(permille / 10)
    return rng.choice((f"{percent}%", f"{percent}%", f"{permille / 1000:.3f}".rstrip("0")))


ARBITRATION_HEADERS = [
    "案号",
    "申请人",
    "申请人身份证号码",
    "申请人联系电话",
    "被申请人",
    "被申请人统一社会信用代码",
    "涉及项目",
    "案由",
    "请求金额(元)",
    "裁决/调解金额(元)",
    "立案日期",
    "结案日期",
    "结案方式",
    "是否终局裁决",
    "生效日期",
    "备注",
]


def arbitration_tables(world: World, rng: random.Random) -> Iterator[Table]:
    """One workbook per filing year, as committees export their yearly ledgers."""
    for year, cases in _by_year(world.arbitrations, world.extract_date):
        table = Table(
            "arbitration",
            f"arbitration/劳动争议仲裁案件_{year}.xlsx",
            ARBITRATION_HEADERS,
            [],
            [],
            title=f"{year}年劳动人事争议仲裁案件台账",
            date_cells=True,
        )
        for case in cases:
            table.rows.append(_arbitration_row(world, rng, case, table))
            table.records.append(case)
        yield table


def _arbitration_row(
    world: World, rng: random.Random, case: Arbitration, table: Table
) -> list[Cell]:
    closed = case.closed if case.closed and case.closed <= world.extract_date else None
    effective = (
        case.effective
        if closed and case.effective and case.effective <= world.extract_date
        else None
    )
    respondent, mention = party_mention(rng, "被申请人", case.respondent, 0.4)
    table.mentions.append([mention])
    uscc = (
        uscc_as_typed(rng, case.respondent, 0.1, 0.1)
        if isinstance(case.respondent, Company)
        else ""
    )

    def day(value: date | None) -> Cell:
        if value is None:
            return None
        return value if rng.random() < 0.7 else date_text(rng, value, (50, 30, 20))

    def amount(fen: int) -> Cell:
        return fen / 100 if rng.random() < 0.8 else yuan_text(rng, fen)

    return [
        case.case_no,
        case.applicant.name,
        case.applicant.id_number,
        case.applicant.phone if rng.random() < 0.8 else "",
        respondent,
        uscc,
        case.site_text,
        case.cause,
        amount(case.claim_fen),
        amount(case.award_fen) if closed and case.award_fen else None,
        day(case.filed),
        day(closed),
        case.method if closed else "",
        ("是" if case.final else "否") if closed and case.method == "裁决" else "",
        day(effective),
        case.remark if closed else "",
    ]


ENFORCEMENT_HEADERS = [
    "执行案号",
    "执行法院",
    "申请执行人",
    "申请执行人证件号码",
    "被执行人",
    "被执行人证照号码",
    "执行依据",
    "案由",
    "立案日期",
    "结案日期",
    "结案方式",
    "申请执行标的(元)",
    "实际执行到位金额(元)",
    "未履行金额(元)",
    "失信被执行人",
    "备注",
]


def enforcement_tables(world: World, rng: random.Random) -> Iterator[Table]:
    """One GBK CSV per filing year, as the court's case system exports them."""
    for year, cases in _by_year(world.enforcements, world.extract_date):
        table = Table(
            "enforcement",
            f"enforcement/执行案件_{year}.csv",
            ENFORCEMENT_HEADERS,
            [],
            [],
            encoding="gbk",
        )
        for case in cases:
            table.rows.append(_enforcement_row(world, rng, case, table))
            table.records.append(case)
        yield table


def _enforcement_row(
    world: World, rng: random.Random, case: Enforcement, table: Table
) -> list[Cell]:
    """One court docket row. Three million at province, so :func:`date_text` (weights 70,
    0, 30) and :func:`yuan_text` are inlined: the same draws in the same order."""
    draw = rng.random
    closed = case.closed if case.closed and case.closed <= world.extract_date else None
    applicant, respondent = case.applicant, case.respondent
    if isinstance(applicant, str):
        applicant_text = applicant
        respondent_text, respondent_mention = party_mention(rng, "被执行人", respondent, 0.65)
        table.mentions.append([respondent_mention])
    else:
        applicant_text, applicant_mention = party_mention(rng, "申请执行人", applicant, 0.8)
        respondent_text, respondent_mention = party_mention(rng, "被执行人", respondent, 0.65)
        table.mentions.append([applicant_mention, respondent_mention])
    respondent_code = (
        uscc_as_typed(rng, respondent, 0.6, 0.03)
        if isinstance(respondent, Company)
        else (respondent.id_number if draw() < 0.7 else "")
    )
    basis = case_number_as_typed(rng, case.basis.case_no if case.basis else case.basis_text)
    filed_texts = _DATE_TEXTS.get(case.filed) or _date_texts(case.filed)
    filed = filed_texts[0] if draw() * 100 < 70 else filed_texts[2]
    closed_text = executed_text = unpaid_text = dishonest = ""
    if closed is not None:
        closed_texts = _DATE_TEXTS.get(closed) or _date_texts(closed)
        closed_text = closed_texts[0] if draw() * 100 < 70 else closed_texts[2]
    target_text = _yuan(case.target_fen, draw() < 0.6)
    if closed is not None:
        executed_text = _yuan(case.executed_fen, draw() < 0.6)
        unpaid_text = _yuan(case.target_fen - case.executed_fen, draw() < 0.6)
        dishonest = "是" if case.dishonest else "否"
    return [
        case.case_no,
        case.court_name,
        applicant_text,
        applicant.id_number if isinstance(applicant, Person) else "",
        respondent_text,
        respondent_code,
        basis,
        case.cause,
        filed,
        closed_text,
        case.method if closed else "",
        target_text,
        executed_text,
        unpaid_text,
        dishonest,
        case.remark if closed else "",
    ]


def case_number_as_typed(rng: random.Random, case_no: str) -> str:
    """Case numbers re-typed with other brackets and spacing: 〔2024〕 [2024] （2024） (2024)."""
    if rng.random() < 0.45:
        return case_no
    opening, closing = rng.choice(
        (("[", "]"), ("（", "）"), ("(", ")"), ("〔", "〕"), ("【", "】"))
    )
    typed = case_no
    for a, b in (("〔", "〕"), ("（", "）")):
        typed = typed.replace(a, opening).replace(b, closing)
    if rng.random() < 0.2:
        typed = typed.replace("第", "", 1) if "第" in typed else typed
    if rng.random() < 0.15:
        typed = typed.replace(opening, " " + opening, 1)
    return typed


CaseT = TypeVar("CaseT", Arbitration, Enforcement)


def _by_year(cases: list[CaseT], extract: date) -> Iterator[tuple[int, list[CaseT]]]:
    """Cases filed by the extract date, grouped by filing year, in case-number order.

    Sorted by filing day, then each day's cases by case number: the order of the key
    (filed, case_no), which is unique, with a few hundred strings compared at a time
    instead of a province's three million at once."""
    by_year: dict[int, list[CaseT]] = {}
    for filed, same_day in groupby(sorted_by(cases, "filed"), key=attrgetter("filed")):
        if filed <= extract:
            by_year.setdefault(filed.year, []).extend(sorted(same_day, key=_CASE_NO))
    yield from sorted(by_year.items())


_CASE_NO = attrgetter("case_no")


# ----- noise ----------------------------------------------------------------------------

MALFORMED_KINDS = ("bad_date", "negative_amount", "blank_name", "text_in_number")
BAD_DATES = ("2024-13-45", "二〇二三年", "N/A", "2023/02/30", "00000000")
TEXT_NUMBERS = ("待定", "约五万", "见附件", "不详")


def add_noise(
    table: Table,
    rng: random.Random,
    date_columns: list[str],
    amount_columns: list[str],
    name_column: str,
) -> None:
    """Insert ~1 % exact duplicates and a few malformed rows; record both for the truth."""
    rows, mentions = table.rows, table.mentions
    if not rows:
        return
    positions = range(len(rows))  # sample() draws the same from a range as from its list
    malformed_count = min(30, len(MALFORMED_KINDS) + len(rows) // 20_000)  # every kind, every file
    duplicate_count = max(1, len(rows) // 100)
    extra: dict[int, list[tuple[list[Cell], list[Mention], str | None, str | None]]] = {}
    for index in rng.sample(positions, min(duplicate_count, len(rows))):
        extra.setdefault(index, []).append((list(rows[index]), mentions[index], None, None))
    candidates = {
        "bad_date": date_columns,
        "negative_amount": amount_columns,
        "text_in_number": amount_columns,
        "blank_name": [name_column],
    }
    for number, index in enumerate(rng.sample(positions, min(malformed_count, len(rows)))):
        kind = MALFORMED_KINDS[number % len(MALFORMED_KINDS)]  # every defect kind in every file
        row = list(rows[index])
        header = rng.choice(candidates[kind])
        at = table.headers.index(header)
        row[at] = {
            "bad_date": rng.choice(BAD_DATES),
            "negative_amount": "-" + str(row[at] or "1,000.00").lstrip("-"),
            "text_in_number": rng.choice(TEXT_NUMBERS),
            "blank_name": "",
        }[kind]
        kept = [m for m in mentions[index] if not (kind == "blank_name" and m.column == header)]
        extra.setdefault(index, []).append((row, kept, kind, header))
    # The rows between the few copies are moved a slice at a time (a province table has
    # hundreds of thousands of rows and a few thousand copies).
    new_rows: list[list[Cell]] = []
    new_mentions: list[list[Mention]] = []
    first, copied = table.first_data_row, 0
    for index in sorted(extra):
        new_rows += rows[copied : index + 1]
        new_mentions += mentions[copied : index + 1]
        copied = index + 1
        original_number = first + len(new_rows) - 1
        for copy, copy_mentions, defect, column in extra[index]:
            number = first + len(new_rows)
            new_rows.append(copy)
            new_mentions.append(copy_mentions)
            if defect is None:
                table.duplicates.append((number, original_number))
            else:
                assert column is not None
                table.malformed.append((number, column, defect))
    new_rows += rows[copied:]
    new_mentions += mentions[copied:]
    table.rows, table.mentions = new_rows, new_mentions
