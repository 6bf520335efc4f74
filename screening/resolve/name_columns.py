"""Names taken apart as polars columns, a chunk of names at once: the same parts, bit for
bit, as :mod:`screening.resolve.names` gives one name at a time, for a fraction of the CPU.

Each step of :func:`~screening.resolve.names.take_apart_text` is a column expression here
(Rust regular expressions, joins against the gazetteer's names), except where only Python
is exact. Those names go to the per-name parser whole, so their parts are its parts:

- a bracket in the name: a region in brackets (茂名市(化州)…) is removed occurrence by
  occurrence, and the region levels it names bind the misspelt-district step;
- a branch suffix (…分公司): the qualifier follows the last of a legal form, the forms
  tried longest first, and a region qualifier is written by its short name;
- a possible misspelt district (广东舜德…): the first characters after the region sound
  like a district inside it;
- a character Python's Unicode database does not know: polars' NFKC may know it (only the
  normalisation of such a name is Python's).

The regex crate has no lookaround or backreferences and its ``\\s`` is not Python's, so
every pattern here is written for it from the same word lists (``features/names.yaml``),
and the characters Python's noise pattern strips are spelt out one by one. Where a pattern
captures, it relies on the crate's leftmost-first semantics giving the captures a
backtracking engine gives (a lazy prefix is as short as it can be).
"""

from __future__ import annotations

import unicodedata
from functools import cache

import polars as pl

from screening.gazetteer import LEVELS, load_gazetteer
from screening.resolve.name_vocabulary import MIN_TRADE, NameVocabulary, name_vocabulary
from screening.resolve.names import (
    BRACKET_STYLES,
    NOISE,
    PERSON_NAME,
    normalise,
    places_by_sound,
    take_apart_text,
)
from screening.resolve.sound import sounds

# A company name's parts, each a String column (region codes as text).
PART_COLUMNS = ("text", *LEVELS, "trade", "industry", "legal_form", "branch", "core_sound")
# The two sound prefixes the misspelt-district step tries (names._misspelt_region).
HEARD_LENGTHS = (3, 2)
PREFIX_START = 2  # characters of a region name that find it (the gazetteer has none shorter)
_ROW = "row"


def normalised(names: pl.Series) -> pl.Series:
    """:func:`~screening.resolve.names.normalise` of each name (nulls stay null)."""
    fast = (
        names.str.normalize("NFKC")
        .str.replace_many(list(BRACKET_STYLES), list(BRACKET_STYLES.values()))
        .str.replace_all(_noise_pattern(), "")
        .str.replace_all("()", "", literal=True)
    )
    unknown = names.str.contains(_unassigned_pattern()).fill_null(False).arg_true()
    if unknown.len():
        fast = fast.scatter(unknown, [normalise(name) for name in names.gather(unknown)])
    return fast.alias(names.name)


def person_mask(texts: pl.Series, words: NameVocabulary | None = None) -> pl.Series:
    """:func:`~screening.resolve.names.is_person_text` of each normalised name."""
    words = words or name_vocabulary()
    text = pl.col("text")
    ends_in_note = text.str.ends_with(")") & text.str.contains("(", literal=True)
    starts_with_note = text.str.starts_with("(") & text.str.contains(")", literal=True)
    notes = list(words.person_notes)
    # _without_note's three places for a note: last brackets, first brackets, the end.
    last = text.str.extract_groups(r"^(.*)\(([^(]*)\)$")
    first = text.str.extract_groups(r"^\(([^)]*)\)(.*)$")
    bare = (
        pl.when(ends_in_note)
        .then(pl.when(last.struct[1].is_in(notes)).then(last.struct[0]))
        .when(starts_with_note)
        .then(pl.when(first.struct[0].is_in(notes)).then(first.struct[1]))
        .otherwise(text.str.extract(f"^(.+?)(?:{_alternation(notes)})$", 1))
    )
    person = PERSON_NAME.pattern
    frame = pl.DataFrame({"text": texts}).select(
        "text",
        subject=pl.when(bare.str.contains(person).fill_null(False))
        .then(bare)
        .when(text.str.contains(person))
        .then(text),
    )
    subject = pl.col("subject")
    frame = frame.with_columns(
        refused=text.str.contains_any(list(words.lists.organisation_marks.terms))
        | subject.str.contains(f"^.+(?:{_alternation(words.legal_forms)})$")
        | subject.str.contains(_trade_and_industry_pattern(words))
    )
    # A region, then industry words (南海汽配): the gazetteer's names, only for names
    # shaped like a person's (two to six characters).
    shaped = frame.get_column("subject").is_not_null()
    candidates = frame.filter(shaped & ~pl.col("refused")).get_column("subject")
    chain = region_chain(candidates)
    rest = candidates.str.slice(chain.get_column("consumed"))
    region_and_industry = (chain.get_column("consumed") > 0) & (
        rest.str.contains(_only_tokens(words)) | rest.str.contains(_industry_tail(words))
    )
    person_rows = (shaped & ~frame.get_column("refused")).arg_true()
    return (
        pl.Series("is_person", [False] * texts.len(), dtype=pl.Boolean)
        .scatter(person_rows, ~region_and_industry)
        .alias("is_person")
    )


def take_apart_column(texts: pl.Series, words: NameVocabulary | None = None) -> pl.DataFrame:
    """:func:`~screening.resolve.names.take_apart_text` of each normalised name, as the
    columns :data:`PART_COLUMNS` (``core_sound``: the sound of trade name and industry)."""
    words = words or name_vocabulary()
    frame = _region_taken(texts)
    python = (
        frame.get_column("python")
        | frame.get_column("body").str.contains(f"(?:{_alternation(words.branch_suffixes)})$")
        | _may_hear_district(frame.with_columns(body="heard_from"))
    )
    head, legal_form = pl.col("head"), pl.col("legal_form")
    group = words.group_word
    columnar = (
        frame.filter(~python)
        .with_columns(
            pl.col("body")
            .str.extract_groups(f"^(.+?)({_alternation(words.legal_forms)})$")
            .struct.rename_fields(["head", "legal_form"])
            .struct.unnest()
        )
        .with_columns(head=pl.coalesce(head, "body"), legal_form=legal_form.fill_null(""))
        .with_columns(
            grouped=head.str.ends_with(group)
            & (head.str.len_chars().cast(pl.Int64) - len(group) >= MIN_TRADE)
        )
        .with_columns(
            head=pl.when("grouped")
            .then(head.str.slice(0, head.str.len_chars().cast(pl.Int64) - len(group)))
            .otherwise(head),
            legal_form=pl.when("grouped").then(group + legal_form).otherwise(legal_form),
        )
        .with_columns(
            head.str.extract_groups(_industry_tail(words))
            .struct.rename_fields(["trade", "industry"])
            .struct.unnest()
        )
        .with_columns(trade=pl.coalesce("trade", head), industry=pl.col("industry").fill_null(""))
        .select(
            _ROW, *PART_COLUMNS[:-2], branch=pl.lit(""), core=pl.col("trade") + pl.col("industry")
        )
    )
    columnar = columnar.with_columns(
        core_sound=pl.Series(
            [sounds(core) for core in columnar.get_column("core")], dtype=pl.String
        )
    ).drop("core")
    by_python = frame.filter(python).select(_ROW, "text")
    parsed = [_python_parts(text, words) for text in by_python.get_column("text")]
    by_python = pl.concat(
        [by_python.drop("text"), pl.DataFrame(parsed, schema=_part_schema(), orient="row")],
        how="horizontal",
    )
    return pl.concat([columnar.cast(_part_schema()), by_python]).sort(_ROW).drop(_ROW)


def _region_taken(texts: pl.Series) -> pl.DataFrame:
    """Each text (``row``, ``text``) with its regions (a column per level), ``body`` (the
    rest, brackets taken out), ``heard_from`` (where a misspelt district would start), and
    ``python``: it holds brackets other than one pair, for the per-name parser.

    One pair of brackets (茂名市(化州)…, 源诚(广州)…) is what names hold: a region in them
    is taken out first and ranks below the regions the name starts with; other words in
    them are kept, without the brackets."""
    frame = (
        pl.DataFrame({"text": texts})
        .with_row_index(_ROW)
        .with_columns(
            pl.col("text")
            .str.extract_groups(r"^([^()]*)\(([^()]*)\)([^()]*)$")
            .struct.rename_fields(["before", "inner", "after"])
            .struct.unnest()
        )
    )
    # _whole_region: the sentinels let a region end the text.
    inner = frame.get_column("inner").fill_null("")
    in_brackets = region_chain(inner + "\0\0")
    is_region = (in_brackets.get_column("consumed") == inner.str.len_chars()) & (
        in_brackets.get_column("consumed") > 0
    )
    bracketed = frame.get_column("inner").is_not_null()
    frame = frame.with_columns(
        python=pl.col("text").str.contains("(", literal=True) & ~bracketed,
        stripped=pl.when(is_region).then(pl.col("before") + pl.col("after")).otherwise("text"),
    )
    found = region_chain(frame.get_column("stripped"))
    bracket_places = in_brackets.select(
        pl.when(is_region).then(pl.col(level)).alias(level) for level in LEVELS
    )
    return (
        pl.concat([frame, found], how="horizontal")
        .with_columns(
            *(pl.coalesce(level, bracket_places.get_column(level)) for level in LEVELS),
            # Evaluated beside the coalesce above: the innermost region the name starts with.
            innermost=pl.coalesce(*reversed(LEVELS)),
            heard_from=pl.col("stripped").str.slice(pl.col("consumed")),
        )
        .with_columns(
            # names._BRACKETED.sub: the one pair left (a region prefix stops before it).
            body=pl.when(bracketed & ~is_region)
            .then(pl.col("heard_from").str.replace_all("[()]", ""))
            .otherwise("heard_from")
        )
    )


def region_chain(texts: pl.Series) -> pl.DataFrame:
    """The regions each text starts with, as :meth:`Gazetteer.region_prefix` strips them:
    a code column per level (null where none) and ``consumed``, the characters stripped."""
    names, text, position = _prefix_table(), pl.col("text"), pl.col("position")
    pending = pl.DataFrame({"text": texts}).with_row_index(_ROW)
    pending = pending.with_columns(
        position=pl.lit(0, pl.Int64),
        inside=pl.lit(None, pl.String),
        chars=text.str.len_chars().cast(pl.Int64),
    )
    steps = []
    for _level in LEVELS:  # each place lies inside the one before: a chain has one a level
        # Every name is two characters or more: its first two find the few it could be.
        found = (
            pending.with_columns(start=text.str.slice(position, PREFIX_START))
            .join(names, on="start")
            .filter(
                text.str.slice(position, pl.col("length")) == pl.col("key"),
                pl.col("chars") - position - pl.col("length") >= pl.col("must_remain"),
                pl.col("inside").is_null() | pl.col("ancestors").list.contains(pl.col("inside")),
            )
            # The longest name, then the place of the lowest rank (region_prefix's order).
            .sort(_ROW, "length", "rank", descending=[False, True, False])
            .unique(_ROW, keep="first", maintain_order=True)
        )
        if found.is_empty():
            break
        steps.append(found.select(_ROW, "code", "level", "length"))
        pending = found.select(
            _ROW, "text", "chars", position=position + pl.col("length"), inside="code"
        )
    chain = pl.DataFrame({_ROW: pl.arange(0, texts.len(), dtype=pl.UInt32, eager=True)})
    found = pl.concat(steps) if steps else pl.DataFrame(schema=_STEP_SCHEMA)
    for level in LEVELS:
        chain = chain.join(
            found.filter(pl.col("level") == level).select(_ROW, pl.col("code").alias(level)),
            on=_ROW,
            how="left",
            maintain_order="left",
        )
    consumed = found.group_by(_ROW).agg(consumed=pl.col("length").sum())
    return (
        chain.join(consumed, on=_ROW, how="left", maintain_order="left")
        .with_columns(pl.col("consumed").fill_null(0))
        .drop(_ROW)
    )


_STEP_SCHEMA = {_ROW: pl.UInt32, "code": pl.String, "level": pl.String, "length": pl.Int64}


def _may_hear_district(frame: pl.DataFrame) -> pl.Series:
    """Whether the misspelt-district step could find one: the body's first characters
    sound like a place inside the last region named (whether the rest keeps a trade name
    is left to Python, for these few)."""
    named = frame.filter(pl.col("innermost").is_not_null()).select(
        _ROW, "body", "innermost", chars=pl.col("body").str.len_chars().cast(pl.Int64)
    )
    heard = []
    for length in HEARD_LENGTHS:
        tried = named.filter(pl.col("chars") - length >= MIN_TRADE)
        prefixes = tried.get_column("body").str.slice(0, length)
        tried = tried.with_columns(
            sound=pl.Series([sounds(prefix) for prefix in prefixes], dtype=pl.String)
        )
        heard.append(
            tried.join(_sound_table(), on="sound")
            .filter(pl.col("ancestors").list.contains(pl.col("innermost")))
            .get_column(_ROW)
        )
    rows = pl.concat(heard) if heard else pl.Series(dtype=pl.UInt32)
    return frame.get_column(_ROW).is_in(rows.implode())


def _python_parts(text: str, words: NameVocabulary) -> tuple[str | None, ...]:
    parts = take_apart_text(text, words)
    by_level: list[str | None] = [None] * len(LEVELS)
    for code in parts.places:
        by_level[_level_number()[code]] = code
    return (
        parts.text,
        *by_level,
        parts.trade,
        parts.industry,
        parts.legal_form,
        parts.branch,
        sounds(parts.core),
    )


def _part_schema() -> pl.Schema:
    return pl.Schema(dict.fromkeys(PART_COLUMNS, pl.String()))


@cache
def _level_number() -> dict[str, int]:
    return {place.code: LEVELS.index(place.level) for place in load_gazetteer().places()}


@cache
def _prefix_table() -> pl.DataFrame:
    """The gazetteer's names as :meth:`Gazetteer.region_prefix` tries them, with each
    place's ancestors (for "inside the place before")."""
    gazetteer = load_gazetteer()
    rows = gazetteer.prefix_names()
    for place in gazetteer.places():
        for code in gazetteer.ancestor_codes(place):
            above = gazetteer.by_code(code)
            # One place a level in a chain is what lets region_chain stop after three.
            if above is not None and LEVELS.index(above.level) >= LEVELS.index(place.level):
                raise ValueError(f"gazetteer: {place.code} lies inside {code} of its level")
    if any(len(name) < PREFIX_START for name, _rank, _place, _remain in rows):
        raise ValueError(f"gazetteer: a name shorter than {PREFIX_START} characters")
    return pl.DataFrame(
        {
            "start": [name[:PREFIX_START] for name, _rank, _place, _remain in rows],
            "key": [name for name, _rank, _place, _remain in rows],
            "length": [len(name) for name, _rank, _place, _remain in rows],
            "rank": [rank for _name, rank, _place, _remain in rows],
            "code": [place.code for _name, _rank, place, _remain in rows],
            "level": [place.level for _name, _rank, place, _remain in rows],
            "must_remain": [remain for _name, _rank, _place, remain in rows],
            "ancestors": [sorted(gazetteer.ancestor_codes(place)) for _n, _r, place, _m in rows],
        },
        schema_overrides={"length": pl.Int64, "ancestors": pl.List(pl.String)},
    )


@cache
def _sound_table() -> pl.DataFrame:
    gazetteer = load_gazetteer()
    rows = [(sound, place) for sound, found in places_by_sound().items() for place in found]
    return pl.DataFrame(
        {
            "sound": [sound for sound, _place in rows],
            "ancestors": [sorted(gazetteer.ancestor_codes(place)) for _sound, place in rows],
        },
        schema_overrides={"ancestors": pl.List(pl.String)},
    )


def _alternation(words: tuple[str, ...] | list[str]) -> str:
    """The words as a regex alternation, in the order given (longest first: a match
    prefers the first alternative)."""
    return "|".join(pl.escape_regex(word) for word in words)


def _only_tokens(words: NameVocabulary) -> str:
    """``words.only_tokens`` for the regex crate."""
    return f"^(?:{_alternation(words.industry_tokens)})+$"


def _industry_tail(words: NameVocabulary) -> str:
    """``words.industry_tail`` for the regex crate."""
    return f"^(.{{{MIN_TRADE},}}?)((?:{_alternation(words.industry_tokens)})+)$"


def _trade_and_industry_pattern(words: NameVocabulary) -> str:
    """names._trade_and_industry: industry words of two characters or more after a trade
    name of two or more (two tokens, or one token of two characters or more)."""
    tokens = _alternation(words.industry_tokens)
    long_tokens = _alternation([token for token in words.industry_tokens if len(token) >= 2])
    tails = [f"(?:{tokens})(?:{tokens})+", *([f"(?:{long_tokens})"] if long_tokens else [])]
    return f"^.{{2,}}(?:{'|'.join(tails)})$"


@cache
def _noise_pattern() -> str:
    """``names.NOISE`` for the regex crate: its characters spelt out (Python's ``\\s`` is
    ``str.isspace``, which no character beyond the BMP passes; a test checks)."""
    noise = [chr(code) for code in range(0x10000) if NOISE.fullmatch(chr(code))]
    return "[" + "".join(f"\\x{{{ord(character):x}}}" for character in noise) + "]+"


@cache
def _unassigned_pattern() -> str:
    """Characters Python's Unicode database leaves unassigned: a later Unicode, as polars
    may know, can give them an NFKC form Python does not."""
    ranges: list[list[int]] = []
    for code in range(0x110000):
        if unicodedata.category(chr(code)) == "Cn":
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "[" + "".join(f"\\x{{{low:x}}}-\\x{{{high:x}}}" for low, high in ranges) + "]"
