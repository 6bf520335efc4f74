"""How big each generated world is."""

from __future__ import annotations

from dataclasses import dataclass

from screening.errors import GenerateError


@dataclass(frozen=True)
class Scale:
    name: str
    companies: int
    projects: int
    arbitrations: int  # target rows, planted cases included
    enforcements: int  # target rows, wage and other civil enforcement
    planted_per_pattern: int  # planted leads of each pattern; decoys are about as many
    all_cities: bool  # the whole province, or the focus city (佛山) only


SCALES = {
    scale.name: scale
    for scale in (
        Scale("tiny", 160, 60, 260, 260, 2, all_cities=False),
        Scale("small", 1_200, 600, 3_500, 4_000, 6, all_cities=False),
        Scale("medium", 30_000, 20_000, 100_000, 140_000, 40, all_cities=False),
        Scale("province", 500_000, 200_000, 1_000_000, 3_000_000, 150, all_cities=True),
    )
}


def get_scale(name: str) -> Scale:
    try:
        return SCALES[name]
    except KeyError:
        raise GenerateError(
            f"unknown scale '{name}'", hint=f"choose one of: {', '.join(SCALES)}"
        ) from None
