"""Write the default-rendered tables the way a dialect's agencies do.

The renderers (:mod:`screening.synth.render`) write each source in the default
conventions; :func:`restyle` turns those tables into the dialect's: its files and sheets,
its headers and column order (absent columns dropped), its remark phrasings (or the
performance facts moved to a 履行情况 column), the committee's full name in a column of
its own, and its clerks' naming habits. Every change to a name cell is made to the
mention the ground truth records for it too, so the truth stays exact.

The default dialect passes tables through untouched, one at a time, so its random
streams and its bytes are exactly what they were before dialects existed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace

from screening.gazetteer import load_gazetteer
from screening.synth import names, vocab
from screening.synth.dialect import COMMITTEE_NAME, PERFORMANCE, Dialect, Layout
from screening.synth.model import Arbitration, World
from screening.synth.render import Cell, Mention, Table

REMARK = "备注"
SITE = "涉及项目"
# Name columns whose USCC sits in another column, for a branch typed with its head
# office's code; and the columns where a natural person may carry a note.
USCC_OF = {
    "建设单位": "建设单位统一社会信用代码",
    "施工总承包单位": "施工总承包单位统一社会信用代码",
    "总承包单位": "总承包单位统一社会信用代码",
    "被申请人": "被申请人统一社会信用代码",
    "被执行人": "被执行人证照号码",
}
RESPONDENT_COLUMNS = ("被申请人", "被执行人")


def restyle(
    source: str, tables: Iterable[Table], dialect: Dialect, world: World, rng: random.Random
) -> Iterator[Table]:
    """The source's tables as the dialect writes them (the default: unchanged, lazily)."""
    layout = dialect.layouts.get(source)
    if layout is None:
        yield from tables
        return
    styler = _Styler(dialect, world, rng)
    if "{year}" in layout.files:
        for table in tables:
            yield styler.table(table, layout, _year(table.path))
        return
    merged = _merge(list(tables))
    if merged is not None:
        yield styler.table(merged, layout, None)


def _year(path: str) -> str:
    found = re.search(r"_(\d{4})\.", path)
    return found.group(1) if found else ""


def _merge(tables: list[Table]) -> Table | None:
    """Yearly tables as one (rows stay in filing order: the yearly files are in order)."""
    if not tables:
        return None
    first = tables[0]
    merged = replace(first, rows=[], mentions=[], records=[])
    for table in tables:
        merged.rows.extend(table.rows)
        merged.mentions.extend(table.mentions)
        merged.records.extend(table.records)
    return merged


class _Styler:
    def __init__(self, dialect: Dialect, world: World, rng: random.Random) -> None:
        self.dialect = dialect
        self.world = world
        self.rng = rng
        self.companies = {company.uscc: company for company in world.companies}
        self.persons = {f"P{person.uid:07d}": person for person in world.persons}

    def table(self, table: Table, layout: Layout, year: str | None) -> Table:
        index = {header: i for i, header in enumerate(table.headers)}
        rows: list[list[Cell]] = []
        mentions: list[list[Mention]] = []
        for number, row in enumerate(table.rows):
            row = list(row)
            record = table.records[number] if table.records else None
            derived = self._remarks(row, index, record)
            if isinstance(record, Arbitration):
                derived[COMMITTEE_NAME] = committee_name(record.committee_district)
                self._site_statement(row, index)
            row_mentions = [self._habit(row, index, mention) for mention in table.mentions[number]]
            rows.append([_field(row, index, derived, name) for _, name in layout.columns])
            mentions.append(
                [
                    mention._replace(column=header)
                    for mention in row_mentions
                    if (header := layout.header_of(mention.column)) is not None
                ]
            )
        fill = {"year": year or ""}
        return replace(
            table,
            path=layout.files.format(**fill),
            headers=layout.headers,
            rows=rows,
            mentions=mentions,
            title=layout.title.format(**fill) if layout.title else None,
            encoding=layout.encoding,
            sheet=layout.sheet,
            records=[],
        )

    # ----- remarks ----------------------------------------------------------------------

    def _remarks(self, row: list[Cell], index: dict[str, int], record: object) -> dict[str, Cell]:
        """Rephrase the remark; move performance facts to 履行情况 where the dialect does."""
        derived: dict[str, Cell] = {PERFORMANCE: ""}
        if REMARK not in index:
            return derived
        at = index[REMARK]
        text = str(row[at] or "")
        category = vocab.REMARK_CATEGORIES.get(text)
        if category is not None and category in self.dialect.remarks:
            text = self.rng.choice(self.dialect.remarks[category])
        if category is not None and category in self.dialect.performance_categories:
            derived[PERFORMANCE], text = text, ""
        elif (
            isinstance(record, Arbitration)
            and self.dialect.performance_unpaid
            and record.in_worker_favour
            and record.closed is not None
            and record.closed <= self.world.extract_date
        ):
            derived[PERFORMANCE] = self.dialect.performance_unpaid
        row[at] = text
        return derived

    # ----- clerks' habits ---------------------------------------------------------------

    def _site_statement(self, row: list[Cell], index: dict[str, int]) -> None:
        """The site as the worker put it (在碧桂花园一期项目做木工), where the dialect's
        clerks copy the application's words."""
        share = self.dialect.habits.get("site_statement", 0.0)
        at = index.get(SITE)
        if not share or at is None or not row[at]:
            return
        if self.rng.random() < share:
            row[at] = self.rng.choice(self.dialect.site_statements).format(site=row[at])

    def _habit(self, row: list[Cell], index: dict[str, int], mention: Mention) -> Mention:
        habits = self.dialect.habits
        if mention.variant == "registry" or not habits:
            return mention
        if mention.entity_kind == "person":
            person = self.persons[mention.entity_key]
            share = habits.get("person_note", 0.0)
            if mention.column in RESPONDENT_COLUMNS and self.rng.random() < share:
                typed = person.name + self.rng.choice(self.dialect.person_notes)
                row[index[mention.column]] = typed
                return mention._replace(typed=typed, variant="person_note")
            return mention
        company = self.companies[mention.entity_key]
        uscc_column = USCC_OF.get(mention.column, "")
        if (
            company.parent is not None
            and uscc_column in index
            and row[index[uscc_column]] == company.uscc
            and self.rng.random() < habits.get("branch_head_uscc", 0.0)
        ):  # a branch (分公司) typed with its head office's code
            row[index[uscc_column]] = company.parent.uscc
            return mention._replace(variant="branch_head_uscc")
        if self.rng.random() < habits.get("industry_short", 0.0):
            short = names.industry_short(self.rng, company)
            if short is not None:
                row[index[mention.column]] = short
                return mention._replace(typed=short, variant="industry_short")
        return mention


def _field(row: list[Cell], index: dict[str, int], derived: dict[str, Cell], name: str) -> Cell:
    if name in derived:
        return derived[name]
    return row[index[name]]


def committee_name(area_code: str) -> str:
    """The committee's full name: 佛山市南海区劳动人事争议仲裁院 (a city's: …仲裁委员会)."""
    gazetteer = load_gazetteer()
    place = gazetteer.by_code(area_code)
    if place is None:
        return ""
    if place.level == "city":
        return f"{place.name}劳动人事争议仲裁委员会"
    city = gazetteer.by_code(place.parent_code or "")
    return f"{city.name if city else ''}{place.name}劳动人事争议仲裁院"
