"""The true state of the synthetic world, before any agency writes it down.

These records hold the facts (who really is who, what really happened when). The
renderers in :mod:`screening.synth.render` turn them into the messy rows each agency
delivers; the ground truth is written from these records, never from the rows.
Money is in fen (int) so no float ever touches an amount.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from typing import TypeVar

RecordT = TypeVar("RecordT")


@dataclass(slots=True, eq=False)
class Person:
    uid: int
    name: str
    id_number: str
    phone_number: int  # an int costs half the string: a province has millions of people

    @property
    def phone(self) -> str:
        return str(self.phone_number)


@dataclass(slots=True, eq=False)
class Company:
    uid: int
    uscc: str
    name: str
    trade: str
    kind: str  # developer | contractor | labour | specialist | other
    region: tuple[tuple[str, str], ...]  # (full, short) of each region level in the name
    city_code: str
    district_code: str
    legal_rep: Person
    founded: date
    reg_capital_wan: int
    paid_capital_wan: int
    address: str
    status: str = "存续"
    status_date: date | None = None  # 注销 / 吊销 date
    dereg_reason: str = ""
    fail_date: date | None = None  # stopped paying its debts (hidden; background 终本 only after)
    parent: Company | None = None  # set for branches (分公司)
    has_claims: bool = False  # some arbitration case names it as employer


Party = Company | Person


@dataclass(slots=True, eq=False)
class Project:
    uid: int
    project_no: str
    name: str
    short_name: str
    permit_no: str
    district_code: str
    district_short: str
    client: Company
    contractor: Company
    contract_fen: int
    permit_date: date
    start_date: date
    planned_completion: date
    completed: date | None  # actual completion acceptance; None while under construction
    suspended: bool = False


@dataclass(slots=True, eq=False)
class Deposit:
    uid: int
    project: Project
    contractor: Company
    contract_fen: int
    rate_permille: int  # 20 = 2 %
    required_fen: int
    actual_fen: int
    method: str  # 现金 | 银行保函 | 保证保险 | 担保公司保函
    deposit_date: date
    valid_until: date | None = None  # guarantees only
    used_fen: int = 0
    used_date: date | None = None
    refund_applied: date | None = None
    notice_start: date | None = None
    notice_end: date | None = None
    refunded: date | None = None
    remark: str = ""
    show_permit_no: bool = True


@dataclass(slots=True, eq=False)
class Arbitration:
    uid: int
    committee_prefix: str
    committee_district: str
    applicant: Person
    respondent: Party
    project: Project | None
    site_text: str
    cause: str
    claim_fen: int
    award_fen: int
    filed: date
    closed: date | None
    method: str  # 裁决 | 调解 | 撤诉 | 驳回 | "" (pending)
    final: bool
    effective: date | None
    remark: str = ""
    case_no: str = ""  # assigned once all cases exist, in filing order

    @property
    def in_worker_favour(self) -> bool:
        return self.method in ("裁决", "调解") and self.award_fen > 0


@dataclass(slots=True, eq=False)
class Enforcement:
    uid: int
    court_code: str  # 粤0607
    court_name: str
    applicant: Party | str  # a bank or other institution is a plain name
    respondent: Party
    cause: str
    basis: Arbitration | None  # the award enforced, when it is one
    basis_text: str  # a judgment number when basis is None or a judgment replaced the award
    filed: date
    closed: date | None
    method: str  # 执行完毕 | 终结本次执行程序 | 终结执行 | 执行和解 | "" (pending)
    target_fen: int
    executed_fen: int
    dishonest: bool = False
    remark: str = ""
    case_no: str = ""
    # 执 (first enforcement), 执恢 (restored after 终本), 执异 (objection), 执保 (preservation)
    case_type: str = "执"


@dataclass(slots=True)
class TruthLead:
    """A planted lead, decoy (hard negative) or guard; the key is read once cases are numbered."""

    pattern: str
    subject: Company | Project | Arbitration
    outcome_type: str
    role: str  # lead | decoy | guard
    variant: str
    note: str = ""

    @property
    def subject_type(self) -> str:
        if isinstance(self.subject, Company):
            return "company"
        return "project" if isinstance(self.subject, Project) else "award"

    @property
    def subject_key(self) -> str:
        """USCC for a company, 项目编号 for a project, the canonical 案号 for an award."""
        if isinstance(self.subject, Company):
            return self.subject.uscc
        if isinstance(self.subject, Project):
            return self.subject.project_no
        return self.subject.case_no


@dataclass
class World:
    seed: int
    scale: str
    as_of: date
    extract_date: date
    companies: list[Company] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    deposits: list[Deposit] = field(default_factory=list)
    arbitrations: list[Arbitration] = field(default_factory=list)
    enforcements: list[Enforcement] = field(default_factory=list)
    truth: list[TruthLead] = field(default_factory=list)


def sorted_by(records: Iterable[RecordT], *attributes: str) -> list[RecordT]:
    """``records`` in the order ``sorted`` gives them with the key ``(a.x, a.y, …)``, sorted
    one attribute at a time (the last first; sorts are stable). Plain dates, ints and
    strings compare in C; tuples of them do not, and building a tuple per record costs
    too: a province's three million cases sort several times faster this way."""
    ordered = list(records)
    for attribute in reversed(attributes):
        ordered.sort(key=attrgetter(attribute))
    return ordered
