"""Record links: which project a deposit is for, which project a case's site names, which
enforcement cases enforce an award — each with its method and confidence.

Links are facts about two records, whatever the as-of date: the features read them and the
as-of masks of :mod:`screening.features` decide whether each end is visible yet. Every
link is one row of ``record_links`` (link, from_file, from_row, to_file, to_row, method,
confidence), replaced as a whole after each entity resolution, because links follow the
entities (a deposit belongs to its contractor's project).

- **deposit_project**: by permit number (1.0); the contractor breaks ties between two
  projects with the number; a deposit without one goes to its contractor's project whose
  name contains the deposit's (0.9) and whose permit is nearest the deposit date, not to
  a namesake permitted long before it; when its contractor cannot be told, the one project
  whose name holds the deposit's, permitted shortly before it (0.7); two equally near
  leave it unlinked.
- **award_project**: a case's site text (涉及项目), trimmed of district and suffix words,
  contained in a project's name. A committee hears a case where the work was done or where
  the employer is (劳动争议调解仲裁法 第二十一条): a project in the committee's place
  (0.9), else, when the employer is registered there, a project in the same city (0.7);
  the project must be permitted by the filing and not finished long before it. Of the
  candidates, those built by the respondent itself and still being built at the filing
  are the most plausible; when several namesake projects stay equally plausible (two
  保利名苑 in one district) the case is left unlinked.
- **award_site**: each of a case's most plausible projects (the award_project's one, or
  every namesake: 0.9 shared among them): the site is a construction project, whichever.
- **award_contractor_site**: a case against a project's own general contractor whose site
  text the project's name contains (0.95), whatever the committee and the dates: many
  namesake estates share a site name, the contractor tells them apart.
- **award_enforcement**: the enforcement's basis (执行依据) is the case number, once both are
  normalised (1.0); or the same worker and employer after the award took effect, as when
  a judgment replaced the award (0.8), the worker known by ID number, or by name where
  one side has no ID number (0.7).
- **enforcement_restored**: a case closed as 终本 and the first later case that restores it
  (a restored case, @restored_case: 执恢 in the Supreme People's Court's case numbers),
  filed once the 终本 closed, against the same debtor on the same basis (1.0) or for the
  same applicant (0.8). A restored 终本 is a 终本 no more; the court found something.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import polars as pl
from pydantic import BaseModel, ConfigDict, Field
from sqlglot import exp

from screening.committees import committee_place, committee_sql
from screening.errors import RuleError
from screening.features.vocabulary import FEATURES_LIBRARY, Vocabulary, library_vocabulary
from screening.gazetteer import load_gazetteer
from screening.resolve.registry import registration_area_sql
from screening.store import empty_table
from screening.yamlsource import load_yaml, validation_errors

LINKS_FILE = "links.yaml"
# link -> (table it links from, table it links to)
LINKS: dict[str, tuple[str, str]] = {
    "deposit_project": ("deposits", "projects"),
    "award_project": ("arbitrations", "projects"),
    "award_site": ("arbitrations", "projects"),
    "award_enforcement": ("arbitrations", "enforcements"),
    "award_contractor_site": ("arbitrations", "projects"),
    "enforcement_restored": ("enforcements", "enforcements"),
}
ENTITY_COLUMNS = ("entity_id", "kind", "name", "uscc", "place", "in_registry", "mentions")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Days(_Strict):
    default: int = Field(ge=0)
    unit: str
    description: str = ""


class LinkSettings(_Strict):
    """The numbers the links use (``features/links.yaml``)."""

    deposit_before_permit_days: Days
    deposit_name_only_days: Days
    finished_before_filing_days: Days
    min_site_length: Days


@dataclass(frozen=True)
class _Sources:
    """SQL for the records a link reads: one per row (duplicates skipped), with entities."""

    projects = """SELECT t.source_file, t.source_row, t.project_no, t.project_name,
                         t.permit_no, t.permit_date, t.completion_date,
                         CASE WHEN regexp_matches(t.permit_no, '^[0-9]{6}')
                              THEN left(t.permit_no, 6) END AS area,
                         c.entity_id AS contractor_id
                  FROM projects t LEFT JOIN mentions c ON c.source_table = 'projects'
                    AND c.role = 'contractor_name' AND c.source_file = t.source_file
                    AND c.source_row = t.source_row
                  WHERE t.duplicate_of_row IS NULL AND t.project_no IS NOT NULL
                  QUALIFY row_number() OVER (PARTITION BY t.project_no
                                             ORDER BY t.source_file, t.source_row) = 1
                  ORDER BY t.source_file, t.source_row"""
    awards = """SELECT t.source_file, t.source_row, t.case_no, t.project_text,
                       t.applicant_id_hash AS applicant_hash, t.applicant_name,
                       t.filed_date, t.effective_date,
                       r.entity_id AS respondent_id, e.place AS respondent_place
                FROM arbitrations t LEFT JOIN mentions r ON r.source_table = 'arbitrations'
                  AND r.role = 'respondent_name' AND r.source_file = t.source_file
                  AND r.source_row = t.source_row
                LEFT JOIN entities e ON e.entity_id = r.entity_id
                WHERE t.duplicate_of_row IS NULL AND t.case_no IS NOT NULL
                QUALIFY row_number() OVER (PARTITION BY t.case_no
                                           ORDER BY t.source_file, t.source_row) = 1"""


def write_links(
    con: duckdb.DuckDBPyConnection,
    vocabulary: Vocabulary | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Replace ``record_links`` with the links of the records and entities now in the
    database; the number of links of each kind. ``progress`` hears each step."""
    vocabulary = vocabulary or library_vocabulary()
    settings = link_settings()
    say = progress or (lambda _step: None)
    staged = _staged(vocabulary)
    # (what it links, its query, the query's parameters, whether it sorts its links itself)
    steps: list[tuple[str, str, dict[str, int], bool]] = [
        (
            "deposits to projects",
            _deposit_project(vocabulary),
            {
                "lead_days": settings.deposit_before_permit_days.default,
                "name_only_days": settings.deposit_name_only_days.default,
            },
            False,
        ),
        (
            "cases to their sites",
            _AWARD_PROJECT,
            {
                "finished_days": settings.finished_before_filing_days.default,
                "min_site": settings.min_site_length.default,
            },
            True,
        ),
        ("cases to their contractor's sites", _AWARD_CONTRACTOR_SITE, {}, False),
        ("awards to their enforcement", _award_enforcement(vocabulary), {}, False),
        ("终本 cases to their restoring", _enforcement_restored(vocabulary), {}, False),
    ]
    con.register("committee_places", _committee_places(con))
    try:
        con.begin()
        empty_table(con, "record_links")
        say("linking records: the records they read")
        for table, sql in staged.items():
            # Computed once per write, not once for each link that reads it.
            con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {sql}")
        for number, (what, links, parameters, ordered) in enumerate(steps, start=1):
            say(f"linking records: {what} ({number} of {len(steps)})")
            # In one order, whatever the threads did: the same records, the same table. An
            # ``ordered`` query sorts its links itself, in the order of ALL.
            sql = links if ordered else f"SELECT * FROM ({links}) ORDER BY ALL"
            con.execute(f"INSERT INTO record_links {sql}", parameters)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        for table in staged:
            con.execute(f"DROP TABLE IF EXISTS {table}")
        con.unregister("committee_places")
    return dict(
        con.execute("SELECT link, count(*) FROM record_links GROUP BY 1 ORDER BY 1").fetchall()
    )


@cache
def link_settings(folder: Path = FEATURES_LIBRARY) -> LinkSettings:
    document = load_yaml(folder / LINKS_FILE, error=RuleError)
    try:
        return LinkSettings.model_validate(document.data)
    except Exception as exc:
        problems = validation_errors(document, exc, LinkSettings, error=RuleError)  # type: ignore[arg-type]
        raise RuleError("; ".join(map(str, problems)), where=str(document.path)) from None


def _staged(vocabulary: Vocabulary) -> dict[str, str]:
    """The record sets several links read, as temporary tables: name → SQL, in the order
    they are made.

    - ``link_projects``: :attr:`_Sources.projects`.
    - ``link_project_pieces``: every three characters of each project's name. A text of
      three characters or more that a project's name holds shares each of its own with
      it, so the projects that may hold a text are found by a join on one of them.
    - ``link_awards``: :attr:`_Sources.awards`, each with its site (:func:`site_core`),
      its case number's key (:func:`case_key`), the committee that heard it and where
      the employer is registered: its code's area (a district), else the place its name
      gives (often only the city).

    Projects and awards are kept in (file, row) order, so that their row numbers sort
    as their files and rows do (:data:`_AWARD_PROJECT` sorts by them).
    """
    return {
        "link_projects": _Sources.projects,
        "link_project_pieces": """
            SELECT DISTINCT project_no, permit_date, substr(project_name, i::INTEGER, 3) AS piece
            FROM (SELECT project_no, permit_date, project_name,
                         unnest(range(1, length(project_name) - 1)) AS i
                  FROM link_projects)""",
        "link_awards": f"""
            SELECT w.*, {site_core("w.project_text", vocabulary)} AS site,
                   {case_key("w.case_no", vocabulary)} AS case_key,
                   c.code AS committee_code, c.level AS committee_level,
                   coalesce(CASE WHEN starts_with(w.respondent_id, 'C-')
                                 THEN {registration_area_sql("w.respondent_id")} END,
                            w.respondent_place) AS employer_area
            FROM ({_Sources.awards}) w
            LEFT JOIN committee_places c ON c.committee = {committee_sql("w.case_no")}
            ORDER BY w.source_file, w.source_row""",
    }


def _deposit_project(vocabulary: Vocabulary) -> str:
    suffix = vocabulary["deposit_project_suffix"].pattern()
    return f"""
        WITH d AS (
            SELECT t.source_file, t.source_row, t.permit_no, t.project_name, t.deposit_date,
                   regexp_replace(t.project_name, '{suffix}', '') AS name_core,
                   c.entity_id AS contractor_id
            FROM deposits t LEFT JOIN mentions c ON c.source_table = 'deposits'
              AND c.role = 'contractor_name' AND c.source_file = t.source_file
              AND c.source_row = t.source_row
            WHERE t.duplicate_of_row IS NULL),
        p AS (FROM link_projects),
        pieces AS (FROM link_project_pieces),
        -- Of each unpermitted deposit's name, the three characters fewest projects' names
        -- have: the projects whose name holds it are among those few (a join, not every
        -- deposit beside every project; 佛山市 would find thousands).
        rarest AS (
            SELECT source_file, source_row, name_core, deposit_date, contractor_id,
                   arg_min(piece, (projects, piece)) AS piece
            FROM (SELECT *, substr(name_core, i::INTEGER, 3) AS piece
                  FROM (SELECT *, unnest(range(1, length(name_core) - 1)) AS i FROM d
                        WHERE permit_no IS NULL AND length(name_core) >= 4))
            JOIN (SELECT piece, count(*) AS projects FROM pieces GROUP BY piece) USING (piece)
            GROUP BY source_file, source_row, name_core, deposit_date, contractor_id),
        candidates AS (
            SELECT d.source_file, d.source_row, p.project_no, p.contractor_id,
                   'permit_no' AS method, 1.0 AS confidence, 0 AS days_from_permit
            FROM d JOIN p ON p.permit_no = d.permit_no
            UNION ALL
            SELECT d.source_file, d.source_row, p.project_no, p.contractor_id,
                   'name_contractor', 0.9, abs(date_diff('day', p.permit_date, d.deposit_date))
            FROM d JOIN p ON p.contractor_id = d.contractor_id
            WHERE d.permit_no IS NULL AND contains(p.project_name, d.name_core)
              AND d.deposit_date >= p.permit_date - to_days($lead_days::INTEGER)
            UNION ALL
            -- A contractor typed so that it cannot be told (惠东安锦建筑工程股份 as a new
            -- entity): the project whose name holds the deposit's, permitted within days
            -- of the deposit (0.7); the contractor's own projects rank first.
            SELECT r.source_file, r.source_row, p.project_no, p.contractor_id,
                   'name_date', 0.7, abs(date_diff('day', p.permit_date, r.deposit_date))
            FROM rarest r JOIN pieces s ON s.piece = r.piece
              AND r.deposit_date BETWEEN s.permit_date - to_days($lead_days::INTEGER)
                                     AND s.permit_date + to_days($name_only_days::INTEGER)
            JOIN p ON p.project_no = s.project_no AND contains(p.project_name, r.name_core)
            WHERE p.contractor_id IS DISTINCT FROM r.contractor_id),
        -- A deposit is due soon after the permit: of a contractor's projects whose name
        -- holds the deposit's, the one permitted nearest the deposit date; two equally near
        -- leave the deposit unlinked rather than given to the wrong one.
        ranked AS (
            SELECT c.*, rank() OVER (
                       PARTITION BY c.source_file, c.source_row
                       ORDER BY c.contractor_id IS DISTINCT FROM d.contractor_id,
                                c.days_from_permit) AS plausibility
            FROM candidates c JOIN d USING (source_file, source_row)),
        picked AS (
            SELECT source_file, source_row,
                   struct_pack(project_no := min(project_no), method := min(method),
                               confidence := min(confidence)) AS pick
            FROM ranked WHERE plausibility = 1
            GROUP BY source_file, source_row
            HAVING count(DISTINCT project_no) = 1)
        SELECT 'deposit_project', picked.source_file, picked.source_row, p.source_file,
               p.source_row, picked.pick.method, picked.pick.confidence
        FROM picked JOIN p ON p.project_no = picked.pick.project_no"""


def site_core(column: str, vocabulary: Vocabulary) -> str:
    """A site as arbitration clerks type it, estate and phase only: 禅城碧桂花园一期工地,
    碧桂花园一期项目部, or the worker's own words, 在禅城区碧桂花园一期项目做木工.

    In turn: the lead word (``site_lead``); what the worker did there, when it ends the
    text (``site_work``: 做木工, 打工（杂工）, but not the 打工 of 打工子弟学校扩建工程 or the
    务工 of 外来务工人员公寓项目, which a site word follows); a suffix (``site_suffix``); a
    leading district, by its full name or its short one (台山市, 禅城区, 禅城)."""
    districts = sorted(
        {p.name for p in load_gazetteer().places("district")}
        | {p.short_name for p in load_gazetteer().places("district") if len(p.short_name) >= 2},
        key=lambda name: (-len(name), name),
    )
    # At most a few more characters after the work word, none of them a site word's.
    work = f"({vocabulary['site_work'].pattern()})[^项目部地程]{{0,6}}$"
    text = f"regexp_replace({column}, '{vocabulary['site_lead'].pattern()}', '')"
    text = f"regexp_replace({text}, '{work}', '')"
    text = f"regexp_replace({text}, '{vocabulary['site_suffix'].pattern()}', '')"
    return f"regexp_replace({text}, '^({'|'.join(districts)})', '')"


def _committee_places(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The place of each committee named in a case number (screening.committees)."""
    committees = [
        row[0]
        for row in con.execute(
            f"""SELECT DISTINCT {committee_sql("case_no")} FROM arbitrations
                WHERE case_no IS NOT NULL"""
        ).fetchall()
        if row[0] is not None
    ]
    places = [committee_place(committee) for committee in committees]
    return pl.DataFrame(
        {
            "committee": committees,
            "code": [place.code if place else None for place in places],
            "level": [place.level if place else None for place in places],
        },
        schema={"committee": pl.String, "code": pl.String, "level": pl.String},
    )


# A province's million cases meet several million (case, project) candidates: each case is
# known by its row's number in ``link_awards`` (``case_id``), and candidates are ranked by
# grouping on that number rather than by window functions over the file and row (four
# times the work). Only the columns the ranking reads are carried through the candidates.
_AWARD_PROJECT = """
    WITH sites AS (SELECT DISTINCT site FROM link_awards WHERE length(site) >= $min_site),
    named AS (
        SELECT t.site, left(p.area, 4) AS city, p.project_no, p.area, p.contractor_id,
               p.permit_date, p.completion_date
        FROM sites t JOIN link_project_pieces s ON s.piece = substr(t.site, 1, 3)
        JOIN link_projects p ON p.project_no = s.project_no
        WHERE contains(p.project_name, t.site)),
    -- Each case beside the projects its site may be, built by the filing date and not
    -- finished long before it. Every ground of jurisdiction below puts the project in the
    -- committee's city (the first four digits of its area): a case is joined to its
    -- city's namesakes only, not to every estate of the province called 碧桂花园; a case
    -- whose committee is unknown, to all.
    --
    -- Either ground of jurisdiction: the work was done in the committee's place, or the
    -- employer is registered there (then the site is looked for in the same city). The
    -- most plausible projects of each case: built by the respondent itself, still being
    -- built when the case was filed (``doubt`` 0 is best). Not the ground: where the
    -- employer is registered in the committee's place, a project there and one elsewhere
    -- in the city are both possible sites (第二十一条 gives the worker the choice).
    candidates AS (
        SELECT case_id, project_no,
               CASE WHEN committee_code IS NULL THEN 1
                    WHEN area = committee_code OR committee_level = 'city' THEN 0
                    ELSE 2 END AS ground,
               2 * coalesce(contractor_id <> respondent_id, true)::INTEGER
                 + coalesce(completion_date < filed_date, false)::INTEGER AS doubt
        FROM (SELECT a.rowid AS case_id, a.filed_date, a.respondent_id, a.committee_code,
                     a.committee_level, a.employer_area, n.project_no, n.area,
                     n.contractor_id, n.permit_date, n.completion_date
              FROM link_awards a
              JOIN named n ON n.site = a.site AND n.city = left(a.committee_code, 4)
              UNION ALL
              SELECT a.rowid, a.filed_date, a.respondent_id, a.committee_code,
                     a.committee_level, a.employer_area, n.project_no, n.area,
                     n.contractor_id, n.permit_date, n.completion_date
              FROM link_awards a JOIN named n USING (site)
              WHERE a.committee_code IS NULL)
        WHERE permit_date <= filed_date
          AND (completion_date IS NULL
               OR completion_date >= filed_date - to_days($finished_days::INTEGER))
          AND (committee_code IS NULL OR area = committee_code OR committee_level = 'city'
               -- the employer registered in the committee's district, or its district
               -- unknown (no code, a name that gives only the city): the committee may
               -- sit at the employer's seat, so the work may be anywhere in the city
               OR employer_area = committee_code OR employer_area IS NULL
               OR (ends_with(employer_area, '00')
                   AND left(employer_area, 4) = left(committee_code, 4)))),
    -- Namesake estates (two 保利名苑 projects in one district): a case whose most
    -- plausible projects are several is linked to none of them as its project
    -- (award_project), but to each as a possible site (award_site), so a rule that needs
    -- only "some general contractor built this site" can still use it.
    best AS (
        SELECT c.case_id, c.project_no, c.ground
        FROM candidates c
        SEMI JOIN (SELECT case_id, min(doubt) AS doubt FROM candidates GROUP BY case_id) m
          ON m.case_id = c.case_id AND m.doubt = c.doubt),
    counted AS (
        SELECT b.*, n.namesakes
        FROM best b JOIN (SELECT case_id, count(*) AS namesakes FROM best GROUP BY case_id) n
          USING (case_id)),
    linked AS (
        SELECT 'award_project' AS link, case_id, project_no,
               CASE ground WHEN 2 THEN 'site_employer_place'
               ELSE 'site_work_place' END AS method,
               CASE ground WHEN 2 THEN 0.7 ELSE 0.9 END AS confidence
        FROM counted WHERE namesakes = 1
        UNION ALL
        SELECT 'award_site', case_id, project_no,
               CASE WHEN namesakes = 1 THEN 'site_unique' ELSE 'site_namesake' END,
               round(0.9 / namesakes, 3)
        FROM counted)
    SELECT l.link, a.source_file, a.source_row, p.source_file, p.source_row,
           l.method, l.confidence
    FROM linked l JOIN link_awards a ON a.rowid = l.case_id
    JOIN link_projects p ON p.project_no = l.project_no
    -- The order of ALL, by row numbers: both staged tables are in (file, row) order
    -- (:func:`_staged`), and a link joins a case to a project once. Sorting the province's
    -- 3.8M links by their file names costs twice as much.
    ORDER BY l.link, l.case_id, p.rowid"""

_AWARD_CONTRACTOR_SITE = """
    SELECT 'award_contractor_site', a.source_file, a.source_row, p.source_file,
           p.source_row, 'site_contractor', 0.95
    FROM link_awards a JOIN link_projects p ON p.contractor_id = a.respondent_id
    WHERE length(a.site) >= 2 AND contains(p.project_name, a.site)"""


def case_key(column: str, vocabulary: Vocabulary) -> str:
    """SQL for a case number without the marks clerks type differently (brackets, 第)."""
    return f"regexp_replace({column}, '{vocabulary['case_number_marks'].pattern()}', '', 'g')"


def _enforcement_rows(vocabulary: Vocabulary) -> str:
    """SQL for the enforcement cases a link reads: one per row (duplicates skipped), with
    the basis's case key, the applicant and the debtor's entity."""
    return f"""
        SELECT t.source_file, t.source_row, t.case_no, t.filed_date, t.closed_date,
               t.close_method, {case_key("t.basis", vocabulary)} AS basis_key,
               t.applicant_code_hash AS applicant_hash, t.applicant_name,
               r.entity_id AS respondent_id
        FROM enforcements t LEFT JOIN mentions r ON r.source_table = 'enforcements'
          AND r.role = 'respondent_name' AND r.source_file = t.source_file
          AND r.source_row = t.source_row
        WHERE t.duplicate_of_row IS NULL"""


def _award_enforcement(vocabulary: Vocabulary) -> str:
    return f"""
        WITH a AS (FROM link_awards),
        e AS ({_enforcement_rows(vocabulary)}),
        linked AS (
            SELECT a.source_file AS from_file, a.source_row AS from_row,
                   e.source_file AS to_file, e.source_row AS to_row,
                   'case_no' AS method, 1.0 AS confidence
            FROM a JOIN e ON e.basis_key = a.case_key
            UNION ALL
            SELECT a.source_file, a.source_row, e.source_file, e.source_row,
                   'same_parties', 0.8
            FROM a JOIN e ON e.applicant_hash = a.applicant_hash
              AND e.respondent_id = a.respondent_id
            WHERE e.filed_date >= a.effective_date
            UNION ALL
            -- A court that does not send the applicant's ID number: the same worker's name
            -- against the same employer after the award took effect.
            SELECT a.source_file, a.source_row, e.source_file, e.source_row,
                   'same_names', 0.7
            FROM a JOIN e ON e.applicant_name = a.applicant_name
              AND e.respondent_id = a.respondent_id
            WHERE e.filed_date >= a.effective_date
              AND (a.applicant_hash IS NULL OR e.applicant_hash IS NULL))
        SELECT 'award_enforcement', from_file, from_row, to_file, to_row,
               arg_max(method, confidence), max(confidence)
        FROM linked GROUP BY ALL"""


def _enforcement_restored(vocabulary: Vocabulary) -> str:
    zb = vocabulary["zb_close"].condition(exp.column("close_method", table="e")).sql("duckdb")
    restored = vocabulary["restored_case"].condition(exp.column("case_no", table="e"))
    return f"""
        WITH e AS ({_enforcement_rows(vocabulary)}),
        zb AS (SELECT * FROM e WHERE coalesce({zb}, false)),
        restoring AS (SELECT * FROM e WHERE coalesce({restored.sql("duckdb")}, false)),
        pairs AS (
            SELECT zb.source_file AS from_file, zb.source_row AS from_row,
                   r.source_file AS to_file, r.source_row AS to_row, r.filed_date,
                   CASE WHEN r.basis_key = zb.basis_key THEN 'basis' ELSE 'same_parties' END
                     AS method,
                   CASE WHEN r.basis_key = zb.basis_key THEN 1.0 ELSE 0.8 END AS confidence
            FROM zb JOIN restoring r ON r.respondent_id = zb.respondent_id
              AND (r.basis_key = zb.basis_key OR r.applicant_hash = zb.applicant_hash
                   OR (coalesce(r.applicant_hash, zb.applicant_hash) IS NULL
                       AND r.applicant_name = zb.applicant_name))
              AND r.filed_date >= coalesce(zb.closed_date, zb.filed_date)
              AND (r.source_file, r.source_row) <> (zb.source_file, zb.source_row))
        SELECT 'enforcement_restored', from_file, from_row,
               arg_min(to_file, (filed_date, to_file, to_row)),
               arg_min(to_row, (filed_date, to_file, to_row)),
               arg_min(method, (filed_date, to_file, to_row)),
               arg_min(confidence, (filed_date, to_file, to_row))
        FROM pairs GROUP BY from_file, from_row"""
