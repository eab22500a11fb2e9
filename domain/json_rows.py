"""A query's rows as one column of another statement: every row as a JSON array of its columns, all of them in one
JSON array, read back as tuples (docs/architecture.md, "Performance").

A statement costs this process far more than the few bytes it returns, so a request that needs several small sets
of rows beside its main row reads them as columns of that row: the member levels and the running 满减 activities
ride on the shopper's token look-up when an order is placed or previewed, and an order's lines and its buyer's
inviter chain on the guarded UPDATE that marks it paid. The rows are read at the same moment as the row they come
with, by the same statement; nothing is cached across statements or transactions.

``rows_json(query)`` is the column; ``json_rows(text)`` its rows back. The rows come in no particular order (an
aggregate's input order is not something either database promises): callers sort them. Compiled per dialect:
PostgreSQL's ``json_agg(json_build_array(…))`` and SQLite's ``json_group_array(json_array(…))``. Booleans come back
as ``true``/``false`` and JSON columns as their values from both.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import JSON, Boolean, ColumnElement, Select, Text, case, cast, func, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal


class _JsonRows(FunctionElement):
    """``[[c1, c2, …], …]`` over the rows of the enclosing SELECT; ``'[]'`` when there are none."""

    type = Text()
    name = "json_rows"
    inherit_cache = True  # its cache key is its columns


@compiles(_JsonRows)
def _json_rows_sqlite(element, compiler, **kw) -> str:
    values = [_sqlite_value(c) for c in element.clauses]
    rows = func.coalesce(func.json_group_array(func.json_array(*values)), literal_column("'[]'"))
    return compiler.process(rows, **kw)


def _sqlite_value(c):
    # A JSON column is stored as its text: ``json()`` makes it a value inside the array rather than a string. A
    # boolean is stored as 1 or 0: made JSON's true or false, as PostgreSQL gives it.
    if isinstance(c.type, JSON):
        return func.json(c)
    if isinstance(c.type, Boolean):
        return case((c.is_(None), None), (c, func.json("true")), else_=func.json("false"))
    return c


@compiles(_JsonRows, "postgresql")
def _json_rows_postgresql(element, compiler, **kw) -> str:
    rows = func.coalesce(cast(func.json_agg(func.json_build_array(*element.clauses)), Text), literal_column("'[]'"))
    return compiler.process(rows, **kw)


class _RowsColumn(ColumnElement[str]):
    """The scalar subquery, compiled as itself wherever it stands: SQLite's RETURNING clause renders its columns
    without their table's name and hands that down to any subquery in it, where two tables' ``id`` would clash."""

    type = Text()
    inherit_cache = True
    _traverse_internals = [("query", InternalTraversal.dp_clauseelement)]

    def __init__(self, query) -> None:
        self.query = query


@compiles(_RowsColumn)
def _rows_column(element, compiler, **kw) -> str:
    kw.pop("include_table", None)
    return compiler.process(element.query, **kw)


def rows_json(query: Select) -> ColumnElement[str]:
    """``query``'s rows (its columns, FROM and WHERE; an ORDER BY is left out) as one scalar column. It may refer to
    the enclosing statement's tables (correlated: ``correlate`` them), as a line's ``order_id = orders.id`` does."""
    return _RowsColumn(query.with_only_columns(_JsonRows(*query.selected_columns), maintain_column_froms=True)
                       .order_by(None).scalar_subquery())


def json_rows(text: str | None) -> list[Sequence]:
    """The rows ``rows_json`` wrote, each a list of its column values in the query's order."""
    return json.loads(text) if text else []
