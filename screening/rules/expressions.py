"""Rule and feature expressions: parsed by sqlglot, checked against an allow-list, never
run as text.

A condition, a band, a feature or an aggregate's filter is one SQL *expression* over known
columns, declared parameters (``$name``) and vocabulary sets (``x IN @zb_close``, see
:mod:`screening.features.vocabulary`). Everything else is refused at load: statements
(``; DROP TABLE``, ``COPY``, ``ATTACH``, ``INSTALL``), subqueries, table functions
(``read_csv``), functions outside the allow-list (``getenv``, ``query``), qualified
columns (but ``subject.x`` where a feature aggregates related rows). A string stays a
string literal, so a query hidden in one is inert.

sqlglot parses recursively, so an expression's size and nesting are bounded *before* it
parses: 200 nested parentheses or 300 chained NOTs are refused at once, not a hang or a
RecursionError.
"""

from __future__ import annotations

import difflib
import itertools
import logging
from collections.abc import Collection, Iterator
from contextlib import contextmanager

import sqlglot
from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

from screening.features.vocabulary import Vocabulary, library_vocabulary

# Node types an expression may contain besides the functions below.
STRUCTURE: tuple[type[exp.Expr], ...] = (
    exp.And,
    exp.Or,
    exp.Not,
    exp.Paren,
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.Is,
    exp.In,
    exp.Between,
    exp.Like,
    exp.ILike,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.Mod,
    exp.Neg,
    exp.Case,
    exp.If,
    exp.Null,
    exp.Boolean,
    exp.Literal,
    exp.Column,
    exp.Identifier,
    exp.Placeholder,
    exp.Var,  # a date part: date_diff('day', …)
    exp.Cast,
    exp.DataType,
    exp.DPipe,
    exp.Tuple,  # an ordering key of arg_min: (source_file, source_row)
)
# Functions by the name an analyst types; sqlglot gives each its own node type.
FUNCTIONS: dict[str, type[exp.Expr]] = {
    "abs": exp.Abs,
    "coalesce": exp.Coalesce,
    "contains": exp.Contains,
    "date_diff": exp.DateDiff,
    "greatest": exp.Greatest,
    "least": exp.Least,
    "length": exp.Length,
    "lower": exp.Lower,
    "nullif": exp.Nullif,
    "regexp_matches": exp.RegexpLike,
    "round": exp.Round,
    "starts_with": exp.StartsWith,
    "upper": exp.Upper,
}
# Functions over a relation's rows, allowed only where a feature aggregates them.
AGGREGATES: dict[str, type[exp.Expr]] = {
    "count": exp.Count,
    "sum": exp.Sum,
    "min": exp.Min,
    "max": exp.Max,
    "avg": exp.Avg,
    "median": exp.Median,
    "arg_min": exp.ArgMin,
    "arg_max": exp.ArgMax,
    "bool_or": exp.LogicalOr,
    "bool_and": exp.LogicalAnd,
}
_ALLOWED = STRUCTURE + tuple(FUNCTIONS.values())
_AGGREGATE_NODES = (*AGGREGATES.values(), exp.Star, exp.Distinct)
SUBJECT = "subject"  # the qualifier of the subject's own columns inside an aggregate
_VOCABULARY_MARK = "__vocabulary__"
# Bounds checked before parsing. Our longest condition is ~300 characters, 3 parentheses
# deep; sqlglot needs ~20 Python frames per level, and Python allows 1,000.
MAX_EXPRESSION_CHARS = 4_000
MAX_EXPRESSION_TOKENS = 600
MAX_NESTING = 12  # parentheses within parentheses
MAX_PREFIX_OPERATORS = 12  # NOT, CASE and unary minus/plus: each nests a level too
_OPENING = {TokenType.L_PAREN, TokenType.L_BRACKET, TokenType.L_BRACE}  # (  [  {
_CLOSING = {TokenType.R_PAREN, TokenType.R_BRACKET, TokenType.R_BRACE}
_PREFIXED_BY = {TokenType.L_PAREN, TokenType.COMMA, TokenType.NOT, TokenType.DASH}


class ExpressionProblem(Exception):
    """Why an expression is refused, and what to do instead."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def parse_expression(
    text: str,
    *,
    columns: Collection[str],
    parameters: Collection[str],
    vocabulary: Vocabulary | None = None,
    aggregate: bool = False,
    subject_columns: Collection[str] = (),
    set_values: bool = False,
) -> exp.Expr:
    """The checked syntax tree of ``text``, vocabulary sets expanded to plain SQL;
    :class:`ExpressionProblem` if it is refused. ``aggregate`` allows the functions of
    :data:`AGGREGATES`; ``subject_columns`` may then be read as ``subject.x``.
    ``set_values`` lets a set stand alone as a value, its first term (where a derivation
    writes a status word: the word comes from the vocabulary, not from code)."""
    vocabulary = vocabulary or library_vocabulary()
    _check_size(text)
    try:
        with _quiet_sqlglot():  # it logs a warning for what it cannot parse: refused below
            statements = sqlglot.parse(_mark_vocabulary(text), read="duckdb")
    except RecursionError:  # a backstop: _check_size keeps expressions well inside the limit
        raise ExpressionProblem("the expression is nested too deeply to parse", _SIMPLER) from None
    except (ParseError, TokenError) as error:
        raise ExpressionProblem(
            f"cannot parse the expression: {_first_line(error)}",
            "write one SQL expression, e.g. days_to_deadline <= $horizon_days",
        ) from None
    found = [statement for statement in statements if statement is not None]
    if len(found) != 1:
        raise ExpressionProblem(
            f"{len(found)} statements where one expression belongs",
            "remove the ';' and whatever follows it",
        )
    tree = _expand_vocabulary(found[0], vocabulary, set_values=set_values)
    allowed = _ALLOWED + _AGGREGATE_NODES if aggregate else _ALLOWED
    for node in tree.walk():
        _check_node(node, columns, parameters, allowed, subject_columns)
    return tree


@contextmanager
def _quiet_sqlglot() -> Iterator[None]:
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _mark_vocabulary(text: str) -> str:
    """``@name`` (a vocabulary set) as a marked column, found by token so that an ``@`` in a
    string literal stays text."""
    try:
        tokens = DuckDB().tokenize(text)
    except TokenError:
        return text  # parse reports it
    pieces, last = [], 0
    for at, name in itertools.pairwise(tokens):
        if at.token_type == TokenType.PARAMETER and at.text == "@" and at.end + 1 == name.start:
            pieces += [text[last : at.start], _VOCABULARY_MARK]
            last = name.start
    return "".join(pieces) + text[last:]


def _expand_vocabulary(
    tree: exp.Expr, vocabulary: Vocabulary, *, set_values: bool = False
) -> exp.Expr:
    def visit(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and node.name.startswith(_VOCABULARY_MARK):
            name = node.name.removeprefix(_VOCABULARY_MARK)
            if set_values and name in vocabulary.sets:
                return exp.Literal.string(vocabulary[name].terms[0])
            if set_values:
                raise ExpressionProblem(
                    f"unknown vocabulary set '@{name}'",
                    _did_you_mean(name, vocabulary.sets, prefix="@", what="sets"),
                )
            raise ExpressionProblem(
                f"@{node.name.removeprefix(_VOCABULARY_MARK)} stands alone",
                "compare a value with a vocabulary set: close_method IN @zb_close",
            )
        if not isinstance(node, exp.In):
            return node
        marked = node.args.get("field")  # x IN name, without brackets
        if not (isinstance(marked, exp.Column) and marked.name.startswith(_VOCABULARY_MARK)):
            return node
        name = marked.name.removeprefix(_VOCABULARY_MARK)
        if name not in vocabulary.sets:
            raise ExpressionProblem(
                f"unknown vocabulary set '@{name}'",
                _did_you_mean(name, vocabulary.sets, prefix="@", what="sets"),
            )
        return vocabulary[name].condition(node.this)

    return tree.transform(visit)


_SIMPLER = "split it: declare an aggregate, or use fewer nested parentheses and NOTs"


def _check_size(text: str) -> None:
    """Refuse an expression too long or too deeply nested to parse safely (tokenising is
    linear and does not recurse; parsing does)."""
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ExpressionProblem(
            f"the expression is {len(text):,} characters long (limit {MAX_EXPRESSION_CHARS:,})",
            _SIMPLER,
        )
    try:
        tokens = sqlglot.tokenize(text, read="duckdb")
    except TokenError as error:
        raise ExpressionProblem(
            f"cannot parse the expression: {_first_line(error)}",
            "write one SQL expression, e.g. days_to_deadline <= $horizon_days",
        ) from None
    if len(tokens) > MAX_EXPRESSION_TOKENS:
        raise ExpressionProblem(
            f"the expression has {len(tokens):,} parts (limit {MAX_EXPRESSION_TOKENS})", _SIMPLER
        )
    depth = deepest = prefixes = 0
    previous: TokenType | None = None
    for token in tokens:
        kind = token.token_type
        if kind in _OPENING:
            depth += 1
            deepest = max(deepest, depth)
        elif kind in _CLOSING:
            depth -= 1
        unary = kind in (TokenType.DASH, TokenType.PLUS) and (
            previous is None or previous in _PREFIXED_BY or previous in _OPERATORS
        )
        if kind in (TokenType.NOT, TokenType.CASE) or unary:
            prefixes += 1
        previous = kind
    if deepest > MAX_NESTING:
        raise ExpressionProblem(
            f"parentheses or brackets nested {deepest} deep (limit {MAX_NESTING})", _SIMPLER
        )
    if prefixes > MAX_PREFIX_OPERATORS:
        raise ExpressionProblem(
            f"{prefixes} NOT/CASE/sign operators (limit {MAX_PREFIX_OPERATORS})", _SIMPLER
        )


_OPERATORS = {
    TokenType.EQ,
    TokenType.NEQ,
    TokenType.GT,
    TokenType.GTE,
    TokenType.LT,
    TokenType.LTE,
    TokenType.PLUS,
    TokenType.STAR,
    TokenType.SLASH,
    TokenType.MOD,
    TokenType.AND,
    TokenType.OR,
    TokenType.WHEN,
    TokenType.THEN,
    TokenType.ELSE,
}


def _check_node(
    node: exp.Expr,
    columns: Collection[str],
    parameters: Collection[str],
    allowed: tuple[type[exp.Expr], ...],
    subject_columns: Collection[str],
) -> None:
    if not isinstance(node, allowed) or isinstance(node, exp.Anonymous):
        name = _called(node)
        raise ExpressionProblem(
            f"'{name}' is not allowed in a rule expression",
            "use columns, $parameters, comparisons, AND/OR/NOT, arithmetic, CASE and the "
            f"functions {', '.join(FUNCTIONS)}",
        )
    if isinstance(node, exp.Column):
        if node.table == SUBJECT and subject_columns:
            if node.name not in subject_columns:
                raise ExpressionProblem(
                    f"the subject has no column '{node.name}'",
                    _did_you_mean(node.name, subject_columns, prefix="subject."),
                )
            return
        if node.table or not isinstance(node.this, exp.Identifier):
            raise ExpressionProblem(
                f"'{node.sql()}' names a table", "name the column alone, e.g. award_amount"
            )
        if node.name not in columns:
            raise ExpressionProblem(
                f"unknown column '{node.name}'", _did_you_mean(node.name, columns)
            )
    if isinstance(node, exp.Placeholder):
        if not node.name:
            raise ExpressionProblem("a '?' parameter has no name", "write $name")
        if node.name not in parameters:
            raise ExpressionProblem(
                f"unknown parameter '${node.name}'",
                _did_you_mean(node.name, parameters, prefix="$", what="parameters"),
            )
    if isinstance(node, exp.In) and node.args.get("query") is not None:
        raise ExpressionProblem("a subquery is not allowed", "list the values: x IN ('a', 'b')")


def _called(node: exp.Expr) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name)
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    return node.key.upper()


def _did_you_mean(
    name: str, known: Collection[str], *, prefix: str = "", what: str = "columns"
) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    if close:
        return f"did you mean '{prefix}{close[0]}'?"
    listed = ", ".join(prefix + k for k in sorted(known)) or "none"
    return f"known {what}: {listed}"


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__
