"""Cleaning raw text cells, each step only on the cells it can change.

Every mapped cell is cleaned before it is typed: NFKC (full-width → half-width), whitespace
runs collapsed (text) or removed (codes and numbers), trimmed, and checked for control
characters. A province holds some 75 million cells and each of these steps is a pass over
all their bytes, yet most cells are plain: printable ASCII without spaces, and CJK Unified
Ideographs. No step changes such a cell or finds anything in it, so one test picks the
cells that need cleaning and only those are cleaned. The results are exactly those of
applying every step to every cell (``tests/test_cell_cleaning.py`` holds the plain forms).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import partial

import numpy as np
import polars as pl

# C0 control characters that are not whitespace, and DEL: a NUL or an ESC in a cell is a
# damaged export, not a clerk's typing (tabs and line breaks are whitespace, kept as space).
CONTROL_CHARACTERS = r"[\x00-\x08\x0E-\x1F\x7F]"

# CJK symbols and punctuation that are their own NFKC form, compose with nothing and are
# no whitespace (〔〕【】 of case numbers and titles).
CJK_SYMBOLS = "".join(
    symbol
    for symbol in map(chr, range(0x3001, 0x3040))
    if unicodedata.normalize("NFKC", symbol) == symbol and unicodedata.combining(symbol) == 0
)
# CJK Unified Ideographs and those symbols: no character of them has a compatibility
# decomposition, composes with a neighbour, has a case or is whitespace.
_CJK = f"{chr(0x4E00)}-{chr(0x9FFF)}{CJK_SYMBOLS}"
# A cell of these characters alone is its own NFKC form, holds no whitespace to collapse
# or trim and no control character: cleaning leaves it as it is.
_PLAIN = f"^[\\x21-\\x7E{_CJK}]*$"
# Text of ASCII and those characters only is its own NFKC form.
_NFKC_STABLE = f"^[\\x00-\\x7F{_CJK}]*$"
# No character of these has an upper case form other than itself.
_NO_LOWER_CASE = f"^[\\x00-\\x60\\x7B-\\x7F{_CJK}]*$"

# Full-width ASCII forms and the ideographic space map one to one onto ASCII under NFKC
# (case numbers' brackets （）, names' spaces). In text of these, ASCII and the characters
# above, nothing composes: NFKC is a translation table there, a third of the cost.
WIDE = [chr(code) for code in range(0xFF01, 0xFF5F)] + ["\u3000"]
NARROW = [unicodedata.normalize("NFKC", wide) for wide in WIDE]
_BY_TABLE = f"^[\\x00-\\x7F{_CJK}{''.join(WIDE)}]*$"

CLEAN, CONTROL = "clean", "control"
CLEANED = pl.Struct({CLEAN: pl.String(), CONTROL: pl.Boolean()})


def cleaned(raw: pl.Expr, *, spaces: str) -> pl.Expr:
    """Struct of ``clean`` (NFKC; whitespace runs → ``spaces``, trimmed; "" → null) and
    ``control`` (whether the raw cell holds a control character)."""
    return raw.map_batches(
        partial(_cleaned, spaces=spaces), return_dtype=CLEANED, is_elementwise=True
    )


def _cleaned(texts: pl.Series, *, spaces: str) -> pl.Series:
    others = ~texts.str.contains(_PLAIN).fill_null(True)
    clean = only_where(texts, others, partial(_clean, spaces=spaces))
    control = np.zeros(len(texts), dtype=bool)
    if others.any():
        found = texts.filter(others).str.contains(CONTROL_CHARACTERS).to_numpy()
        control[others.to_numpy()] = found
    return pl.struct(clean.replace("", None).alias(CLEAN), pl.Series(CONTROL, control), eager=True)


def _clean(texts: pl.Series, *, spaces: str) -> pl.Series:
    text = nfkc_cells(texts).str.replace_all(r"\s+", spaces)
    return text.str.strip_chars() if spaces else text


def nfkc(raw: pl.Expr) -> pl.Expr:
    """``raw.str.normalize("NFKC")``, normalising only the cells that can change."""
    return raw.map_batches(nfkc_cells, return_dtype=pl.String, is_elementwise=True)


def nfkc_cells(texts: pl.Series) -> pl.Series:
    changing = ~texts.str.contains(_NFKC_STABLE).fill_null(True)
    return only_where(texts, changing, _nfkc_changing)


def _nfkc_changing(texts: pl.Series) -> pl.Series:
    by_table = texts.str.contains(_BY_TABLE)
    narrow = only_where(texts, by_table, lambda wide: wide.str.replace_many(WIDE, NARROW))
    return only_where(narrow, ~by_table, lambda other: other.str.normalize("NFKC"))


def uppercase(text: pl.Expr) -> pl.Expr:
    """``text.str.to_uppercase()``, converting only the cells that can change."""
    return text.map_batches(_uppercase, return_dtype=pl.String, is_elementwise=True)


def _uppercase(texts: pl.Series) -> pl.Series:
    changing = ~texts.str.contains(_NO_LOWER_CASE).fill_null(True)
    return only_where(texts, changing, lambda some: some.str.to_uppercase())


def only_where(
    texts: pl.Series, where: pl.Series, step: Callable[[pl.Series], pl.Series]
) -> pl.Series:
    """``texts`` with ``step`` applied to the cells ``where`` is true, the others as they are."""
    if not where.any():
        return texts
    if where.all():
        return step(texts)
    return texts.clone().scatter(where.arg_true(), step(texts.filter(where)))
