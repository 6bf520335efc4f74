"""The original conventions (佛山): what screening/synth/render.py writes, unchanged.

``sample_data/`` and the golden tests are generated in this dialect; it must stay
byte-identical for a given seed.
"""

from __future__ import annotations

from screening.synth.dialect import Dialect

DIALECT = Dialect(name="default", description="佛山: the generator's original conventions")
