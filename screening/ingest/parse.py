"""Clean and type raw text cells, column by column, as vectorised polars expressions.

For each canonical column, :func:`typed_column` returns the typed value and a *reason*
(null when the cell is fine). A row with any reason is rejected with every reason it has;
nothing is ever guessed or "corrected": an invalid USCC stays as typed and is marked
invalid, an amount that is not a number is a reject, not a zero. Money is DECIMAL, never
float. Reasons are what analysts read: Chinese first, English beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from screening.identifiers import USCC_ALPHABET, USCC_WEIGHTS
from screening.ingest.canonical import Kind

MAX_LENGTH = {Kind.TEXT: 2_000}  # other kinds: names, codes and numbers
DEFAULT_MAX_LENGTH = 200
EARLIEST, LATEST = pl.date(1949, 10, 1), pl.date(2100, 12, 31)
EXCEL_EPOCH = pl.date(1899, 12, 30)
MAX_AMOUNT_DIGITS = 14  # DECIMAL(18,2): up to 10^14 yuan before the point
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
USCC_SHAPE = r"^[0-9A-HJ-NPQRTUWXY]{18}$"
ID_SHAPE = r"^[1-8]\d{5}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dX]$"
TRUE_WORDS = ["是", "Y", "YES", "TRUE", "1", "√"]
FALSE_WORDS = ["否", "N", "NO", "FALSE", "0", "×"]


@dataclass(frozen=True)
class Typed:
    value: pl.Expr
    reason: pl.Expr  # null when the cell is acceptable
    companions: dict[str, pl.Expr]  # suffix -> expression (status, kind …)


def cleaned_text(raw: pl.Expr) -> pl.Expr:
    """NFKC (full-width → half-width), whitespace runs → one space, trimmed; "" → null."""
    text = raw.str.normalize("NFKC").str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def compact(raw: pl.Expr) -> pl.Expr:
    """Like :func:`cleaned_text` but with no whitespace at all (codes and numbers)."""
    text = raw.str.normalize("NFKC").str.replace_all(r"\s+", "")
    return pl.when(text == "").then(None).otherwise(text)


def typed_column(
    raw: pl.Expr, kind: Kind, *, unit: str = "元", date_formats: list[str] | None = None
) -> Typed:
    builders = {
        Kind.TEXT: lambda: _text(raw, kind),
        Kind.NAME: lambda: _text(raw, kind),
        Kind.CODE: lambda: _code(raw),
        Kind.USCC: lambda: _uscc(raw),
        Kind.ID_NUMBER: lambda: _id_number(raw),
        Kind.PARTY_CODE: lambda: _party_code(raw),
        Kind.PHONE: lambda: _phone(raw),
        Kind.DATE: lambda: _date(raw, date_formats or []),
        Kind.AMOUNT: lambda: _amount(raw, unit),
        Kind.RATE: lambda: _rate(raw),
        Kind.FLAG: lambda: _flag(raw),
        Kind.INTEGER: lambda: _integer(raw),
    }
    return builders[kind]()


def _too_long(value: pl.Expr, kind: Kind) -> pl.Expr:
    limit = MAX_LENGTH.get(kind, DEFAULT_MAX_LENGTH)
    length = value.str.len_chars()
    return (
        pl.when(length > limit)
        .then(pl.format("过长 too long: {} characters (limit {})", length, pl.lit(limit)))
        .otherwise(None)
    )


def _text(raw: pl.Expr, kind: Kind) -> Typed:
    value = cleaned_text(raw)
    return Typed(value, _too_long(value, kind), {})


def _code(raw: pl.Expr) -> Typed:
    value = compact(raw).str.to_uppercase()
    return Typed(value, _too_long(value, Kind.CODE), {})


def uscc_is_valid(code: pl.Expr) -> pl.Expr:
    """GB 32100 check character, vectorised (see identifiers.uscc_check_char)."""
    values = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
    total = pl.sum_horizontal(
        code.str.slice(i, 1).replace_strict(values, default=0, return_dtype=pl.Int64) * weight
        for i, weight in enumerate(USCC_WEIGHTS)
    )
    expected = ((31 - total % 31) % 31).replace_strict(
        dict(enumerate(USCC_ALPHABET)), return_dtype=pl.String
    )
    return code.str.contains(USCC_SHAPE) & (code.str.slice(17, 1) == expected)


def id_number_is_valid(number: pl.Expr) -> pl.Expr:
    """GB 11643 shape (with a plausible birth date) and ISO 7064 MOD 11-2 check character."""
    total = pl.sum_horizontal(
        number.str.slice(i, 1).cast(pl.Int64, strict=False).fill_null(0) * weight
        for i, weight in enumerate(ID_WEIGHTS)
    )
    expected = (total % 11).replace_strict(dict(enumerate(ID_CHECK)), return_dtype=pl.String)
    return number.str.contains(ID_SHAPE) & (number.str.slice(17, 1) == expected)


def masked(number: pl.Expr) -> pl.Expr:
    """Keep the first 6 and last 4 characters of an ID-like number; hide the rest."""
    length = number.str.len_chars()
    return (
        pl.when(length >= 10)
        .then(
            pl.concat_str(
                number.str.slice(0, 6),
                pl.lit("*").repeat_by(length - 10).list.join(""),
                number.str.slice(-4, 4),
            )
        )
        .otherwise(pl.lit("*").repeat_by(length).list.join(""))
    )


def _status(code: pl.Expr, valid: pl.Expr) -> pl.Expr:
    return (
        pl.when(code.is_null())
        .then(pl.lit("missing"))
        .when(valid)
        .then(pl.lit("valid"))
        .otherwise(pl.lit("invalid"))
    )


def _uscc(raw: pl.Expr) -> Typed:
    code = compact(raw)
    return Typed(code, _too_long(code, Kind.USCC), {"status": _status(code, uscc_is_valid(code))})


def _id_number(raw: pl.Expr) -> Typed:
    number = compact(raw).str.to_uppercase()
    # The full number never leaves this expression: stored masked, joined by keyed hash
    # (the hash is filled in by the loader, which holds the key).
    return Typed(
        masked(number),
        _too_long(number, Kind.ID_NUMBER),
        {"hash": number, "status": _status(number, id_number_is_valid(number))},
    )


def _party_code(raw: pl.Expr) -> Typed:
    code = compact(raw).str.to_uppercase()
    is_id = id_number_is_valid(code)
    is_uscc = uscc_is_valid(code) & ~is_id
    looks_like_uscc = code.str.contains(r"[A-Z]") | code.str.starts_with("9")
    kind = (
        pl.when(code.is_null())
        .then(None)
        .when(is_id)
        .then(pl.lit("id_number"))
        .when(is_uscc)
        .then(pl.lit("uscc"))
        .otherwise(pl.lit("unknown"))
    )
    # A company code is public and kept as typed; anything that may be a person's number
    # is masked, even when it fails its check.
    value = pl.when(is_uscc | (~is_id & looks_like_uscc)).then(code).otherwise(masked(code))
    return Typed(
        value,
        _too_long(code, Kind.PARTY_CODE),
        {
            "kind": kind,
            "hash": pl.when(is_id).then(code).otherwise(None),
            "status": _status(code, is_id | is_uscc),
        },
    )


def _phone(raw: pl.Expr) -> Typed:
    number = compact(raw).str.replace_all(r"[-()]", "")
    length = number.str.len_chars()
    value = (
        pl.when(length >= 7)
        .then(pl.concat_str(number.str.slice(0, 3), pl.lit("****"), number.str.slice(-4, 4)))
        .otherwise(pl.lit("*").repeat_by(length).list.join(""))
    )
    return Typed(value, _too_long(number, Kind.PHONE), {})


def _date(raw: pl.Expr, formats: list[str]) -> Typed:
    text = compact(raw).str.replace(r"[T ]?00:00:00(\.0+)?$", "")
    serial = text.str.contains(r"^\d{1,5}(\.0+)?$")  # an Excel date cell exported as a number
    parsed = pl.coalesce(
        *(text.str.to_date(fmt, strict=False) for fmt in formats),
        pl.when(serial).then(
            EXCEL_EPOCH
            + pl.duration(days=text.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False))
        ),
    )
    plausible = parsed.is_between(EARLIEST, LATEST)
    reason = (
        pl.when(text.is_null())
        .then(None)
        .when(parsed.is_null())
        .then(pl.format("无法识别的日期 not a date: '{}'", text))
        .when(~plausible)
        .then(pl.format("日期超出范围 date out of range: {}", parsed))
        .otherwise(None)
    )
    return Typed(pl.when(plausible).then(parsed), reason, {})


def _amount(raw: pl.Expr, unit: str) -> Typed:
    text = compact(raw)
    number = text.str.replace_all(r"[,，¥￥]", "").str.replace(r"元$", "")
    in_wan = number.str.ends_with("万") | pl.lit(unit == "万元")
    number = number.str.replace(r"万$", "")
    numeric = number.str.contains(r"^-?\d+(\.\d+)?$")
    integer_digits = number.str.replace(r"^-", "").str.replace(r"\.\d*$", "").str.len_chars()
    limit = pl.when(in_wan).then(MAX_AMOUNT_DIGITS - 4).otherwise(MAX_AMOUNT_DIGITS)
    too_large = integer_digits > limit
    decimal = pl.when(numeric & ~too_large).then(number).str.to_decimal(scale=6)
    yuan = pl.when(in_wan).then(decimal * 10_000).otherwise(decimal).round(2)
    reason = (
        pl.when(text.is_null())
        .then(None)
        .when(~numeric)
        .then(pl.format("无法识别的金额 not an amount: '{}'", text))
        .when(number.str.starts_with("-"))
        .then(pl.format("负数金额 negative amount: {}", text))
        .when(too_large)
        .then(pl.format("金额过大 amount too large: {}", text))
        .otherwise(None)
    )
    value = pl.when(reason.is_null()).then(yuan).cast(pl.Decimal(18, 2))
    return Typed(value, reason, {})


def _rate(raw: pl.Expr) -> Typed:
    text = compact(raw)
    parts = text.str.extract_groups(r"^(\d+(?:\.\d+)?)(%|‰)?$")
    number = parts.struct.field("1").str.to_decimal(scale=6)
    suffix = parts.struct.field("2")
    # A bare number above 1 cannot be a fraction of the contract price: it is a percentage.
    fraction = (
        pl.when(suffix == "%")
        .then(number / 100)
        .when(suffix == "‰")
        .then(number / 1000)
        .when(number > 1)
        .then(number / 100)
        .otherwise(number)
    )
    reason = (
        pl.when(text.is_null())
        .then(None)
        .when(number.is_null() | (fraction > 1))
        .then(pl.format("无法识别的比例 not a rate: '{}'", text))
        .otherwise(None)
    )
    return Typed(pl.when(reason.is_null()).then(fraction).cast(pl.Decimal(9, 6)), reason, {})


def _flag(raw: pl.Expr) -> Typed:
    word = compact(raw).str.to_uppercase()
    value = pl.when(word.is_in(TRUE_WORDS)).then(True).when(word.is_in(FALSE_WORDS)).then(False)
    reason = (
        pl.when(word.is_not_null() & value.is_null())
        .then(pl.format("应为是/否 not yes/no: '{}'", word))
        .otherwise(None)
    )
    return Typed(value, reason, {})


def _integer(raw: pl.Expr) -> Typed:
    text = compact(raw).str.replace_all(",", "")
    numeric = text.str.contains(r"^-?\d{1,18}$")
    reason = (
        pl.when(text.is_not_null() & ~numeric)
        .then(pl.format("无法识别的整数 not a whole number: '{}'", text))
        .otherwise(None)
    )
    return Typed(pl.when(numeric).then(text).cast(pl.Int64, strict=False), reason, {})
