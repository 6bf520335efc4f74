"""The generator's random streams: the standard library's draws, with less overhead.

A world is one seeded stream, so every draw must be exactly the one
:class:`random.Random` makes (same seed, same bytes). A province-scale world makes tens
of millions of ``randint``/``choice``/``choices`` calls, and the standard methods spend
most of their time in argument checks and nested calls (``randint`` → ``randrange`` →
``_randbelow``). The overrides below take the same bits from the same generator in the
same way, in one call; ``tests/test_synth.py`` checks them against the standard methods,
so a Python whose ``random`` draws differently fails there rather than silently.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Sequence
from itertools import accumulate
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import SupportsLenAndGetItem

T = TypeVar("T")
_NV_MAGICCONST: float = random.NV_MAGICCONST  # type: ignore[attr-defined]


class Stream(random.Random):
    """A :class:`random.Random` whose integer and choice draws are cheaper, not different."""

    def __init__(self, seed: str) -> None:
        super().__init__(seed)
        # Weights tuple -> (cumulative weights, their total), as ``choices`` computes them.
        self._cumulative: dict[tuple[float, ...], tuple[list[float], float]] = {}

    def _below(self, n: int) -> int:
        """A uniform integer in [0, n): ``Random._randbelow_with_getrandbits``."""
        bits = n.bit_length()
        drawn = self.getrandbits(bits)
        while drawn >= n:
            drawn = self.getrandbits(bits)
        return drawn

    def randint(self, a: int, b: int) -> int:
        width = b - a + 1
        if width <= 0:
            return super().randint(a, b)  # the standard error
        bits = width.bit_length()
        drawn = self.getrandbits(bits)
        while drawn >= width:
            drawn = self.getrandbits(bits)
        return a + drawn

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        low, width = (0, start) if stop is None else (start, stop - start)
        if step != 1 or width <= 0:
            return super().randrange(start, stop, step)
        return low + self._below(width)

    def choice(self, seq: SupportsLenAndGetItem[T]) -> T:
        size = len(seq)
        if not size:
            raise IndexError("Cannot choose from an empty sequence")
        bits = size.bit_length()
        drawn = self.getrandbits(bits)
        while drawn >= size:
            drawn = self.getrandbits(bits)
        return seq[drawn]

    def lognormvariate(self, mu: float, sigma: float) -> float:
        """``Random.lognormvariate``: its ``normalvariate`` (Kinderman and Monahan's ratio
        of uniforms) inlined, the same arithmetic in the same order."""
        random = self.random
        while True:
            u1 = random()
            u2 = 1.0 - random()
            z = _NV_MAGICCONST * (u1 - 0.5) / u2
            if z * z / 4.0 <= -math.log(u2):
                return math.exp(mu + z * sigma)

    def choices(  # type: ignore[override]
        self,
        population: Sequence[T],
        weights: Any = None,
        *,
        cum_weights: Any = None,
        k: int = 1,
    ) -> list[T]:
        """One weighted pick with a weights tuple reuses its cumulative weights."""
        if k != 1 or cum_weights is not None or type(weights) is not tuple:
            return super().choices(population, weights, cum_weights=cum_weights, k=k)
        cumulative = self._cumulative.get(weights)
        if cumulative is None:
            sums = list(accumulate(weights))
            cumulative = self._cumulative[weights] = (sums, sums[-1] + 0.0)
        sums, total = cumulative
        if len(sums) != len(population) or not 0.0 < total < math.inf:
            return super().choices(population, weights, k=k)  # the standard error
        return [population[bisect(sums, self.random() * total, 0, len(sums) - 1)]]
