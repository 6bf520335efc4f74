"""Reference-data integrity and prefix stripping for screening.gazetteer."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.gazetteer import Gazetteer, Place, load_gazetteer, short_name_for

GUANGDONG_CITIES = {
    "440100": "广州市",
    "440200": "韶关市",
    "440300": "深圳市",
    "440400": "珠海市",
    "440500": "汕头市",
    "440600": "佛山市",
    "440700": "江门市",
    "440800": "湛江市",
    "440900": "茂名市",
    "441200": "肇庆市",
    "441300": "惠州市",
    "441400": "梅州市",
    "441500": "汕尾市",
    "441600": "河源市",
    "441700": "阳江市",
    "441800": "清远市",
    "441900": "东莞市",
    "442000": "中山市",
    "445100": "潮州市",
    "445200": "揭阳市",
    "445300": "云浮市",
}
MUNICIPALITIES = {"110000", "120000", "310000", "500000"}
SARS_AND_TAIWAN = {"710000", "810000", "820000"}


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


def names(places: list[Place]) -> list[str]:
    return [p.name for p in places]


def place(gaz: Gazetteer, code: str) -> Place:
    found = gaz.by_code(code)
    assert found is not None, code
    return found


def test_load_is_cached(gaz: Gazetteer) -> None:
    assert load_gazetteer() is gaz


def test_provinces(gaz: Gazetteer) -> None:
    provinces = gaz.places("province")
    assert 31 <= len(provinces) <= 34
    assert gaz.by_code("440000") == gaz.lookup("广东省")[0]
    assert place(gaz, "110000").name == "北京市"
    assert names(gaz.lookup("广西")) == ["广西壮族自治区"]
    assert all(p.parent_code is None for p in provinces)


def test_all_guangdong_cities(gaz: Gazetteer) -> None:
    cities = {p.code: p.name for p in gaz.children("440000")}
    assert cities == GUANGDONG_CITIES
    assert all(p.level == "city" for p in gaz.children("440000"))


def test_guangdong_districts(gaz: Gazetteer) -> None:
    districts = [p for p in gaz.places("district") if p.code.startswith("44")]
    assert 120 <= len(districts) <= 125
    for d in districts:
        assert d.parent_code in GUANGDONG_CITIES, d
        assert d.code[:4] == d.parent_code[:4], d
        assert d.name.endswith(("区", "市", "县")), d
    assert gaz.children("441900") == [] and gaz.children("442000") == []
    assert names(gaz.children("440600")) == ["禅城区", "南海区", "顺德区", "三水区", "高明区"]
    for code, name in [("440309", "龙华区"), ("440311", "光明区"), ("441481", "兴宁市")]:
        assert gaz.by_code(code) == gaz.lookup(name)[0]


def test_codes_unique_sorted_and_parents_exist(gaz: Gazetteer) -> None:
    codes = [p.code for p in gaz.places()]
    assert codes == sorted(set(codes))
    for p in gaz.places():
        if p.level != "province":
            parent = place(gaz, p.parent_code or "")
            assert p.code[:2] == parent.code[:2], p


def test_every_province_has_capital(gaz: Gazetteer) -> None:
    for province in gaz.places("province"):
        if province.code in MUNICIPALITIES | SARS_AND_TAIWAN:
            continue
        capital = place(gaz, province.code[:2] + "0100")
        assert capital.level == "city" and capital.parent_code == province.code, province
    assert place(gaz, "510100").name == "成都市"
    assert place(gaz, "450100").name == "南宁市"
    assert gaz.by_code("999999") is None


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("佛山市", "佛山"),
        ("三水区", "三水"),
        ("广东省", "广东"),
        ("广西壮族自治区", "广西"),
        ("内蒙古自治区", "内蒙古"),
        ("新疆维吾尔自治区", "新疆"),
        ("宁夏回族自治区", "宁夏"),
        ("香港特别行政区", "香港"),
        ("连南瑶族自治县", "连南"),
        ("连山壮族瑶族自治县", "连山"),
        ("乳源瑶族自治县", "乳源"),
        ("兴宁市", "兴宁"),
        ("和平县", "和平"),
        ("梅县区", "梅县"),
        ("乌鲁木齐市", "乌鲁木齐"),
        ("郊区", "郊区"),
        ("城区", "城区"),
    ],
)
def test_short_name(name: str, short: str) -> None:
    assert short_name_for(name) == short


def test_short_names_in_data(gaz: Gazetteer) -> None:
    assert gaz.lookup("城区")[0].short_name == "城区"
    assert all(len(p.short_name) >= 2 for p in gaz.places())


@pytest.mark.parametrize(
    ("text", "expected", "rest"),
    [
        ("广东省佛山市三水区宏达建筑有限公司", ["广东省", "佛山市", "三水区"], "宏达建筑有限公司"),
        ("佛山三水宏达建筑有限公司", ["佛山市", "三水区"], "宏达建筑有限公司"),
        ("佛山宏达", ["佛山市"], "宏达"),
        ("广东三水宏达建筑", ["广东省", "三水区"], "宏达建筑"),
        ("连南瑶族自治县宏达", ["连南瑶族自治县"], "宏达"),
        ("宏达建筑有限公司", [], "宏达建筑有限公司"),
        # never strip everything; a short name needs two characters left behind
        ("广东省", [], "广东省"),
        ("佛山市", [], "佛山市"),
        ("广东佛山", ["广东省"], "佛山"),
        ("佛山宏", [], "佛山宏"),
        # later names must lie inside earlier ones: 南宁 is not in 广东
        ("广东南宁宏达", ["广东省"], "南宁宏达"),
    ],
)
def test_region_prefix(gaz: Gazetteer, text: str, expected: list[str], rest: str) -> None:
    places, remainder = gaz.region_prefix(text)
    assert names(places) == expected
    assert remainder == rest


_REGION_PIECES = sorted({n for p in load_gazetteer().places() for n in (p.name, p.short_name)})


@given(
    st.lists(st.sampled_from(_REGION_PIECES), max_size=4),
    st.text(min_size=0, max_size=8),
)
def test_region_prefix_remainder_is_nonempty_suffix(pieces: list[str], tail: str) -> None:
    text = "".join(pieces) + tail
    places, remainder = load_gazetteer().region_prefix(text)
    if text:
        assert remainder
    assert text.endswith(remainder)
    assert len(places) <= 3


@given(st.text(min_size=1, max_size=20))
def test_region_prefix_arbitrary_text(text: str) -> None:
    _, remainder = load_gazetteer().region_prefix(text)
    assert remainder and text.endswith(remainder)
