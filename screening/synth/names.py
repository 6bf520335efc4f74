"""Names as registered, and names as clerks type them.

A company's registered name is ``region + trade name + industry word + legal form``
(佛山市三水区宏达建筑劳务有限公司). Every other agency re-types it, so each mention goes
through :func:`clerk_variant`, which drops or shortens the region, swaps legal forms,
adds brackets and spaces, or makes a one-character typo (often a homophone).
"""

from __future__ import annotations

import random

from screening.synth import vocab
from screening.synth.model import Company


def person_name(rng: random.Random) -> str:
    """A surname and a given name of one or two characters (drawn in that order).

    Millions are drawn: ``rng.choice`` is inlined (the same bits, drawn the same way)."""
    short = rng.random() < 0.3
    getrandbits = rng.getrandbits
    surnames, given = vocab.SURNAMES, vocab.GIVEN_CHARS
    drawn = getrandbits(_SURNAME_BITS)
    while drawn >= len(surnames):
        drawn = getrandbits(_SURNAME_BITS)
    name = surnames[drawn]
    for _ in range(1 if short else 2):
        drawn = getrandbits(_GIVEN_BITS)
        while drawn >= len(given):
            drawn = getrandbits(_GIVEN_BITS)
        name += given[drawn]
    return name


_SURNAME_BITS = len(vocab.SURNAMES).bit_length()
_GIVEN_BITS = len(vocab.GIVEN_CHARS).bit_length()


def trade_name(rng: random.Random) -> str:
    name = rng.choice(vocab.TRADE_FIRST) + rng.choice(vocab.TRADE_SECOND)
    if rng.random() < 0.15:  # some 字号 are three characters
        name += rng.choice(vocab.TRADE_SECOND)
    return name


def project_name(rng: random.Random, district_short: str) -> tuple[str, str]:
    """Return (registered project name, the short site name people use for it)."""
    estate = rng.choice(vocab.ESTATE_WORDS) + rng.choice(vocab.ESTATE_SUFFIXES)
    phase = rng.choice(vocab.PHASES)
    kind = rng.choice(vocab.PROJECT_KINDS)
    town = district_short + rng.choice(vocab.TOWN_WORDS) if rng.random() < 0.5 else ""
    full = f"{district_short}区{town}{estate}{phase}{kind}" if town else f"{estate}{phase}{kind}"
    return full, f"{estate}{phase}"


def site_text(rng: random.Random, short_name: str, district_short: str) -> str:
    """How a worker's arbitration application names the site (free text)."""
    roll = rng.random()
    if roll < 0.35:
        return short_name
    if roll < 0.6:
        return short_name + "项目部"
    if roll < 0.8:
        return f"{district_short}{short_name}工地"
    return short_name + "项目"


def typo(rng: random.Random, text: str, protected_prefix: int = 0) -> str:
    """Replace one character after ``protected_prefix`` with a homophone (or drop one)."""
    positions = [i for i in range(protected_prefix, len(text)) if text[i] in vocab.HOMOPHONES]
    if positions:
        i = rng.choice(positions)
        return text[:i] + rng.choice(vocab.HOMOPHONES[text[i]]) + text[i + 1 :]
    return text


def swap_legal_form(name: str) -> str:
    if name.endswith("有限责任公司"):
        return name[: -len("有限责任公司")] + "有限公司"
    if name.endswith("有限公司") and not name.endswith("股份有限公司"):
        return name[: -len("有限公司")] + "有限责任公司"
    return name


# Each region's full prefix (佛山市三水区), joined once: millions of mentions are typed.
_PREFIXES: dict[tuple[tuple[str, str], ...], str] = {}


def clerk_variant(
    rng: random.Random, name: str, region: tuple[tuple[str, str], ...], exact_share: float
) -> tuple[str, str]:
    """Return (name as typed, variant kind) for one mention of a registered company name.

    ``region`` holds the (full, short) forms of the region prefix of ``name``, e.g.
    (("佛山市", "佛山"), ("三水区", "三水")).
    """
    if rng.random() < exact_share:
        return name, "exact"
    prefix = _PREFIXES.get(region)
    if prefix is None:
        prefix = _PREFIXES[region] = "".join(full for full, _ in region)
    rest = name[len(prefix) :] if prefix and name.startswith(prefix) else name
    kind = rng.choice(
        ("drop_region", "short_region", "legal_form", "typo", "typo", "brackets", "spaces")
    )
    if kind == "drop_region" and region and "分公司" not in name:
        return rest, kind
    if kind == "short_region" and region:
        return "".join(short for _, short in region) + rest, kind
    if kind == "legal_form" and swap_legal_form(name) != name:
        return swap_legal_form(name), kind
    if kind == "brackets" and len(region) == 2:
        city, district = region
        return f"{city[0]}（{district[1]}）{rest}", kind
    if kind == "spaces":
        cut = len(prefix) if prefix else 2
        return name[:cut] + rng.choice((" ", "　", "  ")) + name[cut:], kind
    typed = typo(rng, name, protected_prefix=len(prefix))
    return (typed, "typo") if typed != name else (name, "exact")


def stray_whitespace(rng: random.Random, text: str, share: float) -> str:
    """Pad with the stray spaces copy-paste leaves behind (ASCII, full-width, tabs)."""
    if rng.random() >= share:
        return text
    return padded(rng, text)


def padded(rng: random.Random, text: str) -> str:
    """``text`` with stray spaces around it (the padding of :func:`stray_whitespace`)."""
    return rng.choice(("", " ", "　")) + text + rng.choice((" ", "  ", "\t", "　"))


def industry_and_form(company: Company) -> tuple[str, str]:
    """(industry word, legal form) of a registered name: 宏达|建筑劳务|有限公司."""
    rest = company.name[len("".join(f for f, _ in company.region)) + len(company.trade) :]
    form = next(f for f in (vocab.GROUP_FORM, *vocab.LEGAL_FORMS) if rest.endswith(f))
    return rest[: -len(form)], form


def industry_short(rng: random.Random, company: Company) -> str | None:
    """A clerk's short form: region short name, trade name, short industry word
    (佛山市南海区宏达汽车配件有限公司 → 南海宏达汽配 / 宏达汽配公司); None for names that
    have no such form (branches, fixed names such as banks)."""
    if company.parent is not None or not company.region:
        return None
    industry, _form = industry_and_form(company)
    word = vocab.INDUSTRY_SHORT_FORMS.get(industry, industry)
    region = company.region[-1][1] if rng.random() < 0.7 else ""
    return region + company.trade + word + rng.choice(("", "", "公司"))
