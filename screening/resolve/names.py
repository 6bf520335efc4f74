"""Chinese company names taken apart, so that two spellings of one company compare equal.

广东省佛山市三水区宏达建筑劳务有限公司 and 佛山三水宏达建筑劳务有限责任公司 are the same
company; 宏达建筑劳务有限公司三水分公司 is a different one (a branch), and so is
佛山市南海区宏达建筑劳务有限公司 (a twin in another district). :func:`parse_name` splits a
name into what tells companies apart — the region (kept as evidence, not compared as
text), the trade name (字号), the industry words, the legal form and the branch — after
NFKC, bracket and whitespace normalisation. Common industry words (建筑, 劳务, 工程 …)
are kept apart from the trade name so that scoring can weigh them less.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from screening.gazetteer import LEVELS, Place, load_gazetteer
from screening.resolve.sound import sounds


def _longest_first(words: str) -> tuple[str, ...]:
    return tuple(sorted(set(words.split()), key=lambda word: (-len(word), word)))


# Longest first, so 股份有限公司 is taken whole rather than as 有限公司.
LEGAL_FORMS = _longest_first(
    """
    股份有限公司 有限责任公司 有限公司 股份公司 集团公司 总公司 公司 有限合伙
    普通合伙 合伙企业 个人独资企业 个体工商户 经营部 工作室 商行 门市部
    """
)
_LEGAL_FORM_SET = frozenset(LEGAL_FORMS)
_LEGAL_FORM_LENGTHS = sorted({len(form) for form in LEGAL_FORMS}, reverse=True)
GROUP_WORD = "集团"
# A branch names its place or number before one of these: …有限公司三水分公司, …佛山市分行.
BRANCH_SUFFIXES = ("分公司", "分行", "支行", "分店", "营业部", "办事处", "分厂", "分部", "分所")
# Industry words (行业用语): shared by thousands of companies, so they say little about which
# company is meant. Longest first; a name keeps at least two characters of trade name.
INDUSTRY_WORDS = _longest_first(
    """
    建筑 建设 建工 工程 劳务 分包 人力资源 劳务派遣 装饰 装修
    设计 安装 机电 市政 园林 绿化 土石方 钢结构 幕墙 水电 消防
    防水 路桥 桥梁 隧道 基础 岩土 勘察 监理 咨询 造价 房地产
    开发 地产 置业 物业 管理 服务 投资 发展 实业 控股 贸易 商贸
    进出口 科技 技术 信息 电子 网络 软件 智能 电气 电器 机械
    设备 五金 制品 塑料 陶瓷 家具 服装 服饰 纺织 鞋业 食品 餐饮
    酒店 物流 运输 货运 仓储 供应链 化工 材料 建材 新材料 环保
    能源 新能源 医药 生物 文化 传媒 广告 教育 培训 农业 渔业
    金属 钢铁 混凝土 商品混凝土 木业 石材 印刷 包装 汽车 汽修
    维修 清洁 保安 家政 美容 电子商务 银行 保险 证券 信托 担保
    小额贷款 集团
    """
)
MIN_TRADE = 2
_INDUSTRY_TAIL = re.compile(f"^(.{{{MIN_TRADE},}}?)((?:{'|'.join(INDUSTRY_WORDS)})+)$")
PERSON_NAME = re.compile(r"^[\u4e00-\u9fff]{1,2}[\u4e00-\u9fff·]{1,4}$")
# Marks of an organisation. 会 and 行 are common in given names (付宁会, 张行), so only
# their two-character forms count.
ORGANISATION_MARKS = re.compile(
    r"公司|企业|集团|厂|店|部|商行|银行|分行|支行|社|所|局|院|商会|协会|学会|工会|基金会|"
    r"中心|委员|学校|医院|政府|办|站|队|场|室"
)
_BRACKETS = str.maketrans({"（": "(", "）": ")", "〔": "(", "〕": ")", "【": "(", "】": ")"})
_NOISE = re.compile(r"[\s\u3000·•、,，.。'\"“”‘’`_\-—]+")
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


def normalise(name: str) -> str:
    """NFKC (full width → ASCII), one bracket style, no whitespace or punctuation."""
    text = unicodedata.normalize("NFKC", name)
    if text.isalnum():  # most names: no bracket, space or punctuation to touch
        return text
    return _NOISE.sub("", text.translate(_BRACKETS)).replace("()", "")


def is_person_name(name: str) -> bool:
    """A natural person (2–6 Chinese characters, no mark of an organisation)."""
    return is_person_text(normalise(name))


def is_person_text(text: str) -> bool:
    """:func:`is_person_name` of a name already normalised."""
    return bool(PERSON_NAME.match(text)) and not ORGANISATION_MARKS.search(text)


def take_apart(name: str) -> NameParts:
    """Take a company name apart (see the module docstring). Idempotent on ``text``."""
    return take_apart_text(normalise(name))


def take_apart_text(text: str) -> NameParts:
    """:func:`take_apart` of a name already normalised (bulk parsing normalises once)."""
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
    heard, body = _misspelt_region(body, found)
    places = _chain(found + heard + places)
    if bracketed:  # other brackets: keep the words
        body = _BRACKETED.sub(lambda match: match.group(1), body)
    head, branch = _split_branch(body)
    head, legal_form = _strip_legal_form(head)
    trade, industry = _split_industry(head)
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


def _misspelt_region(body: str, found: list[Place]) -> tuple[list[Place], str]:
    """A district typed with a homophone (广东舜德… for 广东顺德…), inside a region already
    named. Both sides of a comparison are parsed alike, so a trade name that merely sounds
    like a district is stripped from both and still compares equal.
    """
    if not found:
        return [], body
    for length in (3, 2):
        if len(body) - length < MIN_TRADE:
            continue
        for place in _places_by_sound().get(sounds(body[:length]), ()):
            if load_gazetteer().is_descendant(place, found[-1]):
                return [place], body[length:]
    return [], body


@lru_cache(maxsize=1)
def _places_by_sound() -> dict[str, list[Place]]:
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


def _split_branch(body: str) -> tuple[str, str]:
    if not body.endswith(BRANCH_SUFFIXES):  # most names: one test, not one per suffix
        return body, ""
    for suffix in BRANCH_SUFFIXES:
        if not body.endswith(suffix):
            continue
        stem = body[: -len(suffix)]
        # The branch qualifier follows the parent's legal form: …有限公司|三水|分公司.
        for form in LEGAL_FORMS:
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


def _strip_legal_form(head: str) -> tuple[str, str]:
    # The longest form the name ends with (and is more than): a name ends with at most
    # one form of each length, so one set lookup per length finds it.
    for length in _LEGAL_FORM_LENGTHS:
        if len(head) > length and head[-length:] in _LEGAL_FORM_SET:
            head, legal_form = head[:-length], head[-length:]
            break
    else:
        legal_form = ""
    if head.endswith(GROUP_WORD) and len(head) - len(GROUP_WORD) >= MIN_TRADE:
        head, legal_form = head[: -len(GROUP_WORD)], GROUP_WORD + legal_form
    return head, legal_form


def _split_industry(head: str) -> tuple[str, str]:
    """The longest run of industry words ending the name, leaving MIN_TRADE characters."""
    match = _INDUSTRY_TAIL.match(head)
    return (match.group(1), match.group(2)) if match else (head, "")
