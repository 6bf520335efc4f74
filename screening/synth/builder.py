"""Factories for the world's people, companies, projects and cases.

The builder owns the random stream, the geography and the uniqueness of names, codes and
case numbers, so background and planted stories can both ask for "a labour subcontractor
in 三水区 founded last year" and get a consistent, registered company.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sized
from datetime import date, timedelta
from typing import TypeVar

from screening.committees import city_abbreviations, committee_mark
from screening.gazetteer import Place, load_gazetteer
from screening.identifiers import USCC_ALPHABET, make_uscc
from screening.synth import names, vocab
from screening.synth.dialect import WorldKnobs
from screening.synth.draws import Stream
from screening.synth.id_numbers import IdNumbers
from screening.synth.model import (
    Arbitration,
    Company,
    Deposit,
    Enforcement,
    Party,
    Person,
    Project,
    World,
    sorted_by,
)

GUANGDONG = "440000"
Area = tuple[Place, Place | None]  # (city, district); cities without districts have None
YUAN = 100  # fen per yuan
WAN = 10_000 * YUAN  # fen per 万元
MaybeDay = TypeVar("MaybeDay", date, date | None)
_COUNTY_CODES = [f"{n:02d}" for n in range(10)]
DIGITS = "0123456789"
# Every day a world's records fall on, one date object each: a province draws tens of
# millions of days, and indexing this list is cheaper than adding a timedelta.
_CALENDAR_START = date(1950, 1, 1).toordinal()
_CALENDAR = [date.fromordinal(n) for n in range(_CALENDAR_START, date(2100, 1, 1).toordinal())]
_PHONE_PREFIXES = tuple(10**10 + digit * 10**9 for digit in (3, 5, 7, 8))  # 1[3578]…
_HOME_CODE_BITS = len(vocab.WORKER_HOME_CODES).bit_length()


class Builder:
    """Creates consistent records and appends them to ``world``."""

    def __init__(self, world: World, *, all_cities: bool, knobs: WorldKnobs | None = None) -> None:
        self.world = world
        self.knobs = knobs or WorldKnobs()
        self.focus_city = self.knobs.focus_city
        self.rng = Stream(f"screening-synth/{world.seed}/{world.scale}")
        self.start = date(world.as_of.year - 6, world.as_of.month, 1)
        gazetteer = load_gazetteer()
        cities = [p for p in gazetteer.children(GUANGDONG) if p.level == "city"]
        self.province = gazetteer.by_code(GUANGDONG)
        home = cities if all_cities else [c for c in cities if c.code == self.focus_city]
        self.home_areas = [
            area for city in home for area in _areas(gazetteer.children(city.code), city)
        ]
        self.other_areas = [
            area
            for city in cities
            if city not in home
            for area in _areas(gazetteer.children(city.code), city)
        ]
        self._names: set[str] = set()
        self._org_bodies: set[str] = set()
        self._id_numbers = IdNumbers(self.rng)
        self._permits: set[str] = set()
        self._committees = _committee_prefixes(self.home_areas)
        self._case_templates = committee_templates(self.home_areas, self.knobs.arbitration_style)
        self.industries = _industries(self.knobs)
        self._judgment_seq: dict[tuple[str, int], int] = {}
        self._courts: dict[str, tuple[str, str]] = {}
        self._person_names: dict[str, str] = {}
        self._id_areas: dict[str, list[str]] = {}  # home code -> its ten county areas
        self._uids: list[int] = []  # _uids[n - 1] is n
        # Companies and projects that carry a planted story: background never touches them,
        # so a planted lead or decoy is exactly what the truth says it is.
        self.reserved: set[int] = set()
        self.reserved_projects: set[int] = set()

    # ----- time and chance --------------------------------------------------------------

    def day(self, first: date, last: date) -> date:
        """A uniformly random day in [first, last]: ``first`` plus ``randint(0, span)``
        days, drawn as :meth:`Stream.randint` draws it."""
        start = first.toordinal()
        width = max(last.toordinal() - start, 0) + 1
        bits = width.bit_length()
        getrandbits = self.rng.getrandbits
        drawn = getrandbits(bits)
        while drawn >= width:
            drawn = getrandbits(bits)
        at = start + drawn - _CALENDAR_START
        return _CALENDAR[at] if 0 <= at < len(_CALENDAR) else first + timedelta(days=drawn)

    def shared_day(self, day: MaybeDay) -> MaybeDay:
        """One date object per calendar day: a province's millions of cases hold a few
        thousand distinct days, and a date object costs as much as the reference to it."""
        return None if day is None else _after(day, 0)

    def _next_uid(self, records: Sized) -> int:
        """The uid of the next record of a kind. Every kind counts from 1, so they share
        one int object per number: a province has millions of each, at 32 bytes an int.
        Records come one at a time, so the table is at most one short."""
        count, uids = len(records), self._uids
        if count == len(uids):
            uids.append(count + 1)
        return uids[count]

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    # ----- people -----------------------------------------------------------------------

    def person(self, home_code: str | None = None) -> Person:
        """Someone from ``home_code`` (default: a worker's home region). Millions are made,
        so the draws are inlined: ``choice(WORKER_HOME_CODES)``, ``randint(2, 9)`` for the
        county, the ID number, ``choice((3, 5, 7, 8))`` and ``randrange(10**9)`` for the
        phone, then the name, exactly as the stream's own methods draw them."""
        getrandbits = self.rng.getrandbits
        code = home_code
        if not code:
            codes = vocab.WORKER_HOME_CODES
            drawn = getrandbits(_HOME_CODE_BITS)
            while drawn >= len(codes):
                drawn = getrandbits(_HOME_CODE_BITS)
            code = codes[drawn]
        areas = self._id_areas.get(code)
        if areas is None:
            areas = self._id_areas[code] = [code[:4] + county for county in _COUNTY_CODES]
        county = getrandbits(4)  # randint(2, 9): eight values, four bits
        while county >= 8:
            county = getrandbits(4)
        number = self._id_numbers.draw(areas[2 + county])
        prefix = getrandbits(3)  # one of four prefixes: three bits
        while prefix >= 4:
            prefix = getrandbits(3)
        line = getrandbits(30)  # below 10**9: thirty bits
        while line >= 1_000_000_000:
            line = getrandbits(30)
        # Names repeat (a surname and a given name or two): millions of people share them.
        name = names.person_name(self.rng)
        name = self._person_names.setdefault(name, name)
        persons = self.world.persons
        person = Person(self._next_uid(persons), name, number, _PHONE_PREFIXES[prefix] + line)
        persons.append(person)
        return person

    # ----- companies --------------------------------------------------------------------

    def company(
        self,
        kind: str,
        *,
        area: Area | None = None,
        founded: date | None = None,
        capital_wan: int | None = None,
        trade: str | None = None,
        industry: str | None = None,
        form: str | None = None,
        local: bool = True,
        district_level: bool = False,
    ) -> Company:
        """A registered company; ``trade``/``industry``/``form`` pin the name for twins."""
        rng = self.rng
        pool = self.home_areas if local or not self.other_areas else self.other_areas
        if district_level:  # a name with a district in it, so a twin can exist elsewhere
            pool = [a for a in pool if a[1] is not None]
        city, district = area or rng.choice(pool)
        industry = industry or rng.choice(self.industries[kind])
        form = form or (vocab.GROUP_FORM if kind == "contractor" and self.chance(0.2) else None)
        form = form or rng.choices(vocab.LEGAL_FORMS, weights=(70, 25, 5))[0]
        for _ in range(100):
            chosen_trade = trade or names.trade_name(rng)
            region = self._region_for(city, district, form, district_level)
            name = "".join(full for full, _ in region) + chosen_trade + industry + form
            if name not in self._names:
                break
            if trade:  # a pinned name that already exists cannot be made unique
                raise ValueError(f"company name already taken: {name}")
        self._names.add(name)
        founded = founded or self.day(date(2003, 1, 1), self.start + timedelta(days=365 * 3))
        code_area = (district or city).code
        company = Company(
            uid=self._next_uid(self.world.companies),
            uscc=make_uscc(code_area, self._org_body(founded)),
            name=name,
            trade=chosen_trade,
            kind=kind,
            region=region,
            city_code=city.code,
            district_code=code_area,
            legal_rep=self.person(home_code=city.code),
            founded=founded,
            reg_capital_wan=capital_wan or _capital_wan(rng, kind),
            paid_capital_wan=0,
            address=self._address(city, district),
        )
        company.paid_capital_wan = 0 if self.chance(0.6) else company.reg_capital_wan
        self.world.companies.append(company)
        return company

    def named_company(self, name: str, city_code: str | None = None) -> Company:
        """A registered company whose name is fixed (a bank branch, say)."""
        gazetteer = load_gazetteer()
        city = gazetteer.by_code(city_code or self.focus_city)
        assert city is not None
        self._names.add(name)
        founded = date(2005, 1, 1) + timedelta(days=self.rng.randint(0, 3000))
        company = Company(
            uid=self._next_uid(self.world.companies),
            uscc=make_uscc(city.code, self._org_body(founded)),
            name=name,
            trade=name[:4],
            kind="other",
            region=(),
            city_code=city.code,
            district_code=city.code,
            legal_rep=self.person(home_code=city.code),
            founded=founded,
            reg_capital_wan=0,
            paid_capital_wan=0,
            address=self._address(city, None),
        )
        self.world.companies.append(company)
        return company

    def twin(self, company: Company, area: Area | None = None) -> Company:
        """Another company with the same trade name, industry and form in another district."""
        area = area or self.twin_area(company)
        if area is None:
            raise ValueError(f"no free district for a twin of {company.name}")
        industry, form = self._industry_and_form(company)
        return self.company(
            company.kind,
            area=area,
            trade=company.trade,
            industry=industry,
            form=form,
            district_level=True,  # the district in the name is what tells twins apart
        )

    def twin_area(self, company: Company) -> Area | None:
        """A district of the same city where the company's twin name is still free."""
        if len(company.region) != 2:
            return None
        industry, form = self._industry_and_form(company)
        areas = [
            area
            for area in self.home_areas + self.other_areas
            if area[0].code == company.city_code
            and area[1] is not None
            and area[1].code != company.district_code
        ]
        for city, district in self.rng.sample(areas, len(areas)):
            assert district is not None
            if city.name + district.name + company.trade + industry + form not in self._names:
                return city, district
        return None

    def _industry_and_form(self, company: Company) -> tuple[str, str]:
        return names.industry_and_form(company)

    def branch(self, parent: Company) -> Company:
        """A branch (分公司) registered in a home city, named after its parent."""
        city, _ = self.rng.choice(self.home_areas)
        name = f"{parent.name}{city.short_name}分公司"
        if name in self._names:
            name = f"{parent.name}{city.short_name}第二分公司"
        self._names.add(name)
        founded = self.day(max(parent.founded, self.start - timedelta(days=3 * 365)), self.start)
        branch = Company(
            uid=self._next_uid(self.world.companies),
            uscc=make_uscc(city.code, self._org_body(founded)),
            name=name,
            trade=parent.trade,
            kind=parent.kind,
            region=parent.region,
            city_code=city.code,
            district_code=city.code,
            legal_rep=self.person(home_code=city.code),
            founded=founded,
            reg_capital_wan=0,
            paid_capital_wan=0,
            address=self._address(city, None),
            parent=parent,
        )
        self.world.companies.append(branch)
        return branch

    def _region_for(
        self, city: Place, district: Place | None, form: str, district_level: bool
    ) -> tuple[tuple[str, str], ...]:
        assert self.province is not None
        if form == vocab.GROUP_FORM and not district_level:  # 广东宏达建设集团有限公司
            return ((self.province.short_name, self.province.short_name),)
        if district is not None and (district_level or self.chance(0.7)):
            return ((city.name, city.short_name), (district.name, district.short_name))
        return ((city.name, city.short_name),)

    def _org_body(self, founded: date) -> str:
        """Organisation-code body: 8 digits before the 2015 reform, ``MA`` + 6 after."""
        # rng.choice of each character, inlined: the same bits, drawn the same way.
        getrandbits = self.rng.getrandbits
        prefix, alphabet, length = (
            ("MA", USCC_ALPHABET, 6) if founded.year >= 2016 else ("", DIGITS, 8)
        )
        size = len(alphabet)
        bits = size.bit_length()
        while True:
            characters = [prefix]
            for _ in range(length):
                drawn = getrandbits(bits)
                while drawn >= size:
                    drawn = getrandbits(bits)
                characters.append(alphabet[drawn])
            body = "".join(characters)
            if body not in self._org_bodies:
                self._org_bodies.add(body)
                return body

    def _address(self, city: Place, district: Place | None) -> str:
        road = self.rng.choice(vocab.ESTATE_WORDS) + self.rng.choice(("路", "大道", "街"))
        where = city.name + (district.name if district else "")
        return f"{where}{road}{self.rng.randint(1, 300)}号"

    # ----- projects and deposits --------------------------------------------------------

    def project(
        self,
        contractor: Company,
        client: Company,
        permit_date: date,
        contract_fen: int,
        *,
        duration_days: int | None = None,
        completes: bool = True,
        area: Area | None = None,
    ) -> Project:
        """A permitted project; ``completes`` False keeps it under construction at extraction."""
        rng = self.rng
        city, district = area or rng.choice(self.home_areas)
        place = district or city
        full, short = names.project_name(rng, place.short_name)
        start = permit_date + timedelta(days=rng.randint(3, 40))
        duration = duration_days or rng.randint(300, 1000)
        planned = start + timedelta(days=duration)
        completed = planned if completes and planned <= self.world.extract_date else None
        if not completes and planned <= self.world.extract_date:
            planned = self.world.extract_date + timedelta(days=rng.randint(60, 500))
        uid = self._next_uid(self.world.projects)
        project = Project(
            uid=uid,
            project_no=f"{place.code}{permit_date.year}{uid:06d}",
            name=full,
            short_name=short,
            permit_no=self._unique_permit(f"{place.code}{permit_date:%Y%m%d}", rng.randint(1, 99)),
            district_code=place.code,
            district_short=place.short_name,
            client=client,
            contractor=contractor,
            contract_fen=contract_fen,
            permit_date=permit_date,
            start_date=start,
            planned_completion=planned,
            completed=completed,
        )
        self.world.projects.append(project)
        return project

    def _unique_permit(self, prefix: str, serial: int) -> str:
        """A permit number no other project has (a permit names one project): the next free
        serial of the day, drawing nothing more from the random stream."""
        while (number := f"{prefix}{serial:02d}01") in self._permits:
            serial += 1
        self._permits.add(number)
        return number

    def deposit(
        self,
        project: Project,
        *,
        rate_permille: int = 20,
        actual_share: float = 1.0,
        method: str | None = None,
        deposit_date: date | None = None,
    ) -> Deposit:
        """The contractor's wage-guarantee deposit for ``project`` (compliant by default)."""
        rng = self.rng
        required = project.contract_fen * rate_permille // 1000 // YUAN * YUAN
        method = (
            method
            or rng.choices(
                ("现金", "银行保函", "保证保险", "担保公司保函"), weights=(40, 40, 10, 10)
            )[0]
        )
        when = deposit_date or project.permit_date + timedelta(days=rng.randint(2, 25))
        deposit = Deposit(
            uid=self._next_uid(self.world.deposits),
            project=project,
            contractor=project.contractor,
            contract_fen=project.contract_fen,
            rate_permille=rate_permille,
            required_fen=required,
            actual_fen=int(required * actual_share) // YUAN * YUAN,
            method=method,
            deposit_date=when,
            show_permit_no=not self.chance(0.12),
        )
        if method != "现金":
            # A guarantee must run at least a year and past the construction period.
            deposit.valid_until = max(
                when + timedelta(days=366), project.planned_completion
            ) + timedelta(days=rng.randint(60, 360))
        self.world.deposits.append(deposit)
        return deposit

    def refund(self, deposit: Deposit, after: date, *, notice_days: int = 30) -> None:
        """Refund ``deposit`` after ``after`` (completion) with a public notice period."""
        rng = self.rng
        deposit.refund_applied = after + timedelta(days=rng.randint(5, 60))
        deposit.notice_start = deposit.refund_applied + timedelta(days=rng.randint(1, 5))
        deposit.notice_end = deposit.notice_start + timedelta(days=notice_days)
        deposit.refunded = deposit.notice_end + timedelta(days=rng.randint(1, 15))

    # ----- cases ------------------------------------------------------------------------

    def committee(self, area_code: str) -> str:
        return (
            self._committees.get(area_code)
            or self._committees[self.rng.choice(list(self._committees))]
        )

    def arbitration(
        self,
        applicant: Person,
        respondent: Party,
        filed: date,
        *,
        claim_fen: int,
        method: str,
        award_fen: int = 0,
        days_to_close: int | None = None,
        project: Project | None = None,
        cause: str | None = None,
        remark: str = "",
    ) -> Arbitration:
        rng = self.rng
        where = project.district_code if project else self._area_code_of(respondent)
        if (
            project is not None
            and self.knobs.committee_at_employer
            and isinstance(respondent, Company)
            and respondent.district_code in self._committees
            and respondent.district_code != where
            and self.chance(self.knobs.committee_at_employer)
        ):  # heard where the employer is registered, not where the site is (第21条)
            where = respondent.district_code
        closed = _after(filed, days_to_close or rng.randint(20, 90)) if method else None
        # Awards up to 12 months' local minimum wage are final for the employer (终局裁决).
        final = method == "裁决" and award_fen <= 12 * 2300 * YUAN
        effective = None
        if closed is not None and method in ("裁决", "调解"):
            effective = closed if method == "调解" or final else _after(closed, 16)
        arbitrations = self.world.arbitrations
        # Positional: a dataclass with sixteen keyword arguments takes three times as long
        # to make, and a province makes a million. Field order, evaluated in that order.
        case = Arbitration(
            self._next_uid(arbitrations),  # uid
            self.committee(where),  # committee_prefix
            where,  # committee_district
            applicant,
            respondent,
            project,
            names.site_text(rng, project.short_name, project.district_short) if project else "",
            cause or rng.choice(vocab.WAGE_CAUSES),
            claim_fen,
            award_fen if method in ("裁决", "调解") else 0,  # award_fen
            self.shared_day(filed),
            closed,
            method,
            final,
            effective,
            remark,
        )
        if isinstance(respondent, Company):
            respondent.has_claims = True
        arbitrations.append(case)
        return case

    def enforcement(
        self,
        applicant: Party | str,
        respondent: Party,
        filed: date,
        *,
        target_fen: int,
        method: str,
        executed_fen: int,
        basis: Arbitration | None = None,
        cause: str | None = None,
        days_to_close: int | None = None,
        remark: str = "",
        case_type: str = "执",
    ) -> Enforcement:
        rng = self.rng
        where = basis.committee_district if basis else self._area_code_of(respondent)
        court_code, court_name = self.court(where)
        closed = _after(filed, days_to_close or rng.randint(30, 240)) if method else None
        enforcements = self.world.enforcements
        # Positional, as in arbitration(): three million at province.
        case = Enforcement(
            self._next_uid(enforcements),  # uid
            court_code,
            court_name,
            applicant,
            respondent,
            cause  # cause
            or ("追索劳动报酬纠纷" if basis else rng.choice(vocab.NON_WAGE_ENFORCEMENT_CAUSES)),
            basis,
            "" if basis else self.judgment_number(court_code, filed),  # basis_text
            self.shared_day(filed),
            closed,
            method,
            target_fen,
            executed_fen,
            method == "终结本次执行程序" and rng.random() < 0.8,  # dishonest
            remark,
            "",  # case_no: numbered once all cases exist
            case_type,
        )
        enforcements.append(case)
        return case

    def judgment_number(self, court_code: str, before: date) -> str:
        year = before.year - (1 if before.month < 4 else 0)
        key = (court_code, year)
        getrandbits = self.rng.getrandbits
        step = getrandbits(6)  # randint(1, 40), as the stream draws it
        while step >= 40:
            step = getrandbits(6)
        number = self._judgment_seq[key] = self._judgment_seq.get(key, 0) + 1 + step
        return f"（{year}）{court_code}民初{number}号"

    def court(self, area_code: str) -> tuple[str, str]:
        """(court code, court name) of the basic court for an area code."""
        # One pair of strings per court, not per case: a province has millions of cases.
        court = self._courts.get(area_code)
        if court is None:
            court = self._courts[area_code] = self._court(area_code)
        return court

    def _court(self, area_code: str) -> tuple[str, str]:
        gazetteer = load_gazetteer()
        place = gazetteer.by_code(area_code)
        if place is None or place.level == "city":  # cities without districts: 第一人民法院
            city = place or gazetteer.by_code(self.focus_city)
            assert city is not None
            return f"粤{city.code[2:4]}71", f"{city.name}第一人民法院"
        city = gazetteer.by_code(place.parent_code or "")
        assert city is not None
        return f"粤{area_code[2:6]}", f"{city.name}{place.name}人民法院"

    def _area_code_of(self, party: Party) -> str:
        """Where a case against ``party`` is heard: its own district when that is a home area."""
        if isinstance(party, Company) and party.district_code in self._committees:
            return party.district_code
        return self._home_area_code()

    def _home_area_code(self) -> str:
        city, district = self.rng.choice(self.home_areas)
        return (district or city).code

    # ----- finishing --------------------------------------------------------------------

    def number_cases(self) -> None:
        """Give every case its number, in filing order within committee/court and year.

        Filing order is (filed, uid); a kind's records are in uid order already (each
        factory appends the record whose uid is the list's next place), so one stable sort
        by filing day gives it."""
        counters: dict[tuple[str, int], int] = defaultdict(int)
        templates = self._case_templates
        for case in sorted_by(self.world.arbitrations, "filed"):
            year = case.filed.year
            key = (case.committee_prefix, year)
            number = counters[key] = counters[key] + 1
            case.case_no = templates[case.committee_district].format(year=year, n=number)
        # 执 cases are numbered as before; 执恢 / 执异 / 执保 each have their own sequence
        # (最高人民法院《关于人民法院案件案号的若干规定》: one sequence per case type).
        typed: dict[tuple[str, int, str], int] = defaultdict(int)
        for enforcement in sorted_by(self.world.enforcements, "filed"):
            year, kind, court = (
                enforcement.filed.year,
                enforcement.case_type,
                enforcement.court_code,
            )
            if kind == "执":
                key = (court, year)
                number = counters[key] = counters[key] + 1
            else:
                typed_key = (court, year, kind)
                number = typed[typed_key] = typed[typed_key] + 1
            enforcement.case_no = f"（{year}）{court}{kind}{number}号"


def _after(day: date, days: int) -> date:
    """``day`` plus ``days`` days, the calendar's one date object for it."""
    at = day.toordinal() + days - _CALENDAR_START
    return _CALENDAR[at] if 0 <= at < len(_CALENDAR) else day + timedelta(days=days)


def _areas(children: list[Place], city: Place) -> list[Area]:
    districts = [c for c in children if c.level == "district"]
    return [(city, d) for d in districts] if districts else [(city, None)]


def _committee_prefixes(areas: list[Area]) -> dict[str, str]:
    """Case-number prefix of each area's arbitration committee, unique per area."""
    prefixes: dict[str, str] = {}
    taken: set[str] = set()
    abbreviations, mark = city_abbreviations(), committee_mark()
    for city, district in areas:
        abbreviation = abbreviations.get(city.code, city.short_name[0])
        if district is None:
            prefix = f"{abbreviation}{mark}案字"
            code = city.code
        else:
            short = district.short_name
            prefix = f"{abbreviation}{short[0]}{mark}案字"
            if prefix in taken:
                prefix = f"{abbreviation}{short}{mark}案字"
            code = district.code
        taken.add(prefix)
        prefixes[code] = prefix
    return prefixes


def committee_templates(areas: list[Area], style: str) -> dict[str, str]:
    """Each area's arbitration case-number template ({year}, {n}) in a numbering style.

    ``default``: 佛三劳人仲案字〔2024〕第12号. ``no_di``: 深南劳人仲案〔2024〕12号.
    ``district_square``: the district's short name, square brackets, 惠阳劳人仲字[2024]第56号.
    ``year_first``: the year first, the district's first character, (2024)端劳人仲案字第12号.
    Every template is unique, so no two committees can issue the same number.
    """
    prefixes = _committee_prefixes(areas)
    abbreviations, mark = city_abbreviations(), committee_mark()
    templates: dict[str, str] = {}
    taken: set[str] = set()
    for city, district in areas:
        code = (district or city).code
        prefix = prefixes[code]
        abbreviation = prefix.removesuffix(f"{mark}案字")
        city_abbreviation = abbreviations.get(city.code, city.short_name[0])
        if style == "no_di":
            label, template = abbreviation, f"{abbreviation}{mark}案〔{{year}}〕{{n}}号"
        elif style == "district_square":
            label = district.short_name if district else city_abbreviation
            label = label if label not in taken else city_abbreviation + label
            template = f"{label}{mark}字[{{year}}]第{{n}}号"
        elif style == "year_first":
            label = district.short_name[0] if district else city_abbreviation
            label = label if label not in taken else abbreviation
            template = f"({{year}}){label}{mark}案字第{{n}}号"
        else:
            label, template = prefix, f"{prefix}〔{{year}}〕第{{n}}号"
        taken.add(label)
        templates[code] = template
    return templates


def _industries(knobs: WorldKnobs) -> dict[str, tuple[str, ...]]:
    if not knobs.extra_industries:
        return vocab.INDUSTRY_WORDS
    words = dict(vocab.INDUSTRY_WORDS)
    words["other"] = words["other"] + knobs.extra_industries
    return words


CAPITAL_WAN = {  # registered capital (万元) by kind of company: (lowest, highest)
    "developer": (1000, 50000),
    "contractor": (2000, 30000),
    "labour": (200, 2000),
    "specialist": (500, 5000),
    "other": (10, 1000),
}


def _capital_wan(rng: random.Random, kind: str) -> int:
    low, high = CAPITAL_WAN[kind]
    return rng.randint(low, high) // 10 * 10
