"""Engine, sessions and the unit of work.

Domain operations take a ``Session`` and never commit; the caller wraps one user action in
``unit_of_work()``, which commits on success and rolls back on any error.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine, Select, create_engine, event, func, select, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from domain import db_cursor
from domain.config import get_config
from domain.errors import DomainError
from domain.text import refuse_bad_text


def make_engine(url: str, *, echo: bool = False, **kwargs) -> Engine:
    engine = _make_engine(url, echo=echo, json_serializer=_json_text, **kwargs)
    # The last line of defence for text that may not be stored (see domain/text.py): whatever front end it came
    # from, a bound parameter with NUL, a control character or a lone surrogate is refused as ``invalid_text``
    # before the database sees it, and the unit of work rolls back.
    event.listen(engine, "before_cursor_execute", _refuse_bad_parameters)
    event.listen(engine, "handle_error", _domain_errors_unwrapped)
    return engine


def _domain_errors_unwrapped(context) -> None:
    """A refusal raised while binding parameters (the JSON check) stays a refusal, not a wrapped StatementError."""
    if isinstance(context.original_exception, DomainError):
        raise context.original_exception


def _refuse_bad_parameters(_conn, _cursor, _statement, parameters, _context, executemany) -> None:
    # SQLAlchemy's insertmanyvalues batches (an INSERT of many rows in one statement) come with ``executemany`` set
    # but as one set of parameters: a dict on PostgreSQL, one flat sequence of values on SQLite.
    rows = parameters if executemany and not isinstance(parameters, dict) else (parameters,)
    for row in rows or ():
        if isinstance(row, dict):
            row = row.values()
        elif not isinstance(row, (list, tuple)):
            row = (row,)
        for value in row:
            if isinstance(value, (str, dict, list, tuple)):  # numbers and dates cannot hold text: not looked at
                refuse_bad_text(value)


def _json_text(value: object) -> str:
    """JSON columns (settings, SKU specs …) are checked before they are serialised, when the text is still text."""
    refuse_bad_text(value)
    return json.dumps(value)


def _make_engine(url: str, *, echo: bool = False, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        _ensure_sqlite_dir(url)
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # We emit BEGIN ourselves (below); pysqlite's own implicit BEGIN breaks SAVEPOINTs.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # SQLite has one writer at a time. Taking the write lock when the transaction starts makes every
            # transaction serializable and avoids failed lock upgrades halfway through (SQLITE_BUSY). Read-only
            # work (GET requests) takes a plain snapshot instead, so that readers never queue behind writers.
            read_only = conn.get_execution_options().get("read_only", False)
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    config = get_config()
    kwargs.setdefault("pool_size", config.db_pool_size)
    kwargs.setdefault("max_overflow", config.db_max_overflow)
    kwargs["connect_args"] = db_cursor.connect_args() | kwargs.get("connect_args", {})
    engine = create_engine(url, echo=echo, **kwargs)
    # An INSERT of several rows is one statement of several VALUES, as it is with RETURNING: psycopg's executemany
    # runs a pipeline of one statement per row, and for the few rows of a payment's commission records its
    # synchronisation cost more than the statement (docs/architecture.md, "Performance").
    engine.dialect.use_insertmanyvalues_wo_returning = True
    _ping_when_idle(engine, config.db_ping_after_idle_seconds)
    return engine


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """A pooled connection is tried (``SELECT 1``) before it is handed out only when it sat unused for longer than
    ``idle_seconds``, or when the driver already knows it broke; one that fails is replaced by a new connection
    before any statement of the unit of work runs. SQLAlchemy's ``pool_pre_ping`` tried every connection at every
    checkout, a round trip and about a tenth of a busy request's database time (docs/architecture.md,
    "Performance"). A connection in steady use has just answered, and if the server went away meanwhile the
    first statement fails, SQLAlchemy drops every connection older than that failure, and nothing was written."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_conn, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_conn, record, _proxy) -> None:
        since = record.info.pop("idle_since", None)
        if getattr(dbapi_conn, "broken", False) or getattr(dbapi_conn, "closed", False):
            raise DisconnectionError("the connection broke while it was in the pool")
        if since is None or time.monotonic() - since <= idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("the pooled connection no longer answers") from exc


def _ensure_sqlite_dir(url: str) -> None:
    from pathlib import Path

    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


@lru_cache
def _engine_for(url: str) -> Engine:
    return make_engine(url, echo=get_config().sql_echo)


def get_engine() -> Engine:
    return _engine_for(get_config().resolved_database_url)


@lru_cache
def _sessionmaker_for(url: str, read_only: bool) -> sessionmaker[Session]:
    engine = _engine_for(url)
    if read_only:
        engine = engine.execution_options(read_only=True)
    return sessionmaker(bind=engine, expire_on_commit=False)


def get_sessionmaker(*, read_only: bool = False) -> sessionmaker[Session]:
    """``read_only`` sessions are for reads (GET requests): on SQLite they do not take the write lock; a write
    in them may fail with "database is locked" if another transaction wrote meanwhile."""
    return _sessionmaker_for(get_config().resolved_database_url, read_only)


def reset_engines() -> None:
    for fn in (_sessionmaker_for, _engine_for):
        fn.cache_clear()


@contextmanager
def unit_of_work(session_factory: sessionmaker[Session] | None = None) -> Iterator[Session]:
    """One user action: commit if the block succeeds, roll back if it raises."""
    session = (session_factory or get_sessionmaker())()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def paginate(session: Session, query: Select, *order_by, page: int, page_size: int) -> tuple[Select, int]:
    """One page of a list query, and the number of rows of the whole list (two statements, whatever the size)."""
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return query.order_by(*order_by).offset((page - 1) * page_size).limit(page_size), total


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def lock_row(session: Session, table: str, key_column: str, key: object) -> None:
    """Take a write lock on one row for the rest of the transaction.

    PostgreSQL: ``SELECT … FOR NO KEY UPDATE`` — the row lock an UPDATE takes, which (unlike plain FOR UPDATE)
    does not block rows elsewhere that merely reference this one by foreign key. SQLite needs nothing: every transaction already holds the database's
    write lock from its first statement (``BEGIN IMMEDIATE``, see ``make_engine``).
    """
    if is_postgres(session):
        session.execute(text(f"SELECT 1 FROM {table} WHERE {key_column} = :key FOR NO KEY UPDATE"), {"key": key})
