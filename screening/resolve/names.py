"""Chinese company names taken apart, so that two spellings of one company compare equal.

广东省佛山市三水区宏达建筑劳务有限公司 and 佛山三水宏达建筑劳务有限责任公司 are the same
company; 宏达建筑劳务有限公司三水分公司 is a different one (a branch), and so is
佛山市南海区宏达建筑劳务有限公司 (a twin in another district). :func:`parse_name` splits a
name into what tells companies apart — the region (kept as evidence, not compared as
text), the trade name (字号), the industry words, the legal form and the branch — after
NFKC, bracket and whitespace normalisation. Common industry words (建筑, 劳务, 工程 …)
are kept apart from the trade name so that scoring can weigh them less, and their short
forms (汽配 for 汽车配件) can be written out (:meth:`NameParts.full_core`).

The words — legal forms, branch suffixes, industry words and short forms, organisation
marks, the notes clerks add to a person's name — are data: ``features/names.yaml``
(:mod:`screening.resolve.name_vocabulary`). Every function takes the vocabulary to read
with, the engine's by default.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from screening.gazetteer import LEVELS, Place, load_gazetteer
from screening.resolve.name_vocabulary import MIN_TRADE, NameVocabulary, name_vocabulary
from screening.resolve.sound import sounds

PERSON_NAME = re.compile(r"^[\u4e00-\u9fff]{1,2}[\u4e00-\u9fff·]{1,4}$")
# Each other bracket style → the ASCII one (the columnar parser reads these too).
BRACKET_STYLES = {"（": "(", "）": ")", "〔": "(", "〕": ")", "【": "(", "】": ")"}
_BRACKETS = str.maketrans(BRACKET_STYLES)
NOISE = re.compile(r"[\s\u3000·•、,，.。'\"“”‘’`_\-—]+")
_BRACKETED = re.compile(r"\(([^()]*)\)")


class NameParts(NamedTuple):
    """A company name taken apart; ``key`` is what two names must share to be the same.

    A named tuple, not a dataclass: a province's two million names make one each, and a
    frozen dataclass costs forty times as much to make.
    """

    text: str  # normalised (NFKC, no whitespace or punctuation, ASCII brackets)
    places: tuple[str, ...]  # gazetteer codes of the region named, outermost first
    trade: str  # 字号: what distinguishes this company from others in its trade
    industry: str  # industry words after the trade name
    legal_form: str
    branch: str  # "" for a head office; the branch's qualifier otherwise (三水, 第二)

    @property
    def core(self) -> str:
        """Trade name and industry words: the part of the name a clerk rarely changes."""
        return self.trade + self.industry

    @property
    def key(self) -> str:
        """Exact-match key: core and branch, without region or legal form."""
        return f"{self.core}|{self.branch}"

    @property
    def place(self) -> str:
        """The most specific region named ("" when none)."""
        return self.places[-1] if self.places else ""

    def generic(self, words: NameVocabulary | None = None) -> bool:
        """The name has no trade name of its own, only industry words (南海汽配)."""
        return is_generic(self.core, words)

    def full_core(self, words: NameVocabulary | None = None) -> str:
        """The core with every industry short form written out (宏达汽配 → 宏达汽车配件)."""
        return core_written_out(self.trade, self.industry, words)


def normalise(name: str) -> str:
    """NFKC (full width → ASCII), one bracket style, no whitespace or punctuation."""
    text = unicodedata.normalize("NFKC", name)
    if text.isalnum():  # most names: no bracket, space or punctuation to touch
        return text
    return NOISE.sub("", text.translate(_BRACKETS)).replace("()", "")


def is_person_name(name: str) -> bool:
    """A natural person (2–6 Chinese characters, no mark of an organisation, perhaps with
    a note: 张三(包工头))."""
    return is_person_text(normalise(name))


def is_person_text(text: str, words: NameVocabulary | None = None) -> bool:
    """:func:`is_person_name` of a name already normalised."""
    return person_name(text, words) is not None


def person_name(text: str, words: NameVocabulary | None = None) -> str | None:
    """The natural person a normalised name is, without the clerk's note (张三(包工头) →
    张三), or None for an organisation's name.

    A name that is a region and industry words (南海汽配: the auto-parts company of
    南海; 南海华锋汽配) or a trade name and industry words (建洲建设) is no person's, nor
    is one with a mark of an organisation, even in a note, nor one ending in a legal form,
    even cut short (骏祥实业股份, 联豪有限).
    """
    words = words or name_vocabulary()
    bare = _without_note(text, words)
    if bare is None or not PERSON_NAME.match(bare):
        if not PERSON_NAME.match(text):
            return None
        bare = text  # 王老板: a note, but 王 alone is no name
    if (
        words.organisation_marks.search(text)
        or _ends_in_legal_form(bare, words)
        or _region_and_industry(bare, words)
        or _trade_and_industry(bare, words)
    ):
        return None
    return bare


def _without_note(text: str, words: NameVocabulary) -> str | None:
    """``text`` without a person note, in brackets (张三(包工头), (包工头)张三) or after
    the name (张三包工头); None when it has none."""
    if text.endswith(")") and "(" in text:
        at = text.rindex("(")
        return text[:at] if text[at + 1 : -1] in words.person_notes else None
    if text.startswith("(") and ")" in text:
        at = text.index(")")
        return text[at + 1 :] if text[1:at] in words.person_notes else None
    if not text.endswith(words.person_notes):  # most names: one test, not one per note
        return None
    for note in words.person_notes:  # longest first: 包工头 before 工头
        if text.endswith(note) and len(text) > len(note):
            return text[: -len(note)]
    return None


def _ends_in_legal_form(text: str, words: NameVocabulary) -> bool:
    """Something, then a legal form: 骏祥实业股份 (股份 for 股份有限公司), 联豪有限."""
    return any(
        len(text) > length and text[-length:] in words.legal_form_set
        for length in words.legal_form_lengths
    )


def _region_and_industry(text: str, words: NameVocabulary) -> bool:
    """A region, perhaps a trade name, then industry words: 南海汽配, 南海华锋汽配."""
    found, rest = load_gazetteer().region_prefix(text)
    return bool(found) and bool(words.only_tokens.match(rest) or words.industry_tail.match(rest))


def _trade_and_industry(text: str, words: NameVocabulary) -> bool:
    """A trade name of two characters or more, then industry words: 建洲建设, 康盛建工 — a
    company's short name. 王建设 stays a person: one character before 建设 is a surname."""
    return any(words.only_tokens.match(text[cut:]) for cut in range(2, len(text) - 1))


def is_generic(core: str, words: NameVocabulary | None = None) -> bool:
    """A core made of industry words (and short forms) alone: no trade name of its own."""
    return bool(core) and bool((words or name_vocabulary()).only_tokens.match(core))


def core_written_out(trade: str, industry: str, words: NameVocabulary | None = None) -> str:
    """Trade name and industry words with every short form written out. A generic name's
    trade name is industry words too (城投 → 城市建设投资); any other keeps its own."""
    words = words or name_vocabulary()
    if is_generic(trade + industry, words):
        return words.write_out(trade + industry)
    return trade + words.write_out(industry)


def take_apart(name: str, words: NameVocabulary | None = None) -> NameParts:
    """Take a company name apart (see the module docstring). Idempotent on ``text``."""
    return take_apart_text(normalise(name), words)


def take_apart_text(text: str, words: NameVocabulary | None = None) -> NameParts:
    """:func:`take_apart` of a name already normalised (bulk parsing normalises once)."""
    words = words or name_vocabulary()
    gazetteer = load_gazetteer()
    places: list[Place] = []
    body = text
    # A region in brackets (茂名市(化州)源诚…, 源诚(广州)…) is region too, not trade name.
    bracketed = "(" in body
    for inner in _BRACKETED.findall(body) if bracketed else ():
        found = _whole_region(inner)
        if found:
            places.extend(found)
            body = body.replace(f"({inner})", "", 1)
    found, body = gazetteer.region_prefix(body)
    heard, body = _misspelt_region(body, found, {place.level for place in places}, words)
    places = _chain(found + heard + places)
    if bracketed:  # other brackets: keep the words
        body = _BRACKETED.sub(lambda match: match.group(1), body)
    head, branch = _split_branch(body, words)
    head, legal_form = _strip_legal_form(head, words)
    trade, industry = _split_industry(head, words)
    return NameParts(
        text=text,
        places=tuple(place.code for place in places),
        trade=trade,
        industry=industry,
        legal_form=legal_form,
        branch=branch,
    )


parse_name = lru_cache(maxsize=1 << 16)(take_apart)  # for one name at a time (explain, tests)


def _whole_region(text: str) -> list[Place]:
    """The places ``text`` names if it is nothing but region names (三水, 佛山市), else []."""
    # Two sentinels, so the gazetteer's "leave at least two characters" rule cannot bind.
    found, rest = load_gazetteer().region_prefix(text + "\0\0")
    return found if rest == "\0\0" else []


def _misspelt_region(
    body: str, found: list[Place], named_levels: set[str], words: NameVocabulary
) -> tuple[list[Place], str]:
    """A district typed with a homophone (广东舜德… for 广东顺德…), inside a region already
    named. Both sides of a comparison are parsed alike, so a trade name that merely sounds
    like a district is stripped from both and still compares equal — as long as both have
    it in the same place.

    A trade name is not taken for a misspelt district when that would leave the name
    without one (江门市信汇建工 is the 建工 of 信汇, not a 建工 of 新会: the registry's
    江门市新会区信汇建工有限公司 keeps 信汇, its district being spelt right), nor when the
    name already names a place of that level (江门市(台山)鑫汇陶瓷 is in 台山, not 新会).
    """
    if not found:
        return [], body
    for length in (3, 2):
        if len(body) - length < MIN_TRADE:
            continue
        for place in places_by_sound().get(sounds(body[:length]), ()):
            if (
                place.level not in named_levels
                and load_gazetteer().is_descendant(place, found[-1])
                and _has_trade(body[length:], words)
            ):
                return [place], body[length:]
    return [], body


def _has_trade(rest: str, words: NameVocabulary) -> bool:
    """What follows a heard district keeps a trade name: not industry words alone, once
    its branch and legal form are off (陶瓷有限公司 has none; 农村商业银行 has)."""
    head, _branch = _split_branch(rest, words)
    head, _legal_form = _strip_legal_form(head, words)
    return len(head) >= MIN_TRADE and not words.only_tokens.match(head)


@lru_cache(maxsize=1)
def places_by_sound() -> dict[str, list[Place]]:
    """Each place by the sound of its name and of its short name."""
    by_sound: dict[str, list[Place]] = {}
    for place in load_gazetteer().places():
        for name in dict.fromkeys((place.short_name, place.name)):
            by_sound.setdefault(sounds(name), []).append(place)
    return by_sound


def _chain(places: list[Place]) -> list[Place]:
    """Places ordered outermost first, one per level (the first found wins)."""
    by_level: dict[str, Place] = {}
    for place in places:
        by_level.setdefault(place.level, place)
    return [by_level[level] for level in LEVELS if level in by_level]


def _split_branch(body: str, words: NameVocabulary) -> tuple[str, str]:
    if not body.endswith(words.branch_suffixes):  # most names: one test, not one per suffix
        return body, ""
    for suffix in words.branch_suffixes:
        if not body.endswith(suffix):
            continue
        stem = body[: -len(suffix)]
        # The branch qualifier follows the parent's legal form: …有限公司|三水|分公司.
        for form in words.legal_forms:
            at = stem.rfind(form)
            if at > 0:
                qualifier = stem[at + len(form) :]
                return stem[: at + len(form)], _branch_qualifier(qualifier) + suffix
        return stem, suffix
    return body, ""


def _branch_qualifier(qualifier: str) -> str:
    """佛山市 and 佛山 name the same branch: compare regions by their short name."""
    found = _whole_region(qualifier)
    return found[-1].short_name if found else qualifier


def _strip_legal_form(head: str, words: NameVocabulary) -> tuple[str, str]:
    # The longest form the name ends with (and is more than): a name ends with at most
    # one form of each length, so one set lookup per length finds it.
    for length in words.legal_form_lengths:
        if len(head) > length and head[-length:] in words.legal_form_set:
            head, legal_form = head[:-length], head[-length:]
            break
    else:
        legal_form = ""
    group = words.group_word
    if head.endswith(group) and len(head) - len(group) >= MIN_TRADE:
        head, legal_form = head[: -len(group)], group + legal_form
    return head, legal_form


def _split_industry(head: str, words: NameVocabulary) -> tuple[str, str]:
    """The longest run of industry words ending the name, leaving MIN_TRADE characters."""
    match = words.industry_tail.match(head)
    return (match.group(1), match.group(2)) if match else (head, "")


def read_example(name: str, words: NameVocabulary) -> dict[str, object]:
    """Everything an example of ``features/names.yaml`` can expect of ``name``."""
    from screening.committees import committee_place  # committees read this vocabulary too

    text = normalise(name)
    parts = take_apart_text(text, words)
    committee = committee_place(text, words)
    return {
        "trade": parts.trade,
        "industry": parts.industry,
        "full_core": parts.full_core(words),
        "legal_form": parts.legal_form,
        "branch": parts.branch,
        "place": parts.place or None,
        "generic": parts.generic(words),
        "person": person_name(text, words),
        "committee": committee.code if committee else None,
        "kind": words.company_kind(parts.legal_form),
    }
