"""A query's shared layers as statements of their own, for an engine that recomputes them.

A subject view is a chain of CTE layers (:mod:`screening.features.compile`), and a layer
may be read several times: by the next layer, and again by each aggregate that joins the
subjects to their related rows. DuckDB computes such a CTE once. Spark inlines every
deterministic CTE into each place that reads it, so a layer read three times is computed
three times, with every layer below it (the company view's second layer, five grouped
aggregates over awards, projects and deposits, was computed three times per build).

:func:`shared_layers` splits such a query: each CTE read more than once becomes a
statement of its own, written once as table ``<table>__<cte>``, and the query reads that
table instead. The rows are the same; only where they are computed changes. A CTE that
only renames a table (``SELECT * FROM records_awards``) stays a CTE: reading it twice
costs two scans, not a computation.
"""

from __future__ import annotations

from collections import Counter

from sqlglot import exp


def shared_layers(table: str, query: exp.Query) -> tuple[list[tuple[str, exp.Query]], exp.Query]:
    """(``[(layer table, layer query), …]`` in the order to create them, ``query`` reading
    those tables); ``([], query)`` when no CTE of ``query`` is read more than once.

    Every statement keeps, as CTEs, the layers it reads that are not written, and only
    those. ``query`` itself is left as it was."""
    with_ = query.args.get("with_")
    if not isinstance(with_, exp.With) or with_.recursive:
        return [], query
    ctes = {cte.alias: cte.this for cte in with_.expressions}
    reads = Counter(_references(query, set(ctes)))
    written = [
        name for name, body in ctes.items() if reads[name] > 1 and not _renames_a_table(body)
    ]
    if not written:
        return [], query
    renamed = {name: f"{table}__{name}" for name in written}
    kept = {name: _read_tables(body, renamed) for name, body in ctes.items() if name not in renamed}
    layers = [
        (renamed[name], _with_kept(_read_tables(ctes[name], renamed), kept)) for name in written
    ]
    main = query.copy()
    main.set("with_", None)
    return layers, _with_kept(_read_tables(main, renamed), kept)


def _references(tree: exp.Expr, names: set[str]) -> list[str]:
    """Each read of one of ``names`` (a CTE) in ``tree``, once per place it is read."""
    return [t.name for t in tree.find_all(exp.Table) if not t.db and t.name in names]


def _renames_a_table(body: exp.Expr) -> bool:
    """``SELECT * FROM t``, nothing else: a name for a table, no computation."""
    if not isinstance(body, exp.Select) or not isinstance(body.args.get("from_"), exp.From):
        return False
    others = {key for key, value in body.args.items() if value} - {"expressions", "from_"}
    star = len(body.expressions) == 1 and isinstance(body.expressions[0], exp.Star)
    return star and not others and isinstance(body.args["from_"].this, exp.Table)


def _read_tables(tree: exp.Expr, renamed: dict[str, str]) -> exp.Expr:
    """A copy of ``tree`` reading each written layer from its table, under the layer's
    name (``FROM layer2 AS p`` → ``FROM subject_company__layer2 AS p``, ``FROM layer2`` →
    ``FROM subject_company__layer2 AS layer2``)."""
    tree = tree.copy()
    for node in list(tree.find_all(exp.Table)):
        if node.db or node.name not in renamed:
            continue
        replacement = exp.to_table(renamed[node.name])
        replacement.set("alias", node.args.get("alias") or exp.TableAlias(this=node.this.copy()))
        node.replace(replacement)
    return tree


def _with_kept(statement: exp.Expr, kept: dict[str, exp.Expr]) -> exp.Query:
    """``statement`` with the kept CTEs it reads, directly or through one another, in
    their original order."""
    assert isinstance(statement, exp.Query)
    needed: set[str] = set()
    pending = set(_references(statement, set(kept)))
    while pending:
        name = pending.pop()
        needed.add(name)
        pending |= set(_references(kept[name], set(kept))) - needed
    for name in (name for name in kept if name in needed):
        statement = statement.with_(name, as_=kept[name].copy())
    return statement
