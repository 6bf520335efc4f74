"""Short names several registry companies fit: the row's place decides, by one measure
of what a shortening is."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
from resolve_world import enforcement_confidences, registry_world, resolved_links

from screening.identifiers import make_uscc
from screening.resolve.quality import resolution_scores
from screening.resolve.registry import registration_area, registration_area_sql
from screening.resolve.review import explain
from screening.store import Store

CHANCHENG, NANHAI, SHUNDE = "440604", "440605", "440606"
NANHAI_COURT, SHUNDE_COURT = "佛山市南海区人民法院", "佛山市顺德区人民法院"
CHANCHENG_COURT = "佛山市禅城区人民法院"


def test_a_tie_of_namesakes_is_decided_by_the_rows_place(tmp_path: Path) -> None:
    nanhai = ("佛山市南海区伟腾电子科技有限公司", make_uscc(NANHAI, "MA51WT01"), "南海区")
    shunde = ("佛山市顺德区伟腾电子科技有限公司", make_uscc(SHUNDE, "MA51WT02"), "顺德区")
    # In 禅城 only a company one letter off: no namesake, so the place holds none of them.
    near = ("佛山市禅城区伟藤电子科技有限公司", make_uscc(CHANCHENG, "MA51WT03"), "禅城区")
    works = ("佛山市宏顺市政工程有限公司", make_uscc(CHANCHENG, "MA51HT04"), "佛山市")
    sounds_alike = ("佛山市南海区红顺市政工程有限公司", make_uscc(NANHAI, "MA51HT05"), "南海区")
    db = registry_world(
        tmp_path,
        [nanhai, shunde, near, works, sounds_alike],
        [
            ("伟腾电子", None, None),  # industry words cut short: both fit, 南海 hears it
            ("伟腾电子", None, None),  # 顺德 hears it
            ("伟腾电子", None, None),  # the city's court: neither, as before
            ("伟腾电子", None, None),  # 禅城: only the one-letter-off company is there
            ("宏顺市政", None, None),  # one scores best: the place does not overrule it
        ],
        courts={2: NANHAI_COURT, 3: SHUNDE_COURT, 5: CHANCHENG_COURT, 6: NANHAI_COURT},
    )
    links = resolved_links(db)
    assert links[2] == (f"C-{nanhai[1]}", "fuzzy")
    assert links[3] == (f"C-{shunde[1]}", "fuzzy")
    assert links[4][1] == links[5][1] == "new"
    assert links[4][0] == links[5][0]  # the same name left apart is one entity
    assert links[6] == (f"C-{works[1]}", "fuzzy")
    confidence = enforcement_confidences(db)
    # Below a link the similarity alone makes: the place, not the name, chose.
    assert confidence[2] == confidence[3] == 0.9
    with Store.open(db) as store:
        decision = explain(store, "伟腾电子").decision
    assert decision is not None and decision.needs_context
    assert "the row's place decides" in decision.why


def test_a_short_name_inside_another_companys_name_is_contested(tmp_path: Path) -> None:
    spelt = ("佛山市禅城区明兴劳务有限公司", make_uscc(CHANCHENG, "MA51MX01"), "禅城区")
    # 明兴劳务 is what is left of 明兴建筑劳务 with its first industry word dropped.
    inside = ("佛山市南海区明兴建筑劳务有限公司", make_uscc(NANHAI, "MA51MX02"), "南海区")
    materials = ("佛山市禅城区宏达材料有限公司", make_uscc(CHANCHENG, "MA51HD03"), "禅城区")
    # 新材料 is one word: 宏达材料 is no shortening of it, however alike the characters.
    new_materials = ("佛山市南海区宏达新材料有限公司", make_uscc(NANHAI, "MA51HD04"), "南海区")
    db = registry_world(
        tmp_path,
        [spelt, inside, materials, new_materials],
        [
            ("明兴劳务", None, None),  # heard in 南海: the company there
            ("明兴劳务", None, None),  # heard in 禅城: the company spelt so, there
            ("宏达材料", None, None),  # heard in 南海, but no contest: the company spelt so
        ],
        courts={2: NANHAI_COURT, 3: CHANCHENG_COURT, 4: NANHAI_COURT},
    )
    links = resolved_links(db)
    assert links[2] == (f"C-{inside[1]}", "exact")
    assert links[3] == (f"C-{spelt[1]}", "exact")
    assert links[4] == (f"C-{materials[1]}", "exact")
    confidence = enforcement_confidences(db)
    assert confidence[2] == confidence[3] == 0.9
    assert confidence[4] == 0.97


def test_the_scorer_takes_whole_industry_words_as_a_shortening(tmp_path: Path) -> None:
    new_materials = ("佛山市宏达新材料有限公司", make_uscc(CHANCHENG, "MA51HD05"), "佛山市")
    materials_tech = ("佛山市宏达材料科技有限公司", make_uscc(NANHAI, "MA51HD06"), "佛山市")
    db = registry_world(
        tmp_path,
        [new_materials, materials_tech],
        [
            ("宏达材料", None, None),  # 材料科技 with 科技 dropped; 材料 is no part of 新材料
            ("宏达新材料", None, None),
        ],
    )
    links = resolved_links(db)
    assert links[2] == (f"C-{materials_tech[1]}", "fuzzy")
    assert links[3] == (f"C-{new_materials[1]}", "exact")


# More than RARE_TRADE companies share 鸿源, so no key of the trade name alone pairs them.
COMMON_TRADE = [
    (f"佛山市鸿源{industry}有限公司", make_uscc("440600", f"MA53{number:04d}"), "佛山市")
    for number, industry in enumerate(
        [
            *("贸易", "物流", "餐饮管理", "服装", "家具", "陶瓷", "五金制品", "塑料制品"),
            *("电子科技", "食品", "物业管理", "保洁服务", "照明电器", "汽车配件", "园林绿化"),
            *("幕墙工程", "机电安装", "装饰工程", "实业", "投资发展", "印刷包装", "木业"),
        ]
    )
]


def test_a_name_cut_after_its_first_industry_word_meets_its_company(tmp_path: Path) -> None:
    staffing = ("佛山市南海区鸿源人力资源管理有限公司", make_uscc(NANHAI, "MA51HY01"), "南海区")
    builder = ("佛山市南海区鸿源建筑工程劳务有限公司", make_uscc(NANHAI, "MA51HY02"), "南海区")
    db = registry_world(
        tmp_path,
        [staffing, builder, *COMMON_TRADE],
        [
            ("鸿源人力资源", None, None),  # the first word, of four characters
            ("鸿源人力", None, None),  # the first word's short form
            ("南海鸿源建工", None, None),  # 建工 = 建筑工程, the first two words
            ("南海鸿源建材", None, None),  # 建材 = 建筑材料: no company's words begin so
        ],
    )
    links = resolved_links(db)
    assert links[2] == (f"C-{staffing[1]}", "fuzzy")
    assert links[3] == (f"C-{staffing[1]}", "fuzzy")
    assert links[4] == (f"C-{builder[1]}", "fuzzy")
    assert links[5][1] == "new"


def test_the_registration_area_is_read_alike_in_sql_and_in_polars() -> None:
    ids = [f"C-{make_uscc(NANHAI, 'MA51RA01')}", f"C-{make_uscc('440300', 'MA51RA02')}"]
    frame = pl.DataFrame({"entity_id": ids})
    in_polars = frame.select(registration_area(pl.col("entity_id"))).to_series().to_list()
    in_sql = duckdb.sql(f"SELECT {registration_area_sql('f.entity_id')} FROM frame f").fetchall()
    assert in_polars == [area for (area,) in in_sql] == [NANHAI, "440300"]


def test_resolution_is_also_scored_per_mention_and_without_the_largest_companies() -> None:
    # One bank named in every row, linked right, hides a small company split in two.
    bank = [("BANK", "C-BANK")] * 40
    small = [("Y1", "C-Y1"), ("Y1", "N-typo"), ("Y2", "C-Y2"), ("Y2", "C-Y2")]
    others = [(f"X{n:02d}", f"C-X{n:02d}") for n in range(12) for _ in range(2)]
    scores = resolution_scores([*bank, *small, *others])
    assert scores.precision == 1.0 and scores.recall > 0.99
    assert (scores.right, scores.mentions) == (67, 68)
    # Left out: the bank and the nine first (by USCC) of the twelve companies of two.
    assert scores.largest_mentions == 40 + 9 * 2
    assert scores.precision_without_largest == 1.0
    assert scores.recall_without_largest == 4 / 5  # X09, X10, X11, Y1, Y2 kept; Y1 split


def test_a_name_with_its_first_industry_words_dropped_meets_its_company(tmp_path: Path) -> None:
    builder = ("佛山市南海区鸿源建筑劳务有限公司", make_uscc(NANHAI, "MA51HY05"), "南海区")
    # 劳务派遣 is one word: 鸿源劳务 is no shortening of it, though its characters begin so.
    staffing = ("佛山市南海区鸿源劳务派遣有限公司", make_uscc(NANHAI, "MA51HY06"), "南海区")
    db = registry_world(
        tmp_path,
        [builder, staffing, *COMMON_TRADE],
        [("南海鸿源劳务", None, None), ("南海鸿源劳务派遣", None, None)],
    )
    links = resolved_links(db)
    assert links[2] == (f"C-{builder[1]}", "fuzzy")
    assert links[3] == (f"C-{staffing[1]}", "exact")


def test_the_kind_of_company_a_form_says_tells_namesakes_apart(tmp_path: Path) -> None:
    # 公司法 第七条: a 有限公司 is a limited liability company, a 股份公司 a joint-stock one.
    llc = ("佛山市隆昌劳务有限公司", make_uscc(CHANCHENG, "MA51LC01"), "禅城区")
    jsc = ("佛山市南海区隆昌劳务股份有限公司", make_uscc(NANHAI, "MA51LC02"), "南海区")
    # Hard negatives: two limited liability companies, one spelt 有限责任公司; and a
    # joint-stock company beside them.
    one = ("佛山市禅城区宏业建筑有限公司", make_uscc(CHANCHENG, "MA51HY03"), "禅城区")
    other = ("佛山市南海区宏业建筑有限责任公司", make_uscc(NANHAI, "MA51HY04"), "南海区")
    stock = ("佛山市顺德区宏业建筑股份有限公司", make_uscc(SHUNDE, "MA51HY05"), "顺德区")
    db = registry_world(
        tmp_path,
        [llc, jsc, one, other, stock],
        [
            ("隆昌劳务股份公司", None, None),  # the joint-stock company, wherever heard
            ("隆昌劳务有限责任公司", None, None),  # the limited liability company
            ("隆昌劳务公司", None, None),  # 公司 says no kind: the place decides (禅城)
            ("隆昌劳务公司", None, None),  # … and the city's court picks neither
            ("宏业建筑有限", None, None),  # two of the kind 有限 says: the place decides
            ("宏业建筑有限", None, None),  # … and never the joint-stock one of 顺德
            ("宏业建筑股份有限公司", None, None),  # spelt as the joint-stock one
        ],
        courts={
            2: NANHAI_COURT,
            3: NANHAI_COURT,
            4: CHANCHENG_COURT,
            6: NANHAI_COURT,
            7: SHUNDE_COURT,
        },
    )
    links = resolved_links(db)
    assert links[2] == (f"C-{jsc[1]}", "exact")
    assert links[3] == (f"C-{llc[1]}", "exact")
    assert links[4] == (f"C-{llc[1]}", "exact")
    assert links[5][1] == "new"
    assert links[6] == (f"C-{other[1]}", "exact")
    assert links[7][1] == "new"
    assert links[8] == (f"C-{stock[1]}", "exact")
    confidence = enforcement_confidences(db)
    assert confidence[2] == confidence[3] == 0.97  # the form chose, not the place
    assert confidence[4] == confidence[6] == 0.9  # the place chose


def test_a_tie_of_similar_names_goes_to_the_one_with_the_names_legal_form(
    tmp_path: Path,
) -> None:
    llc = ("佛山市创安建设有限公司", make_uscc(CHANCHENG, "MA51CA01"), "佛山市禅城区祖庙路1号")
    llc_spelt_out = (
        "佛山市创安建设有限责任公司",
        make_uscc(NANHAI, "MA51CA02"),
        "佛山市南海区桂城街2号",
    )
    db = registry_world(
        tmp_path,
        [llc, llc_spelt_out],
        [
            ("佛山市创安健设有限公司", None, None),  # a typo: both score alike; 有限公司 decides
            ("佛山市创安健设有限责任公司", None, None),  # … and 有限责任公司
            ("佛山市创安健设公司", None, None),  # 公司 says nothing: the place (南海)
            ("佛山市创安健设公司", None, None),  # … and the city's court picks neither
            ("佛山市创安健设股份有限公司", None, None),  # neither is a 股份有限公司
        ],
        courts={4: NANHAI_COURT, 6: NANHAI_COURT},
    )
    links = resolved_links(db)
    assert links[2] == (f"C-{llc[1]}", "fuzzy")
    assert links[3] == (f"C-{llc_spelt_out[1]}", "fuzzy")
    assert links[4] == (f"C-{llc_spelt_out[1]}", "fuzzy")
    # Heard in 南海, yet not 南海's 有限责任公司: a 股份有限公司 is another kind of company.
    assert links[5][1] == links[6][1] == "new"
    confidence = enforcement_confidences(db)
    assert confidence[2] == confidence[3] == confidence[4] == 0.9
    with Store.open(db) as store:
        decision = explain(store, "佛山市创安健设有限公司").decision
    assert decision is not None and "the one with the name's legal form" in decision.why
