"""Resident identity numbers for the world's people, as cheaply as they can be drawn.

A province has millions of people, and making each one's number was a fifth of building
the world: a random birth day turned into a date, then into text, then a check character
computed digit by digit. The draws here are exactly :meth:`Builder.day`'s and
``randint(0, 999)``'s (same stream, same bits); what they index is computed once: every
birth day's digits and their share of the check sum (GB 11643's weights are per position,
so the sum of a number is the sum of its parts').
"""

from __future__ import annotations

from datetime import date, timedelta

from screening.identifiers import ID_NUMBER_CHECK, ID_NUMBER_WEIGHTS
from screening.synth.draws import Stream

EARLIEST_BIRTH, LATEST_BIRTH = date(1962, 1, 1), date(2004, 12, 31)  # of people in the world
SEQUENCES = 1_000  # the three digits after the birth date


def _weighted_sum(digits: str, first_position: int) -> int:
    weights = ID_NUMBER_WEIGHTS[first_position : first_position + len(digits)]
    return sum(int(digit) * weight for digit, weight in zip(digits, weights, strict=True))


class IdNumbers:
    """Draws unique 18-character ID numbers: area, birth date, sequence, check character."""

    def __init__(self, rng: Stream) -> None:
        self.rng = rng
        days = (LATEST_BIRTH - EARLIEST_BIRTH).days + 1
        births = [f"{EARLIEST_BIRTH + timedelta(days=n):%Y%m%d}" for n in range(days)]
        self._births = [(text, _weighted_sum(text, 6)) for text in births]
        self._birth_bits = days.bit_length()
        sequences = [f"{n:03d}" for n in range(SEQUENCES)]
        self._sequences = [(text, _weighted_sum(text, 14)) for text in sequences]
        self._areas: dict[str, int] = {}
        self.taken: set[str] = set()

    def draw(self, area: str) -> str:
        """A new number for someone born in ``area`` (6 digits), never one drawn before.

        Draws as ``Builder.day(EARLIEST_BIRTH, LATEST_BIRTH)`` then ``randint(0, 999)``,
        again until the number is new."""
        area_sum = self._areas.get(area)
        if area_sum is None:
            area_sum = self._areas[area] = _weighted_sum(area, 0)
        getrandbits, births, sequences = self.rng.getrandbits, self._births, self._sequences
        taken = self.taken
        birth_bits, days = self._birth_bits, len(births)
        while True:
            day = getrandbits(birth_bits)  # randint's rejection sampling, inlined
            while day >= days:
                day = getrandbits(birth_bits)
            sequence = getrandbits(10)
            while sequence >= SEQUENCES:
                sequence = getrandbits(10)
            birth, birth_sum = births[day]
            digits, sequence_sum = sequences[sequence]
            check = ID_NUMBER_CHECK[(area_sum + birth_sum + sequence_sum) % 11]
            number = f"{area}{birth}{digits}{check}"
            drawn_before = len(taken)
            taken.add(number)  # one probe of millions, not two
            if len(taken) > drawn_before:
                return number
