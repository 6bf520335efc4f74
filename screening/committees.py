"""Where a labour-arbitration case was heard, read from its case number.

Guangdong's committees number their cases like 佛三劳人仲案字〔2024〕第12号: the city's
abbreviation (佛 for 佛山, 汕尾 for 汕尾), then for a district's committee most often the
district's first character (三 for 三水). Where that character is another district's too,
each committee has its own habit — 深龙 is 龙岗's and 深华 龙华's; 惠阳's committee writes
惠阳 alone — so the committees' abbreviations as they write them are a list, read first,
and the rule (city, then the district's first character or its short name) reads the
committees the list does not hold. A labour dispute is heard where the contract is
performed or where the employer is (劳动争议调解仲裁法 第二十一条), so the committee's
place is evidence of where the employer is, as a court's is of where a party is.
The list, the city abbreviations and the committee mark are data (``features/names.yaml``).
"""

from __future__ import annotations

import re

from screening.gazetteer import Place, load_gazetteer
from screening.resolve.name_vocabulary import NameVocabulary, name_vocabulary


def city_abbreviations(words: NameVocabulary | None = None) -> dict[str, str]:
    """The abbreviation of each Guangdong city in case numbers (440600 → 佛), from
    ``features/names.yaml``."""
    return (words or name_vocabulary()).city_abbreviations


def committee_mark(words: NameVocabulary | None = None) -> str:
    """劳人仲: how case numbers shorten 劳动人事争议仲裁委员会."""
    return (words or name_vocabulary()).committee_mark


def committee_sql(column: str) -> str:
    """SQL for the committee a case number in ``column`` begins with (佛三劳人仲), or NULL."""
    mark = re.escape(committee_mark()).replace("'", "''")
    return f"nullif(regexp_extract({column}, '^(\\S+?{mark})', 1), '')"


def committee_place(committee: str, words: NameVocabulary | None = None) -> Place | None:
    """The city or district of a committee (佛三劳人仲 → 三水区, 深龙劳人仲 → 龙岗区), or
    None when the text is no committee, names no Guangdong city, or names a district
    ambiguously (汕潮劳人仲: 潮阳 or 潮南)."""
    words = words or name_vocabulary()
    mark = committee_mark(words)
    if not committee.endswith(mark):
        return None
    gazetteer = load_gazetteer()
    listed = words.committees.get(committee)
    if listed is not None:
        return gazetteer.by_code(listed)
    abbreviation = committee.removesuffix(mark)
    # Longest first, so 汕尾 is read as 汕尾, not as 汕头 and a district 尾….
    cities = sorted(city_abbreviations(words).items(), key=lambda item: -len(item[1]))
    for code, city_abbreviation in cities:
        if abbreviation.startswith(city_abbreviation):
            city = gazetteer.by_code(code)
            district = abbreviation[len(city_abbreviation) :]
            if city is None or not district:
                return city
            return _district(gazetteer.children(code), district)
    return None


def _district(districts: list[Place], written: str) -> Place | None:
    """The district written by its short name, or by a beginning no other district shares."""
    exact = [place for place in districts if place.short_name == written]
    starting = [place for place in districts if place.short_name.startswith(written)]
    found = exact or starting
    return found[0] if len(found) == 1 else None
