"""A pooled PostgreSQL connection is tried before it is handed out only after it sat idle (domain/db.py): one the
server dropped meanwhile is replaced before the unit of work runs, and one in steady use costs no round trip."""

import time

import pytest
from sqlalchemy import exc, text

from domain.config import get_config
from domain.db import make_engine
from tests.conftest import requires_postgres

pytestmark = requires_postgres


def _backend_pid(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(text("SELECT pg_backend_pid()"))


def _drop_on_the_server(pid: int) -> None:
    other = make_engine(get_config().resolved_database_url, pool_size=1)
    with other.connect() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}) is True
    other.dispose()


def _engine(monkeypatch, idle_seconds: float):
    monkeypatch.setenv("MALL_DB_PING_AFTER_IDLE_SECONDS", str(idle_seconds))
    from domain.config import reset_config

    reset_config()
    try:
        return make_engine(get_config().resolved_database_url, pool_size=1, max_overflow=0)
    finally:
        monkeypatch.undo()
        reset_config()


def test_an_idle_connection_the_server_dropped_is_replaced_before_any_statement(monkeypatch):
    engine = _engine(monkeypatch, idle_seconds=0.05)
    first = _backend_pid(engine)
    _drop_on_the_server(first)
    time.sleep(0.1)

    second = _backend_pid(engine)  # the first statement after the drop already succeeds

    assert second != first
    engine.dispose()


def test_a_connection_in_steady_use_is_not_tried_and_a_drop_costs_one_failed_statement(monkeypatch):
    engine = _engine(monkeypatch, idle_seconds=3600)
    first = _backend_pid(engine)
    _drop_on_the_server(first)

    # Not idle long enough to be tried: the dropped connection is handed out and its statement fails …
    with pytest.raises(exc.OperationalError) as failed:
        _backend_pid(engine)
    assert failed.value.connection_invalidated

    # … and SQLAlchemy drops it, so the next unit of work gets a new connection.
    assert _backend_pid(engine) != first
    engine.dispose()
