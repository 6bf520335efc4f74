"""Chinese administrative divisions (GB/T 2260 codes) shipped with the package.

Company names usually start with the region they were registered in —
广东省佛山市三水区宏达建筑劳务有限公司, or informally 佛山三水宏达建筑… — and entity
resolution must strip that prefix before comparing trade names, while remembering the
region as evidence. This module holds the reference data (``data/gazetteer.csv``: all
provinces, every provincial capital, and every city and county-level division of
Guangdong) and the prefix stripper.

Short names are what people write when they drop the administrative suffix: 佛山市→佛山,
广西壮族自治区→广西, 连南瑶族自治县→连南. A suffix is only dropped when at least two
characters remain, so 城区 and 郊区 keep their full form.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal, cast

Level = Literal["province", "city", "district"]
LEVELS: tuple[Level, ...] = ("province", "city", "district")

# Ethnic groups as they appear inside autonomous-division names; some names use the
# bare form without 族 (新疆维吾尔自治区, 伊犁哈萨克自治州, 鄂伦春自治旗).
_ETHNIC_GROUPS = (
    "蒙古族 回族 藏族 维吾尔 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 "
    "白族 土家族 哈尼族 哈萨克族 哈萨克 傣族 黎族 傈僳族 佤族 畲族 拉祜族 "
    "水族 东乡族 纳西族 景颇族 柯尔克孜 土族 达斡尔族 仫佬族 羌族 布朗族 "
    "撒拉族 毛南族 仡佬族 锡伯 普米族 塔吉克 怒族 独龙族 鄂温克族 鄂伦春 "
    "保安族 裕固族 京族 各族 "
)
_ETHNIC = sorted(_ETHNIC_GROUPS.split(), key=len, reverse=True)
_AUTONOMOUS_SUFFIXES = ("自治区", "自治州", "自治县", "自治旗")
_PLAIN_SUFFIXES = ("特别行政区", "省", "市", "区", "县", "旗")
_MIN_STEM = 2


def short_name_for(name: str) -> str:
    """Return ``name`` without its administrative suffix, as used in company names.

    >>> short_name_for("乳源瑶族自治县"), short_name_for("三水区"), short_name_for("郊区")
    ('乳源', '三水', '郊区')
    """
    for suffix in _AUTONOMOUS_SUFFIXES:
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            changed = True
            while changed:
                changed = False
                for group in _ETHNIC:
                    if stem.endswith(group) and len(stem) - len(group) >= _MIN_STEM:
                        stem = stem[: -len(group)]
                        changed = True
                        break
            return stem if len(stem) >= _MIN_STEM else name
    for suffix in _PLAIN_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= _MIN_STEM:
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True, slots=True)
class Place:
    """One administrative division: 6-digit GB/T 2260 ``code``, official ``name``."""

    code: str
    name: str
    level: Level
    parent_code: str | None
    short_name: str


class Gazetteer:
    """Indexed, read-only collection of :class:`Place` rows."""

    def __init__(self, places: Iterable[Place]) -> None:
        self._places = sorted(places, key=lambda p: p.code)
        self._by_code: dict[str, Place] = {}
        self._children: dict[str, list[Place]] = {}
        self._by_name: dict[str, list[Place]] = {}
        for place in self._places:
            if place.code in self._by_code:
                raise ValueError(f"duplicate gazetteer code {place.code}")
            self._by_code[place.code] = place
            if place.parent_code is not None:
                self._children.setdefault(place.parent_code, []).append(place)
            for key in dict.fromkeys((place.name, place.short_name)):
                self._by_name.setdefault(key, []).append(place)
        # Name lengths by first character, longest first: most positions in a company
        # name start no place name at all, and are dismissed with one dictionary lookup.
        lengths: dict[str, set[int]] = {}
        for key in self._by_name:
            lengths.setdefault(key[0], set()).add(len(key))
        self._lengths = {ch: sorted(found, reverse=True) for ch, found in lengths.items()}
        # What prefix matching asks of each name, worked out once (it runs millions of
        # times at province scale): the places it names, highest level and lowest code
        # first, each with the characters that must remain after it (a full name one, a
        # short name two), and every place's ancestors.
        self._ranked = {
            key: [
                (place, 1 if place.name == key else _MIN_STEM)
                for place in sorted(found, key=lambda p: (LEVELS.index(p.level), p.code))
            ]
            for key, found in self._by_name.items()
        }
        self._ancestors = {place.code: self._ancestor_codes(place) for place in self._places}

    def _ancestor_codes(self, place: Place) -> frozenset[str]:
        codes: list[str] = []
        parent = place.parent_code
        while parent is not None:
            codes.append(parent)
            above = self._by_code.get(parent)
            parent = above.parent_code if above is not None else None
        return frozenset(codes)

    def by_code(self, code: str) -> Place | None:
        """The place with this 6-digit code, or ``None``."""
        return self._by_code.get(code)

    def children(self, code: str) -> list[Place]:
        """Direct subdivisions of ``code`` in code order (empty if none are listed)."""
        return list(self._children.get(code, ()))

    def places(self, level: Level | None = None) -> list[Place]:
        """All places, or those of one level, in code order."""
        return [p for p in self._places if level is None or p.level == level]

    def lookup(self, name: str) -> list[Place]:
        """Places whose full or short name equals ``name``, in code order."""
        return list(self._by_name.get(name.strip(), ()))

    def is_descendant(self, place: Place, ancestor: Place) -> bool:
        return ancestor.code in self._ancestors[place.code]

    def ancestor_codes(self, place: Place) -> frozenset[str]:
        """The codes of every place ``place`` lies inside."""
        return self._ancestors[place.code]

    def prefix_names(self) -> list[tuple[str, int, Place, int]]:
        """What :meth:`region_prefix` matches, as rows: (name, rank, place, characters
        that must remain after it), the place of rank 0 tried first among a name's."""
        return [
            (name, rank, place, must_remain)
            for name, ranked in self._ranked.items()
            for rank, (place, must_remain) in enumerate(ranked)
        ]

    def region_prefix(self, text: str) -> tuple[list[Place], str]:
        """Strip a leading chain of region names from a company-like name.

        Matching is greedy and longest-first over full and short names, and every place
        after the first must lie inside the one before it (广东→佛山→三水), so
        "佛山三水宏达" gives ([佛山市, 三水区], "宏达"). A full name is only stripped if at
        least one character remains, a short name only if at least two remain, so the
        remainder is never empty for non-empty input and is always a suffix of ``text``.

        Caution: short names are also ordinary words. 南山, 白云, 龙华 are districts but
        also plausible trade names, and "佛山市场…" would lose 佛山市. Ambiguous hits
        from a bare short name are accepted as-is; callers should treat the stripped
        region as evidence, not fact. When one name fits several places, the
        highest-level, lowest-code one wins.
        """
        found: list[Place] = []
        pos = 0
        while pos < len(text):
            match = self._match_at(text, pos, found[-1] if found else None)
            if match is None:
                break
            place, length = match
            found.append(place)
            pos += length
        return found, text[pos:]

    def _match_at(self, text: str, pos: int, inside: Place | None) -> tuple[Place, int] | None:
        """Longest name at ``text[pos:]`` that may be stripped, with its length."""
        rest = len(text) - pos
        for length in self._lengths.get(text[pos], ()):
            if length > rest - 1:
                continue
            for place, must_remain in self._ranked.get(text[pos : pos + length], ()):
                if rest - length >= must_remain and (
                    inside is None or self.is_descendant(place, inside)
                ):
                    return place, length
        return None


def _parse(text: str, source: str) -> list[Place]:
    """Parse gazetteer CSV text into places, rejecting malformed rows."""
    places: list[Place] = []
    for lineno, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        code, name, level = row["code"].strip(), row["name"].strip(), row["level"].strip()
        parent = row["parent_code"].strip() or None
        if len(code) != 6 or not code.isdigit() or not name or level not in LEVELS:
            raise ValueError(f"{source}:{lineno}: malformed gazetteer row {row!r}")
        places.append(Place(code, name, cast(Level, level), parent, short_name_for(name)))
    return places


@cache
def load_gazetteer() -> Gazetteer:
    """The gazetteer shipped in ``screening/data/gazetteer.csv`` (read once, cached)."""
    resource = resources.files("screening") / "data" / "gazetteer.csv"
    return Gazetteer(_parse(resource.read_text(encoding="utf-8"), "gazetteer.csv"))
