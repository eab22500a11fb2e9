"""The PostgreSQL engine's cursor (domain/db_cursor.py): ``description`` has psycopg's own columns, built when read
from the result it was made for; ``None`` where psycopg says ``None``."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text

from domain.db import get_engine
from domain.db_cursor import Description, LazyDescriptionCursor
from tests.conftest import requires_postgres

pytestmark = requires_postgres

FOUR_COLUMNS = "SELECT 1::int AS id, 'a'::text AS name, now() AS at, NULL::numeric(10, 2) AS price"


@pytest.fixture
def connection():
    """A pooled connection of the engine, rolled back and given back after the test."""
    raw = get_engine().raw_connection()
    yield raw
    raw.rollback()
    raw.close()


def test_the_engine_makes_its_cursors_with_the_lazy_description(connection):
    assert isinstance(connection.cursor(), LazyDescriptionCursor)


def test_the_description_is_psycopgs_even_when_read_after_the_cursor_ran_another_statement(connection):
    cursor = connection.cursor()
    cursor.execute(FOUR_COLUMNS)
    first = cursor.description
    assert isinstance(first, Description) and len(first) == 4
    cursor.execute("SELECT 2::bigint AS other")  # the first description still describes the first result
    plain = psycopg.Cursor(connection.dbapi_connection)  # psycopg's own description, to compare
    plain.execute(FOUR_COLUMNS)
    assert [tuple(column) for column in first] == [tuple(column) for column in plain.description]
    assert [column.name for column in first] == ["id", "name", "at", "price"]
    assert first[3].precision == 10 and first[3].scale == 2
    assert first[-1].name == "price" and [column.name for column in first[1:3]] == ["name", "at"]
    assert [column.name for column in cursor.description] == ["other"]


def test_no_description_for_a_statement_without_rows_and_an_empty_one_for_select_of_nothing(connection):
    cursor = connection.cursor()
    cursor.execute("CREATE TEMPORARY TABLE described (id int)")
    assert cursor.description is None
    cursor.execute("INSERT INTO described VALUES (1)")
    assert cursor.description is None
    cursor.execute("INSERT INTO described VALUES (2) RETURNING id")
    assert [column.name for column in cursor.description] == ["id"]
    cursor.execute("SELECT")
    assert cursor.description is not None and len(cursor.description) == 0 and list(cursor.description) == []


def test_sqlalchemy_results_still_name_their_columns(db):
    row = db.execute(text("SELECT 7 AS seven, 'x' AS letter")).one()
    assert (row.seven, row.letter) == (7, "x")
    assert list(db.execute(text("SELECT 1 AS a, 2 AS b")).keys()) == ["a", "b"]
