"""Where a labour-arbitration case was heard, read from its case number.

Guangdong's committees number their cases like 佛三劳人仲案字〔2024〕第12号: the city's
abbreviation (佛 for 佛山, 汕尾 for 汕尾), then for a district's committee the district's
first character (三 for 三水), or its whole short name where another district of the city
begins with the same character. A labour dispute is heard where the contract is
performed or where the employer is (劳动争议调解仲裁法 第二十一条), so the committee's
place is evidence of where the employer is, as a court's is of where a party is.
"""

from __future__ import annotations

from screening.gazetteer import Place, load_gazetteer

# The one-character (汕尾: two) abbreviation of each Guangdong city in case numbers.
CITY_ABBREVIATIONS = {
    "440100": "穗",
    "440200": "韶",
    "440300": "深",
    "440400": "珠",
    "440500": "汕",
    "440600": "佛",
    "440700": "江",
    "440800": "湛",
    "440900": "茂",
    "441200": "肇",
    "441300": "惠",
    "441400": "梅",
    "441500": "汕尾",
    "441600": "河",
    "441700": "阳",
    "441800": "清",
    "441900": "莞",
    "442000": "中",
    "445100": "潮",
    "445200": "揭",
    "445300": "云",
}
COMMITTEE_MARK = "劳人仲"  # 劳动人事争议仲裁委员会, as case numbers shorten it
# Longest first, so 汕尾 is read as 汕尾, not as 汕头 and a district 尾….
_CITIES = sorted(CITY_ABBREVIATIONS.items(), key=lambda item: -len(item[1]))


def committee_sql(column: str) -> str:
    """SQL for the committee a case number in ``column`` begins with (佛三劳人仲), or NULL."""
    return f"nullif(regexp_extract({column}, '^(\\S+?{COMMITTEE_MARK})', 1), '')"


def committee_place(committee: str) -> Place | None:
    """The city or district of a committee (佛三劳人仲 → 三水区), or None when the text is
    no committee, names no Guangdong city, or names a district ambiguously."""
    if not committee.endswith(COMMITTEE_MARK):
        return None
    abbreviation = committee.removesuffix(COMMITTEE_MARK)
    gazetteer = load_gazetteer()
    for code, city_abbreviation in _CITIES:
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
