"""SQL trees emitted per dialect, with the rewrites that keep DuckDB's meaning elsewhere.

sqlglot translates most of what the engine builds; what it translates to a different
*meaning* is rewritten here, on the tree, before the tree is emitted — never on the text.
DuckDB's output is the tree as built (the golden files hold it). Each rewrite has a
test that runs the rewritten SQL on Spark beside DuckDB (``tests/test_spark.py``).

Spark:

- **Division.** DuckDB divides as IEEE doubles: a DECIMAL or integer quotient is a DOUBLE,
  ``x / 0`` is ±infinity and ``0 / 0`` NaN. Spark keeps DECIMAL quotients DECIMAL (rounded
  to its own scale) and, in ANSI mode, fails on a zero divisor. The quotient is computed
  on doubles and a zero divisor is given DuckDB's value.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

Rewrite = Callable[[exp.Expr], exp.Expr]  # rewrites a tree it owns, in place


def _double(value: exp.Expr) -> exp.Expr:
    return exp.cast(value.copy(), exp.DataType.build("DOUBLE"))


def _special(name: str) -> exp.Expr:
    # Spark reads a float's special values from text: CAST('NaN' AS DOUBLE).
    return exp.cast(exp.Literal.string(name), exp.DataType.build("DOUBLE"))


def ieee_division(tree: exp.Expr) -> exp.Expr:
    """Every ``a / b`` in ``tree`` as DuckDB computes it, for an engine that does not."""
    # Innermost first, so that a quotient inside a quotient is rewritten once, in place.
    for node in reversed(list(tree.find_all(exp.Div))):
        rewritten = _ieee_quotient(node)
        if node is tree:
            return rewritten
        node.replace(rewritten)
    return tree


def _ieee_quotient(node: exp.Div) -> exp.Expr:
    dividend, divisor = _double(node.this), _double(node.expression)
    zero = exp.Literal.number(0)
    by_zero = (
        exp.Case()
        .when(exp.func("isnan", dividend.copy()), _special("NaN"))
        .when(exp.GT(this=dividend.copy(), expression=zero.copy()), _special("Infinity"))
        .when(exp.LT(this=dividend.copy(), expression=zero.copy()), _special("-Infinity"))
        .when(exp.EQ(this=dividend.copy(), expression=zero.copy()), _special("NaN"))
    )
    quotient = exp.Div(this=dividend, expression=divisor.copy())
    return exp.paren(
        exp.Case().when(exp.EQ(this=divisor, expression=zero), by_zero).else_(quotient)
    )


REWRITES: dict[str, tuple[Rewrite, ...]] = {
    "duckdb": (),
    "spark": (ieee_division,),
}


def portable(tree: exp.Expr, dialect: str) -> exp.Expr:
    """``tree`` with ``dialect``'s rewrites applied (a copy; ``tree`` is left as it was)."""
    rewrites = REWRITES[dialect]
    if not rewrites:
        return tree
    result = tree.copy()
    for rewrite in rewrites:
        result = rewrite(result)
    return result


def to_sql(tree: exp.Expr, dialect: str, *, pretty: bool = False) -> str:
    """``tree`` as ``dialect``'s SQL, rewritten where sqlglot alone would change its meaning."""
    return portable(tree, dialect).sql(dialect=dialect, pretty=pretty)
