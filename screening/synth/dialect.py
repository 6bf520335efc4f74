"""A dialect: how one region's agencies write the world down, and how that world behaves.

The engine was first written against one set of conventions (the ``default`` dialect:
the headers, files and phrasings of :mod:`screening.synth.render`). Real agencies differ
in headers, column order, which optional columns they keep at all, file names, sheets and
encodings, case-number forms, remark phrasings and clerks' habits; and the law leaves
room for the world itself to differ (where a committee sits, which labour causes come
up). A :class:`Dialect` holds one consistent set of such choices; each lives in its own
data module under :mod:`screening.synth.dialects`.

The default dialect changes nothing: a world generated with it is byte-identical to one
generated before dialects existed (``sample_data/`` is checked against it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from screening.synth import vocab

SOURCES = ("registry", "projects", "deposits", "arbitration", "enforcement")
# Columns a dialect adds that the default rendering has no header for: the generator
# fills them from the true record (see :mod:`screening.synth.restyle`).
COMMITTEE_NAME = "@committee_name"  # the arbitration committee's full name
PERFORMANCE = "@performance"  # 履行情况: performance facts the default keeps in 备注

# Case-number styles of arbitration committees (see Builder.committee_template).
ARBITRATION_STYLES = ("default", "no_di", "district_square", "year_first")


@dataclass(frozen=True)
class Layout:
    """One source as the dialect's agency exports it.

    ``columns`` are (agency header, field) in file order; a field is a header of the
    default rendering (render.py) or one of the derived fields above. A default header
    not listed is a column this agency does not keep.
    """

    files: str  # path under extracts/; "{year}" splits the source by filing year
    columns: tuple[tuple[str, str], ...]
    encoding: str = "utf-8"  # csv only: utf-8 | utf-8-sig | gbk
    title: str | None = None  # a title row above the header; "{year}" is filled in
    sheet: str | None = None  # xlsx sheet name (default: from the file name)

    @property
    def headers(self) -> list[str]:
        return [header for header, _ in self.columns]

    def header_of(self, source_field: str) -> str | None:
        """The agency header holding ``source_field``, or None when the column is absent."""
        return next((h for h, f in self.columns if f == source_field), None)


@dataclass(frozen=True)
class WorldKnobs:
    """How the world behaves; every default reproduces the original generator exactly."""

    focus_city: str = "440600"  # the procuratorate's city (GB/T 2260): 佛山
    banks: tuple[str, ...] = vocab.BANKS  # creditors of non-wage enforcement
    arbitration_style: str = "default"  # one of ARBITRATION_STYLES
    # Share of project cases heard where the employer is registered rather than where the
    # work was done (劳动争议调解仲裁法 第21条 allows either).
    committee_at_employer: float = 0.0
    enforcement_case_types: bool = False  # 执异 / 执保 cases in the court docket
    restored_decoys: bool = False  # 终本 cases restored (执恢): ZB-WITH-ASSETS decoys
    non_wage_decoys: bool = False  # 经济补偿金 / 二倍工资差额 awards as decoys
    other_labour_causes: tuple[str, ...] = vocab.OTHER_LABOUR_CAUSES
    extra_industries: tuple[str, ...] = ()  # more industry words for "other" companies
    fake_claim_guard: bool = True  # plant FAKE-CLAIM (needs somewhere to say "IOU only")


@dataclass(frozen=True)
class Dialect:
    name: str
    description: str
    holdout: bool = False
    world: WorldKnobs = field(default_factory=WorldKnobs)
    # Per source; a source without a layout is written as the default renders it.
    layouts: dict[str, Layout] = field(default_factory=dict)
    # Remark category (vocab.REMARK_CATEGORIES) -> this dialect's phrasings of that fact.
    remarks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Remark categories written in 履行情况 (PERFORMANCE) instead of 备注.
    performance_categories: frozenset[str] = frozenset()
    # What 履行情况 says of an award in the worker's favour with no performance fact.
    performance_unpaid: str = ""
    # Clerks' habits: variant -> share of eligible mentions (industry_short, person_note,
    # branch_head_uscc), or of cases with a site (site_statement).
    habits: dict[str, float] = field(default_factory=dict)
    person_notes: tuple[str, ...] = ()
    # The worker's own words for the site, {site} the clerk's site text (site_statement).
    site_statements: tuple[str, ...] = ()
    # Per source: canonical column -> manifest derivation, for columns the dialect lacks.
    derive: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.habits.get("site_statement") and not self.site_statements:
            raise ValueError(f"dialect {self.name}: a site_statement habit needs site_statements")

    @property
    def is_default(self) -> bool:
        return not self.layouts and self.world == WorldKnobs() and not self.remarks
