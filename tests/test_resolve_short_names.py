"""Short names several registry companies fit: the row's place decides, by one measure
of what a shortening is."""

from __future__ import annotations

from pathlib import Path

from resolve_world import enforcement_confidences, registry_world, resolved_links

from screening.identifiers import make_uscc
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
