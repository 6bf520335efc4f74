"""The mostly compliant world the planted stories hide in.

Background behaviour is generated so that it never *accidentally* forms one of the
screening patterns: every award is paid, enforced or too recent to matter; every
project has its deposit; guarantees outlive construction; refunds follow completion and
a full notice; only companies that really went under see 终本 and they hold nothing.
That discipline is what lets the ground truth be exact.
"""

from __future__ import annotations

from datetime import date, timedelta

from screening.synth import vocab
from screening.synth.builder import WAN, YUAN, Builder
from screening.synth.model import Arbitration, Company, Deposit, Party, Project, TruthLead
from screening.synth.scales import Scale

# Three years to sue the general contractor once a claim is dismissed (民法典 第一百八十八条).
LIMITATION = timedelta(days=1095)

KIND_SHARES = {"developer": 6, "contractor": 12, "labour": 15, "specialist": 10, "other": 57}
FAILING_SHARE = 0.10
# A failing employer's unpaid awards stay below the criminal-referral thresholds.
FAILING_UNPAID_WORKERS = 6
FAILING_UNPAID_FEN = 90_000 * YUAN


class Background:
    """Generates and remembers the background population used by later stages."""

    def __init__(self, builder: Builder, scale: Scale) -> None:
        self.b = builder
        self.scale = scale
        self.by_kind: dict[str, list[Company]] = {kind: [] for kind in KIND_SHARES}
        self.bosses: list[Party] = []
        self.subcontractors: dict[int, list[Party]] = {}
        self._unpaid: dict[int, tuple[int, int]] = {}  # failing employer -> (workers, fen)

    # ----- population -------------------------------------------------------------------

    def populate(self) -> None:
        b = self.b
        total = sum(KIND_SHARES.values())
        for kind, share in KIND_SHARES.items():
            for _ in range(max(3, self.scale.companies * share // total)):
                company = b.company(kind, local=b.chance(0.85))
                if kind != "developer" and b.chance(FAILING_SHARE):
                    company.fail_date = b.day(
                        b.start + timedelta(days=365), b.world.as_of - timedelta(days=180)
                    )
                self.by_kind[kind].append(company)
        construction = (
            self.by_kind["contractor"] + self.by_kind["labour"] + self.by_kind["specialist"]
        )
        for company in construction[::30]:  # ~3 % share their trade name with a twin
            area = b.twin_area(company)
            if area is not None:  # in a crowded province a free district may not exist
                self.by_kind[company.kind].append(b.twin(company, area))
        for contractor in self.by_kind["contractor"][::40]:
            self.by_kind["contractor"].append(b.branch(contractor))
        self.bosses = [
            b.person(home_code=b.rng.choice(vocab.WORKER_HOME_CODES))
            for _ in range(max(3, self.scale.companies // 15))
        ]

    def solvent_contractor(self) -> Company:
        """A healthy general contractor not used by any planted story."""
        while True:
            company = self.b.rng.choice(self.by_kind["contractor"])
            if company.fail_date is None and company.uid not in self.b.reserved:
                return company

    def client(self) -> Company:
        return self.b.rng.choice(self.by_kind["developer"])

    # ----- projects and deposits --------------------------------------------------------

    def build_projects(self, count: int) -> None:
        b = self.b
        for _ in range(count):
            contractor = b.rng.choice(self.by_kind["contractor"])
            latest = b.world.extract_date - timedelta(days=10)
            if contractor.fail_date:
                latest = contractor.fail_date - timedelta(days=1100)
            if latest <= b.start:
                contractor = self.solvent_contractor()
                latest = b.world.extract_date - timedelta(days=10)
            permit = b.day(b.start - timedelta(days=700), latest)
            # Failing contractors finish everything before they fail (they hold nothing after).
            duration = (
                b.rng.randint(300, 900) if contractor.fail_date is None else b.rng.randint(300, 700)
            )
            project = b.project(
                contractor, self.client(), permit, _contract_fen(b), duration_days=duration
            )
            deposit = b.deposit(project)
            if project.completed:
                b.refund(deposit, project.completed, notice_days=b.rng.choice((30, 30, 30, 35, 45)))
            labour = self.by_kind["labour"]
            self.subcontractors[project.uid] = [
                b.rng.choice(labour) if b.chance(0.7) else b.rng.choice(self.bosses)
                for _ in range(b.rng.randint(1, 3))
            ]

    # ----- arbitration and enforcement --------------------------------------------------

    def build_arbitrations(self, target: int) -> None:
        b = self.b
        projects = [p for p in b.world.projects if p.uid not in b.reserved_projects]
        others = [c for c in self.by_kind["other"] if c.uid not in b.reserved]
        while len(b.world.arbitrations) < target:
            project: Project | None = None
            if b.chance(0.4) and projects:
                project = b.rng.choice(projects)
                end = (project.completed or b.world.extract_date) - timedelta(days=150)
                first = project.start_date + timedelta(days=20)
                if end <= first:
                    continue
                filed = b.day(first, end)
                employer: Party = (
                    b.rng.choice(self.subcontractors[project.uid])
                    if b.chance(0.7)
                    else project.contractor
                )
            else:
                employer = b.rng.choice(others)
                filed = b.day(b.start, b.world.extract_date)
            if isinstance(employer, Company) and (
                employer.uid in b.reserved or filed < employer.founded
            ):
                continue
            batch = b.rng.choices((1, b.rng.randint(2, 4), b.rng.randint(5, 8)), (65, 25, 10))[0]
            for _ in range(batch):
                self._one_case(employer, filed, project)

    def _one_case(self, employer: Party, filed: date, project: Project | None) -> None:
        b = self.b
        worker = b.person()
        claim = _wage_claim_fen(b)
        failing = (
            isinstance(employer, Company)
            and employer.fail_date is not None
            and (filed >= employer.fail_date - timedelta(days=60))
        )
        if failing and isinstance(employer, Company) and self._can_leave_unpaid(employer, claim):
            case = b.arbitration(
                worker,
                employer,
                filed,
                claim_fen=claim,
                method="裁决",
                award_fen=claim,
                project=project,
            )
            self._leave_unpaid(case)
            return
        method = b.rng.choices(("调解", "裁决", "撤诉", "驳回"), (40, 35, 18, 7))[0]
        share = b.rng.uniform(0.6, 1.0) if method == "调解" else b.rng.uniform(0.5, 1.0)
        days = b.rng.randint(5, 40) if method == "调解" else b.rng.randint(25, 90)
        cause = b.rng.choice(b.knobs.other_labour_causes) if b.chance(0.22) else None
        case = b.arbitration(
            worker,
            employer,
            filed,
            claim_fen=claim,
            method=method,
            award_fen=int(claim * share) // YUAN * YUAN,
            days_to_close=days,
            project=project,
            cause=cause,
        )
        if case.in_worker_favour:
            self._settle(case)
        elif self._dismissed_against_labour_boss(case, project):
            # A labour boss is no lawful employer: the claim is dismissed and the general
            # contractor answers for the wages (条例 第三十六条, 劳动合同法 第九十四条).
            b.world.truth.append(
                TruthLead(
                    "CHAIN-LIABILITY",
                    case,
                    "support_prosecution",
                    "lead",
                    "dismissed_no_employer",
                    "claim against a labour boss dismissed; the general contractor is liable",
                )
            )

    def _dismissed_against_labour_boss(self, case: Arbitration, project: Project | None) -> bool:
        return (
            project is not None
            and case.site_text != ""
            and not isinstance(case.respondent, Company)
            and case.method == "驳回"
            and case.cause in vocab.WAGE_CAUSES
            and case.closed is not None
            and self.b.world.as_of - LIMITATION <= case.closed <= self.b.world.as_of
        )

    def lawful_refunds(self) -> None:
        """Refund a background deposit only once every wage claim on its project filed by
        then is resolved — dismissed or withdrawn, paid, advanced or enforced to the end —
        as the law requires (保证金规定 第十五条: no arrears outstanding); a deposit whose
        claims are never resolved is not refunded. The planted early refunds stay the only
        unlawful ones. Uses no randomness, so the rest of the world is unchanged."""
        b = self.b
        enforced: dict[int, date] = {}
        for enforcement in b.world.enforcements:
            paid = enforcement.method in ("执行完毕", "执行和解")
            if paid and enforcement.basis is not None and enforcement.closed is not None:
                uid = enforcement.basis.uid
                enforced[uid] = min(enforced.get(uid, enforcement.closed), enforcement.closed)
        claims: dict[int, list[tuple[date, date]]] = {}  # project -> (filed, resolved)
        for case in b.world.arbitrations:
            if case.project is not None and case.cause in vocab.WAGE_CAUSES:
                claims.setdefault(case.project.uid, []).append(
                    (case.filed, _resolved(case, enforced))
                )
        for deposit in b.world.deposits:
            if deposit.project.uid not in b.reserved_projects:
                _refund_once_resolved(
                    deposit, claims.get(deposit.project.uid, []), b.world.extract_date
                )

    def _settle(self, case: Arbitration) -> None:
        """Pay or enforce an award, leaving only recent ones open (never a pattern)."""
        b = self.b
        assert case.effective is not None
        if case.effective > b.world.extract_date:
            return
        recent = case.effective >= b.world.as_of - timedelta(days=300)
        roll = b.rng.random()
        if roll < (0.4 if recent else 0.55):
            paid = (
                vocab.PAID_REMARKS[1:2] + vocab.PAID_REMARKS[3:4]
                if case.method == "调解"
                else vocab.PAID_REMARKS
            )
            case.remark = b.rng.choice(paid)
            return
        if recent and roll > 0.75:
            return  # the worker may still apply: its deadline is more than a year away
        filed = case.effective + timedelta(days=b.rng.randint(20, 150))
        if filed > b.world.extract_date:
            return
        settled = b.chance(0.85)
        b.enforcement(
            case.applicant,
            case.respondent,
            filed,
            target_fen=case.award_fen,
            method="执行完毕" if settled else "执行和解",
            executed_fen=case.award_fen
            if settled
            else int(case.award_fen * b.rng.uniform(0.7, 1.0)) // YUAN * YUAN,
            basis=case,
            remark="" if settled else "执行和解协议已履行",
        )

    def _can_leave_unpaid(self, employer: Company, claim: int) -> bool:
        workers, fen = self._unpaid.get(employer.uid, (0, 0))
        return workers < FAILING_UNPAID_WORKERS and fen + claim <= FAILING_UNPAID_FEN

    def _leave_unpaid(self, case: Arbitration) -> None:
        """A failing employer's award: enforced, and closed as 终本 because it holds nothing."""
        b = self.b
        employer = case.respondent
        assert isinstance(employer, Company) and case.effective is not None
        workers, fen = self._unpaid.get(employer.uid, (0, 0))
        self._unpaid[employer.uid] = (workers + 1, fen + case.award_fen)
        filed = case.effective + timedelta(days=b.rng.randint(20, 120))
        if filed <= b.world.extract_date:
            b.enforcement(
                case.applicant,
                employer,
                filed,
                target_fen=case.award_fen,
                method="终结本次执行程序",
                executed_fen=0,
                basis=case,
                days_to_close=b.rng.randint(60, 200),
            )

    def build_other_enforcements(self, target: int) -> None:
        """Civil enforcement that is not about wages: most of a court's docket."""
        b = self.b
        companies = [
            c
            for kind in ("contractor", "specialist", "other", "labour")
            for c in self.by_kind[kind]
            if c.uid not in b.reserved
        ]
        banks: list[Party | str] = [b.named_company(name) for name in b.knobs.banks]
        # Three million cases at province: the stream's methods and the builder's chance()
        # are looked up once, and each chance is the draw chance() makes.
        rng, enforcements, case_types = b.rng, b.world.enforcements, b.knobs.enforcement_case_types
        random, choice, person, enforcement = rng.random, rng.choice, b.person, b.enforcement
        first, last = b.start, b.world.extract_date
        while len(enforcements) < target:
            filed = b.day(first, last)
            target_fen = int(rng.lognormvariate(11.5, 1.2)) * YUAN
            respondent: Party
            if random() < 0.6:
                company = choice(companies)
                if filed < company.founded:
                    continue
                respondent = company
                failing = company.fail_date is not None and filed >= company.fail_date
            else:
                respondent = person(home_code=choice(vocab.WORKER_HOME_CODES))
                failing = random() < 0.4
            applicant: Party | str = (
                choice(banks)
                if random() < 0.4
                else choice(companies)
                if random() < 0.5
                else person()
            )
            if case_types and random() < 0.06:
                self._other_case_type(applicant, respondent, filed, target_fen)
                continue
            if failing:
                enforcement(
                    applicant,
                    respondent,
                    filed,
                    target_fen=target_fen,
                    method="终结本次执行程序",
                    executed_fen=0,
                )
                continue
            method = rng.choices(("执行完毕", "执行和解", "终结执行"), (80, 12, 8))[0]
            executed = (
                target_fen
                if method == "执行完毕"
                else int(target_fen * rng.uniform(0.3, 1.0)) // YUAN * YUAN
            )
            enforcement(
                applicant,
                respondent,
                filed,
                target_fen=target_fen,
                method=method,
                executed_fen=executed,
                remark="申请执行人撤回执行申请" if method == "终结执行" else "",
            )

    def _other_case_type(
        self, applicant: Party | str, respondent: Party, filed: date, target_fen: int
    ) -> None:
        """A preservation (执保) or objection (执异) case: in the docket, never a pattern."""
        b = self.b
        preservation = b.chance(0.6)
        case = b.enforcement(
            applicant,
            respondent,
            filed,
            target_fen=target_fen if preservation else 0,
            method=b.rng.choice(
                vocab.PRESERVATION_CLOSINGS if preservation else vocab.OBJECTION_CLOSINGS
            ),
            executed_fen=0,
            days_to_close=b.rng.randint(5, 60),
            cause="财产保全" if preservation else "执行异议",
            case_type="执保" if preservation else "执异",
        )
        if preservation:  # enforced on the court's preservation ruling (…民初…号之一)
            case.basis_text += "之一"

    # ----- registry status --------------------------------------------------------------

    def close_companies(self) -> None:
        """Deregister some idle companies; revoke the licences of some failed ones."""
        b = self.b
        busy = {p.contractor.uid for p in b.world.projects} | {
            p.client.uid for p in b.world.projects
        }
        busy |= {
            e.respondent.uid for e in b.world.enforcements if isinstance(e.respondent, Company)
        }
        busy |= {e.applicant.uid for e in b.world.enforcements if isinstance(e.applicant, Company)}
        for kind in ("other", "labour", "specialist"):
            for company in self.by_kind[kind]:
                if company.uid in b.reserved or company.has_claims or company.uid in busy:
                    continue
                if company.fail_date and b.chance(0.4):
                    revoked = company.fail_date + timedelta(days=b.rng.randint(365, 800))
                    if revoked <= b.world.extract_date:
                        company.status, company.status_date = "吊销", revoked
                elif company.fail_date is None and b.chance(0.06):
                    company.status = "注销"
                    company.status_date = b.day(max(company.founded, b.start), b.world.as_of)
                    company.dereg_reason = "简易注销" if b.chance(0.7) else "决议解散"


def _contract_fen(b: Builder) -> int:
    """Construction contract price: 3M to a few hundred million yuan, rounded to 100."""
    yuan = max(3_200_000, int(b.rng.lognormvariate(16.5, 1.0)))
    return yuan // 100 * 100 * YUAN


def _wage_claim_fen(b: Builder) -> int:
    yuan = min(120_000, max(1_500, int(b.rng.lognormvariate(9.6, 0.6))))
    return yuan // 10 * 10 * YUAN


__all__ = ["WAN", "Background"]


def _resolved(case: Arbitration, enforced: dict[int, date]) -> date:
    """When a wage claim stopped being arrears (date.max: never, as far as the world goes)."""
    if case.closed is None:
        return date.max
    if not case.in_worker_favour or case.remark in vocab.PAID_REMARKS + vocab.GC_ADVANCED_REMARKS:
        return case.closed
    return enforced.get(case.uid, date.max)


def _refund_once_resolved(
    deposit: Deposit, claims: list[tuple[date, date]], extract_date: date
) -> None:
    """Move the refund (application, notice and payment) to a week after the last claim
    filed before it is resolved; no refund when that is after the extract."""
    while deposit.refund_applied is not None and deposit.refunded is not None:
        applied, refunded = deposit.refund_applied, deposit.refunded
        open_until = max(
            (resolved for filed, resolved in claims if filed < refunded and resolved > applied),
            default=None,
        )
        if open_until is None:
            return
        if open_until > extract_date:  # date.max too: never resolved
            deposit.refund_applied = deposit.notice_start = None
            deposit.notice_end = deposit.refunded = None
            return
        shift = open_until + timedelta(days=7) - applied
        deposit.refund_applied = applied + shift
        deposit.refunded = refunded + shift
        if deposit.notice_start is not None and deposit.notice_end is not None:
            deposit.notice_start += shift
            deposit.notice_end += shift
