"""Planted stories: the leads a good engine must find and the decoys it must not flag.

Each ``plant_*`` function writes complete, self-consistent stories for one pattern of
DOMAIN.md (companies, projects, deposits, cases) on fresh companies the background never
touches, and records each subject in the truth with its role: ``lead`` (must be found),
``decoy`` (a hard negative that looks like the pattern but is not), or ``guard``
(FAKE-CLAIM: must not become a lead). Dates are relative to the world's as-of date.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import numpy as np

from screening.synth import vocab
from screening.synth.background import Background
from screening.synth.builder import WAN, YUAN, Area, Builder
from screening.synth.model import (
    Arbitration,
    Company,
    Enforcement,
    Party,
    Person,
    Project,
    TruthLead,
)

AWARD_DEADLINE_DAYS = 730  # apply for enforcement within 2 years (Civil Procedure Law)


class Planter:
    def __init__(self, builder: Builder, background: Background, per_pattern: int) -> None:
        self.b = builder
        self.bg = background
        self.n = per_pattern
        self.as_of = builder.world.as_of

    # ----- helpers ----------------------------------------------------------------------

    def days_before(self, low: int, high: int) -> date:
        return self.as_of - timedelta(days=self.b.rng.randint(low, high))

    def offset(self, base: date, low: int, high: int) -> Callable[[], date]:
        """A date drawer: ``base`` plus ``low``..``high`` days, drawn anew at each call."""
        return lambda: base + timedelta(days=self.b.rng.randint(low, high))

    def record(
        self,
        pattern: str,
        subject: Company | Project | Arbitration,
        outcome: str,
        role: str,
        variant: str,
        note: str = "",
    ) -> None:
        self.b.world.truth.append(TruthLead(pattern, subject, outcome, role, variant, note))

    def decoy_variants(self, variants: tuple[str, ...]) -> list[str]:
        """Spread about ``n`` decoys over the variants, at least one of each."""
        each = max(1, round(self.n / len(variants)))
        return [variant for variant in variants for _ in range(each)]

    def company(self, kind: str, **kwargs: object) -> Company:
        company = self.b.company(kind, **kwargs)  # type: ignore[arg-type]  # keyword pass-through
        self.b.reserved.add(company.uid)
        return company

    def twin(self, company: Company) -> Company:
        twin = self.b.twin(company)
        self.b.reserved.add(twin.uid)
        return twin

    def project(
        self,
        contractor: Company,
        permit: date,
        *,
        contract_wan: int | None = None,
        completes: bool = False,
        completion: date | None = None,
        area: Area | None = None,
    ) -> Project:
        b = self.b
        contract = (contract_wan or b.rng.randint(500, 20000)) * WAN
        project = b.project(
            contractor, self.bg.client(), permit, contract, completes=completes, area=area
        )
        if completion is not None:
            project.completed = project.planned_completion = completion
            project.start_date = min(project.start_date, completion - timedelta(days=200))
        b.reserved_projects.add(project.uid)
        return project

    def awards(
        self,
        employer: Party,
        count: int,
        effective: Callable[[], date],
        *,
        method: str = "裁决",
        claim: Callable[[], int] | None = None,
        project: Project | None = None,
        remark: str = "",
        cause: str | None = None,
    ) -> list[Arbitration]:
        """``count`` workers' awards against ``employer``, each effective on ``effective()``."""
        b = self.b
        cases = []
        for _ in range(count):
            amount = claim() if claim else b.rng.randint(800, 6000) * 10 * YUAN
            when = effective()
            days = b.rng.randint(5, 30) if method == "调解" else b.rng.randint(30, 80)
            closed = (
                when
                if method == "调解" or amount <= 12 * 2300 * YUAN
                else when - timedelta(days=16)
            )
            case = b.arbitration(
                b.person(),
                employer,
                closed - timedelta(days=days),
                claim_fen=amount,
                method=method,
                award_fen=amount,
                days_to_close=days,
                project=project,
                remark=remark,
                cause=cause,
            )
            cases.append(case)
        return cases

    def enforce(
        self,
        case: Arbitration,
        *,
        after_days: tuple[int, int] = (20, 120),
        method: str = "执行完毕",
        closed: date | None = None,
        remark: str = "",
    ) -> Enforcement:
        b = self.b
        assert case.effective is not None
        filed = case.effective + timedelta(days=b.rng.randint(*after_days))
        if closed is not None:  # keep filed inside (effective, closed)
            filed = max(case.effective + timedelta(days=5), min(filed, closed - timedelta(days=30)))
            closed = max(closed, filed + timedelta(days=20))
        executed = case.award_fen if method == "执行完毕" else 0
        enforcement = b.enforcement(
            case.applicant,
            case.respondent,
            filed,
            target_fen=case.award_fen,
            method=method,
            executed_fen=executed,
            basis=case,
            remark=remark,
        )
        if closed is not None:
            enforcement.closed = closed
        return enforcement

    def offset_yuan(self, low: int, high: int) -> Callable[[], int]:
        """An amount drawer: ``low``..``high`` yuan in tens, in fen, drawn anew at each call."""
        return lambda: self.b.rng.randint(low, high) // 10 * 10 * YUAN

    def non_wage_cause(self) -> str:
        """A labour cause that is not unpaid wages and carries money (经济补偿金 …)."""
        causes = [c for c in self.b.knobs.other_labour_causes if c not in vocab.NO_MONEY_CAUSES]
        return self.b.rng.choice(causes)

    # ----- deposits ---------------------------------------------------------------------

    def plant_deposit_missing(self) -> None:
        b, pattern, outcome = self.b, "DEP-MISSING", "administrative_supervision"
        for i in range(self.n):
            project = self.project(self.company("contractor"), self.days_before(60, 600))
            if i % 2 == 0:
                self.record(pattern, project, outcome, "lead", "no_deposit")
            else:
                b.deposit(project, actual_share=b.rng.uniform(0.1, 0.4))
                self.record(pattern, project, outcome, "lead", "under_deposit")
        for variant in self.decoy_variants(
            (
                "exempt_small_contract",
                "within_grace",
                "multi_project_reduced_rate",
                "deposit_without_permit_no",
                "permit_after_as_of",
            )
        ):
            contractor = self.company("contractor")
            if variant == "exempt_small_contract":
                project = self.project(
                    contractor, self.days_before(60, 600), contract_wan=b.rng.randint(100, 290)
                )
                self.record(
                    pattern,
                    project,
                    outcome,
                    "decoy",
                    variant,
                    "contract under ¥3M and no wage arrears: lawfully exempt",
                )
            elif variant == "within_grace":
                project = self.project(contractor, self.days_before(1, 15))
                b.deposit(
                    project,
                    deposit_date=project.permit_date + timedelta(days=b.rng.randint(20, 27)),
                )
                self.record(
                    pattern,
                    project,
                    outcome,
                    "decoy",
                    variant,
                    "permit issued within the 20-working-day grace period",
                )
            elif variant == "multi_project_reduced_rate":
                area = b.rng.choice([a for a in b.home_areas if a[1] is not None] or b.home_areas)
                for _ in range(3):
                    project = self.project(contractor, self.days_before(60, 500), area=area)
                    b.deposit(project, rate_permille=5)
                    self.record(
                        pattern,
                        project,
                        outcome,
                        "decoy",
                        variant,
                        "0.5 % is lawful for a contractor with several projects in one district",
                    )
            elif variant == "deposit_without_permit_no":
                project = self.project(contractor, self.days_before(60, 600))
                b.deposit(project).show_permit_no = False
                self.record(
                    pattern,
                    project,
                    outcome,
                    "decoy",
                    variant,
                    "deposit row lacks the permit number; link by name and contractor",
                )
            else:
                project = self.project(
                    contractor, self.as_of + timedelta(days=b.rng.randint(1, 20))
                )
                self.record(
                    pattern,
                    project,
                    outcome,
                    "decoy",
                    variant,
                    "permit issued after the as-of date",
                )

    def plant_guarantee_lapsed(self) -> None:
        b, pattern, outcome = self.b, "DEP-GUARANTEE-LAPSED", "administrative_supervision"
        for _ in range(self.n):
            project = self.project(self.company("contractor"), self.days_before(500, 900))
            b.deposit(project, method="银行保函").valid_until = self.days_before(30, 300)
            self.record(pattern, project, outcome, "lead", "expired_during_construction")
        for variant in self.decoy_variants(
            ("renewed", "expired_after_completion", "expires_after_as_of")
        ):
            contractor = self.company("contractor")
            if variant == "expired_after_completion":
                completion = self.days_before(400, 700)
                project = self.project(
                    contractor, completion - timedelta(days=600), completion=completion
                )
                deposit = b.deposit(project, method="银行保函")
                deposit.valid_until = completion + timedelta(days=b.rng.randint(30, 120))
            else:
                project = self.project(contractor, self.days_before(500, 900))
                deposit = b.deposit(project, method="银行保函")
                if variant == "renewed":
                    deposit.valid_until = self.days_before(30, 300)
                    renewal = b.deposit(
                        project,
                        method="银行保函",
                        deposit_date=deposit.valid_until - timedelta(days=10),
                    )
                    renewal.remark = b.rng.choice(vocab.RENEWAL_REMARKS)
                else:
                    deposit.valid_until = self.as_of + timedelta(days=b.rng.randint(10, 200))
            self.record(pattern, project, outcome, "decoy", variant)

    def plant_early_refund(self) -> None:
        b, pattern, outcome = self.b, "DEP-EARLY-REFUND", "administrative_supervision"
        for i in range(self.n):
            contractor = self.company("contractor")
            variant = ("refund_before_completion", "short_notice", "pending_claims")[i % 3]
            if variant == "refund_before_completion":
                project = self.project(contractor, self.days_before(400, 700))
                deposit = b.deposit(project, method="现金")
                b.refund(deposit, self.days_before(150, 300))
            else:
                completion = self.days_before(150, 500)
                project = self.project(
                    contractor, completion - timedelta(days=700), completion=completion
                )
                deposit = b.deposit(project, method="现金")
                b.refund(
                    deposit,
                    completion,
                    notice_days=b.rng.randint(5, 20) if variant == "short_notice" else 30,
                )
                if variant == "pending_claims":
                    assert deposit.refunded is not None
                    refunded = deposit.refunded
                    for case in self.awards(
                        contractor,
                        b.rng.randint(2, 4),
                        self.offset(refunded, 20, 60),
                        project=project,
                    ):
                        case.filed = min(
                            case.filed, refunded - timedelta(days=b.rng.randint(15, 60))
                        )
                        self.enforce(case)
            self.record(pattern, project, outcome, "lead", variant)
        for variant in self.decoy_variants(("refund_after_claims_closed", "long_notice")):
            contractor = self.company("contractor")
            completion = self.days_before(200, 600)
            project = self.project(
                contractor, completion - timedelta(days=700), completion=completion
            )
            deposit = b.deposit(project, method="现金")
            b.refund(deposit, completion, notice_days=30 if variant != "long_notice" else 45)
            if variant == "refund_after_claims_closed":
                assert deposit.refund_applied is not None
                applied = deposit.refund_applied
                self.awards(
                    contractor,
                    2,
                    self.offset(applied, -120, -40),
                    project=project,
                    method="调解",
                    remark="调解协议已履行完毕",
                )
            self.record(pattern, project, outcome, "decoy", variant)

    # ----- awards -----------------------------------------------------------------------

    def in_deadline_window(self) -> date:
        """An effective date whose 2-year enforcement deadline falls 15-180 days after as-of."""
        return self.days_before(AWARD_DEADLINE_DAYS - 180, AWARD_DEADLINE_DAYS - 15)

    def plant_award_unenforced(self) -> None:
        b, pattern, outcome = self.b, "AWARD-UNENFORCED", "support_prosecution"
        for i in range(self.n):
            employer = self.company(b.rng.choice(("other", "labour")))
            method = "调解" if i % 3 == 2 else "裁决"
            (case,) = self.awards(employer, 1, self.in_deadline_window, method=method)
            variant = "no_enforcement"
            if (
                i % 4 == 3
            ):  # enforcement is applied for after the as-of date: a backtest must not see it
                b.enforcement(
                    case.applicant,
                    employer,
                    self.as_of + timedelta(days=b.rng.randint(3, 25)),
                    target_fen=case.award_fen,
                    method="",
                    executed_fen=0,
                    basis=case,
                )
                variant = "enforced_after_as_of"
            self.record(pattern, case, outcome, "lead", variant)
        for variant in self.decoy_variants(
            (
                "paid_voluntarily",
                "enforced_bracket_variant",
                "enforced_via_judgment",
                "deadline_not_near",
                "rejected",
                "withdrawn",
                *(("non_wage_cause",) if b.knobs.non_wage_decoys else ()),
            )
        ):
            employer = self.company(b.rng.choice(("other", "labour")))
            if variant in ("rejected", "withdrawn"):
                filed = self.in_deadline_window() - timedelta(days=60)
                case = b.arbitration(
                    b.person(),
                    employer,
                    filed,
                    claim_fen=b.rng.randint(500, 5000) * 10 * YUAN,
                    method="驳回" if variant == "rejected" else "撤诉",
                )
            elif variant == "deadline_not_near":
                (case,) = self.awards(employer, 1, lambda: self.days_before(60, 240))
            elif variant == "non_wage_cause":
                # 经济补偿金 / 二倍工资差额 awards are not wage arrears: no support prosecution.
                (case,) = self.awards(
                    employer, 1, self.in_deadline_window, cause=self.non_wage_cause()
                )
            else:
                (case,) = self.awards(
                    employer,
                    1,
                    self.in_deadline_window,
                    remark=b.rng.choice(vocab.PAID_REMARKS)
                    if variant == "paid_voluntarily"
                    else "",
                )
                if variant == "enforced_bracket_variant":
                    self.enforce(case, after_days=(20, 150))
                elif variant == "enforced_via_judgment":
                    # The employer sued; the court's judgment replaced the award and is enforced.
                    assert case.effective is not None
                    b.enforcement(
                        case.applicant,
                        employer,
                        case.effective + timedelta(days=b.rng.randint(90, 200)),
                        target_fen=case.award_fen,
                        method="执行完毕",
                        executed_fen=case.award_fen,
                        cause="追索劳动报酬纠纷",
                    )
            self.record(pattern, case, outcome, "decoy", variant)
        for _ in range(max(1, self.n // 2) if b.knobs.fake_claim_guard else 0):
            employer = self.company(b.rng.choice(("other", "labour")))
            (case,) = self.awards(
                employer,
                1,
                self.in_deadline_window,
                method="调解",
                claim=lambda: b.rng.randint(30, 90) * 10_000 * YUAN,
                remark=b.rng.choice(vocab.IOU_REMARKS),
            )
            assert case.closed is not None
            case.filed = case.closed - timedelta(days=b.rng.randint(2, 8))
            employer.status, employer.dereg_reason = "注销", "破产"
            employer.status_date = case.closed + timedelta(days=b.rng.randint(30, 120))
            self.record(
                "FAKE-CLAIM",
                case,
                "support_prosecution",
                "guard",
                "iou_before_bankruptcy",
                "one very large IOU-backed claim mediated days before bankruptcy: suppress",
            )

    # ----- enforcement ------------------------------------------------------------------

    def zero_assets_enforcement(
        self, debtor: Company, zb_date: date, workers: int = 3
    ) -> list[Enforcement]:
        """Wage awards against ``debtor`` enforced and closed as 终本 on ``zb_date``."""
        b = self.b
        effective = zb_date - timedelta(days=b.rng.randint(120, 300))
        return [
            self.enforce(
                case,
                method="终结本次执行程序",
                closed=zb_date - timedelta(days=b.rng.randint(0, 20)),
            )
            for case in self.awards(
                debtor, workers, lambda: effective - timedelta(days=b.rng.randint(0, 40))
            )
        ]

    def restore(self, closed_case: Enforcement) -> None:
        """The worker finds assets and the 终本 case is restored (执恢) before the as-of date."""
        b = self.b
        assert closed_case.closed is not None
        filed = min(
            closed_case.closed + timedelta(days=b.rng.randint(30, 150)),
            self.as_of - timedelta(days=b.rng.randint(5, 20)),
        )
        b.enforcement(
            closed_case.applicant,
            closed_case.respondent,
            filed,
            target_fen=closed_case.target_fen,
            method="执行完毕",
            executed_fen=closed_case.target_fen,
            basis=closed_case.basis,
            remark=vocab.RESTORED_REMARK,
            case_type="执恢",
        )

    def plant_zb_with_assets(self) -> None:
        b, pattern, outcome = self.b, "ZB-WITH-ASSETS", "enforcement_supervision"
        for i in range(self.n):
            debtor = self.company("contractor")
            zb_date = self.days_before(60, 600)
            if i % 2 == 0:
                project = self.project(debtor, zb_date - timedelta(days=b.rng.randint(100, 400)))
                variant = "active_gc_project"
            else:
                project = self.project(debtor, zb_date + timedelta(days=b.rng.randint(10, 55)))
                variant = "new_project_after_zb"
            b.deposit(project, method="现金")
            self.zero_assets_enforcement(debtor, zb_date, b.rng.randint(2, 4))
            self.record(pattern, debtor, outcome, "lead", variant)
        for variant in self.decoy_variants(
            (
                "truly_no_assets",
                "twin_has_assets",
                "project_completed_before_zb",
                "closed_after_as_of",
                *(("restored_after_zb",) if b.knobs.restored_decoys else ()),
            )
        ):
            debtor = self.company("contractor", district_level=True)
            zb_date = self.days_before(60, 600)
            if variant == "restored_after_zb":
                # Looks like a lead (active project, deposit, 终本), but the court restored
                # enforcement (执恢) on the worker's application: nothing left to supervise.
                zb_date = self.days_before(150, 600)
                project = self.project(debtor, zb_date - timedelta(days=b.rng.randint(100, 400)))
                b.deposit(project, method="现金")
                for closed_case in self.zero_assets_enforcement(debtor, zb_date):
                    self.restore(closed_case)
                self.record(pattern, debtor, outcome, "decoy", variant)
                continue
            if variant == "twin_has_assets":
                twin = self.twin(debtor)
                b.deposit(self.project(twin, zb_date - timedelta(days=200)), method="现金")
            elif variant == "project_completed_before_zb":
                completion = zb_date - timedelta(days=b.rng.randint(200, 400))
                project = self.project(
                    debtor, completion - timedelta(days=600), completion=completion
                )
                b.refund(b.deposit(project, method="现金"), completion)
            elif variant == "closed_after_as_of":
                zb_date = self.as_of + timedelta(days=b.rng.randint(5, 25))
                b.deposit(self.project(debtor, zb_date - timedelta(days=300)), method="现金")
            if variant != "closed_after_as_of":
                debtor.fail_date = zb_date - timedelta(days=400)
            self.zero_assets_enforcement(debtor, zb_date)
            self.record(pattern, debtor, outcome, "decoy", variant)

    # ----- registry ---------------------------------------------------------------------

    def plant_dereg_evasion(self) -> None:
        b, pattern, outcome = self.b, "DEREG-EVASION", "administrative_supervision"
        for i in range(self.n):
            company = self.company(b.rng.choice(("labour", "other", "specialist")))
            cases = self.awards(company, b.rng.randint(2, 5), lambda: self.days_before(300, 900))
            last = max(c.effective for c in cases if c.effective)
            company.status, company.status_date = (
                "注销",
                min(last + timedelta(days=b.rng.randint(30, 200)), self.as_of - timedelta(days=10)),
            )
            company.dereg_reason = "简易注销" if i % 3 != 2 else "决议解散"
            for case in cases:
                self.enforce(
                    case,
                    after_days=(20, 60),
                    method="终结执行",
                    closed=company.status_date + timedelta(days=b.rng.randint(20, 60)),
                    remark="被执行人已注销",
                )
            variant = "simplified" if company.dereg_reason == "简易注销" else "general"
            self.record(pattern, company, outcome, "lead", variant)
        for variant in self.decoy_variants(
            ("dereg_after_paid", "bankruptcy", "claims_against_twin")
        ):
            company = self.company(
                b.rng.choice(("labour", "other", "specialist")), district_level=True
            )
            target = company
            if variant == "claims_against_twin":
                target = self.twin(company)
                target.fail_date = self.days_before(700, 900)
            cases = self.awards(target, b.rng.randint(2, 4), lambda: self.days_before(300, 700))
            last = max(c.effective for c in cases if c.effective)
            company.status = "注销"
            company.status_date = min(
                last + timedelta(days=b.rng.randint(60, 200)), self.as_of - timedelta(days=10)
            )
            company.dereg_reason = "破产" if variant == "bankruptcy" else "简易注销"
            for case in cases:
                method = "执行完毕" if variant == "dereg_after_paid" else "终结本次执行程序"
                self.enforce(
                    case,
                    after_days=(10, 40),
                    method=method,
                    closed=(last + timedelta(days=50)) if variant == "dereg_after_paid" else None,
                )
            self.record(pattern, company, outcome, "decoy", variant)

    # ----- employers --------------------------------------------------------------------

    def plant_multi_claim(self) -> None:
        b, pattern, outcome = self.b, "MULTI-CLAIM-EMPLOYER", "criminal_referral"

        def burst(
            employer: Company, workers: int, low_yuan: int, high_yuan: int, method: str
        ) -> None:
            start = self.days_before(200, 700)
            employer.fail_date = start - timedelta(days=10) if method != "执行完毕" else None
            for case in self.awards(
                employer,
                workers,
                lambda: start + timedelta(days=b.rng.randint(0, 60)),
                claim=lambda: b.rng.randint(low_yuan, high_yuan) // 10 * 10 * YUAN,
            ):
                self.enforce(
                    case, method=method, remark="" if method == "执行完毕" else "被执行人下落不明"
                )

        for _ in range(self.n):
            employer = self.company(b.rng.choice(("labour", "other", "contractor")))
            burst(employer, b.rng.randint(10, 25), 10_500, 26_000, "终结本次执行程序")
            self.record(pattern, employer, outcome, "lead", "absconded_employer")
        for variant in self.decoy_variants(
            (
                "all_paid",
                "below_threshold",
                "split_twins",
                *(("mostly_non_wage",) if b.knobs.non_wage_decoys else ()),
            )
        ):
            employer = self.company(b.rng.choice(("labour", "other")), district_level=True)
            if variant == "mostly_non_wage":
                # Many awards, but most for 二倍工资差额 / 经济补偿金: the unpaid *wages* are
                # a few small awards, far below the criminal thresholds.
                start = self.days_before(200, 700)
                employer.fail_date = start - timedelta(days=10)
                causes = [None] * b.rng.randint(2, 3) + [
                    self.non_wage_cause() for _ in range(b.rng.randint(10, 14))
                ]
                for cause in causes:
                    low, high = (4_000, 8_000) if cause is None else (15_000, 30_000)
                    (case,) = self.awards(
                        employer,
                        1,
                        self.offset(start, 0, 60),
                        claim=self.offset_yuan(low, high),
                        cause=cause,
                    )
                    self.enforce(case, method="终结本次执行程序", remark="被执行人下落不明")
            elif variant == "all_paid":
                burst(employer, b.rng.randint(10, 20), 8_000, 20_000, "执行完毕")
            elif variant == "below_threshold":
                burst(employer, b.rng.randint(10, 12), 3_000, 6_500, "终结本次执行程序")
            else:
                twin = self.twin(employer)
                burst(employer, 6, 12_000, 15_000, "终结本次执行程序")
                burst(twin, 6, 12_000, 15_000, "终结本次执行程序")
                self.record(
                    pattern,
                    twin,
                    outcome,
                    "decoy",
                    variant,
                    "same trade name in another district: merged they would cross the threshold",
                )
            self.record(pattern, employer, outcome, "decoy", variant)

    def plant_chain_liability(self) -> None:
        b, pattern, outcome = self.b, "CHAIN-LIABILITY", "support_prosecution"

        def small_employer(i: int) -> Party:
            if i % 2 == 0:
                return b.person()
            founded = self.days_before(500, 800)
            return self.company("labour", capital_wan=b.rng.randint(1, 5) * 10, founded=founded)

        for i in range(self.n):
            employer = small_employer(i)
            project = self.project(self.bg.solvent_contractor(), self.days_before(500, 800))
            b.deposit(project)
            for case in self.awards(
                employer, b.rng.randint(1, 2), lambda: self.days_before(60, 500), project=project
            ):
                self.enforce(
                    case,
                    method="终结本次执行程序",
                    after_days=(20, 40),
                    closed=self.days_before(5, 50),
                )
                variant = "labour_boss" if isinstance(employer, Person) else "tiny_firm"
                self.record(pattern, case, outcome, "lead", variant)
        for i, variant in enumerate(
            self.decoy_variants(("gc_advanced", "boss_paid_by_enforcement", "no_project"))
        ):
            employer = small_employer(i)
            site: Project | None = None
            if variant != "no_project":
                site = self.project(self.bg.solvent_contractor(), self.days_before(500, 800))
                b.deposit(site)
            remark = b.rng.choice(vocab.GC_ADVANCED_REMARKS) if variant == "gc_advanced" else ""
            (case,) = self.awards(
                employer, 1, lambda: self.days_before(60, 500), project=site, remark=remark
            )
            if variant == "boss_paid_by_enforcement":
                self.enforce(case)
            elif variant == "no_project":
                self.enforce(
                    case,
                    method="终结本次执行程序",
                    after_days=(20, 40),
                    closed=self.days_before(5, 50),
                )
            self.record(pattern, case, outcome, "decoy", variant)

    def _open_projects(self) -> _Started:
        """The projects still being built and carrying no planted story of their own."""
        b = self.b
        return _Started(
            [
                p
                for p in b.world.projects
                if p.completed is None and p.uid not in b.reserved_projects
            ]
        )

    def plant_mediation_mill(self) -> None:
        """No rule describes this: a new labour firm that settles every claim fast and cheap."""
        b, pattern, outcome = self.b, "ANOMALY-MEDIATION-MILL", "administrative_supervision"
        projects = self._open_projects()
        for _ in range(self.n):
            founded = self.days_before(300, 900)
            mill = self.company("labour", founded=founded)
            building = projects.by(founded + timedelta(days=60))
            sites = b.rng.sample(building, min(3, len(building)))  # built when claims come
            for _ in range(b.rng.randint(12, 30)):
                claim = b.rng.randint(1_000, 4_000) * 10 * YUAN
                filed = founded + timedelta(days=b.rng.randint(60, 270))
                b.arbitration(
                    b.person(),
                    mill,
                    filed,
                    claim_fen=claim,
                    method="调解",
                    award_fen=int(claim * b.rng.uniform(0.2, 0.4)) // YUAN * YUAN,
                    days_to_close=b.rng.randint(2, 10),
                    project=b.rng.choice(sites) if sites else None,
                    remark=b.rng.choice(vocab.MEDIATION_MILL_REMARKS),
                )
            self.record(pattern, mill, outcome, "lead", "fast_cheap_mediations")
        for _ in range(max(1, self.n // 2)):
            busy = self.company("labour")
            for _ in range(b.rng.randint(15, 25)):
                filed = b.day(b.start, self.as_of - timedelta(days=200))
                claim = b.rng.randint(1_000, 4_000) * 10 * YUAN
                b.arbitration(
                    b.person(),
                    busy,
                    filed,
                    claim_fen=claim,
                    method="调解",
                    award_fen=int(claim * b.rng.uniform(0.75, 1.0)) // YUAN * YUAN,
                    days_to_close=b.rng.randint(10, 45),
                    remark=vocab.PAID_REMARKS[3],
                )
            self.record(pattern, busy, outcome, "decoy", "many_claims_normal_settlements")

    def plant_wage_shell(self) -> None:
        """No rule describes this either: a labour firm with next to no capital, set up
        weeks before its workers' wage claims pour in from many sites at once, none of them
        heard yet — it took the contractors' wage money and left (跑路). No award yet, so
        no rule on awards or enforcement can see it; an established labour firm with as
        many claims, spread over years and settled, is its decoy."""
        b, pattern, outcome = self.b, "ANOMALY-WAGE-SHELL", "administrative_supervision"
        # Their deposits are refunded only once these claims are resolved (lawful_refunds).
        projects = self._open_projects()
        for _ in range(self.n):
            first = self.days_before(40, 100)
            founded = first - timedelta(days=b.rng.randint(45, 150))
            shell = self.company("labour", founded=founded, capital_wan=b.rng.choice((3, 5, 10)))
            building = projects.by(first)  # sites by then
            sites = b.rng.sample(building, min(b.rng.randint(4, 7), len(building)))
            for _ in range(b.rng.randint(12, 30)):
                b.arbitration(
                    b.person(),
                    shell,
                    first + timedelta(days=b.rng.randint(0, 30)),
                    claim_fen=b.rng.randint(800, 3_000) * 10 * YUAN,
                    method="",
                    project=b.rng.choice(sites) if sites else None,
                )
            self.record(pattern, shell, outcome, "lead", "claims_wave_open")
        for _ in range(max(1, self.n // 2)):
            established = self.company(
                "labour",
                founded=b.day(b.start - timedelta(days=3650), b.start - timedelta(days=1000)),
                capital_wan=b.rng.choice((500, 1000, 2000)),
            )
            last = self.as_of - timedelta(days=120)
            long_built = projects.by(last - timedelta(days=365))
            sites = b.rng.sample(long_built, min(b.rng.randint(4, 7), len(long_built)))
            for _ in range(b.rng.randint(12, 30) if sites else 0):
                claim = b.rng.randint(800, 3_000) * 10 * YUAN
                site = b.rng.choice(sites)  # a claim while its site is being built
                b.arbitration(
                    b.person(),
                    established,
                    b.day(max(site.start_date, b.start), last),
                    claim_fen=claim,
                    method="调解",
                    award_fen=int(claim * b.rng.uniform(0.8, 1.0)) // YUAN * YUAN,
                    days_to_close=b.rng.randint(15, 60),
                    project=site,
                    remark=vocab.PAID_REMARKS[3],
                )
            self.record(pattern, established, outcome, "decoy", "many_claims_over_years")

    def plant_all(self) -> None:
        self.plant_deposit_missing()
        self.plant_guarantee_lapsed()
        self.plant_early_refund()
        self.plant_award_unenforced()
        self.plant_zb_with_assets()
        self.plant_dereg_evasion()
        self.plant_multi_claim()
        self.plant_chain_liability()
        self.plant_mediation_mill()
        self.plant_wage_shell()


class _Started:
    """Projects asked hundreds of times which of them started by a day, in their order
    (a province has 200,000): their start days are an array, so the test runs in numpy."""

    def __init__(self, projects: list[Project]) -> None:
        self.projects = projects
        self.starts = np.array([p.start_date.toordinal() for p in projects], dtype=np.int64)

    def by(self, day: date) -> list[Project]:
        started = np.flatnonzero(self.starts <= day.toordinal()).tolist()
        return list(map(self.projects.__getitem__, started))
