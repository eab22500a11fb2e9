"""The cursor the PostgreSQL engine's connections make: psycopg's own, with ``description`` built when it is read.

SQLAlchemy asks for ``cursor.description`` after every statement, but with a compiled statement it has run before
(every statement of a request, after the first few) it only looks at whether it is ``None``: the result's columns
come from the compiled statement's cached metadata. psycopg builds one ``Column`` object for every column each time
``description`` is asked for (the name decoded, the type looked up), which on the checkout's wide rows was about 8 %
of the domain's CPU (docs/architecture.md, "Performance"). Here ``description`` is a sequence that knows its length
at once and builds the same ``Column`` objects the first time one of them is read, from the result it was made for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.pq import ExecStatus

_ROWS = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK)


class _ResultOf:
    """What psycopg's ``Column`` reads of its cursor, as it was when the description was asked for: the cursor
    may have run another statement by the time a column is read."""

    __slots__ = ("pgresult", "_encoding", "adapters")

    def __init__(self, cursor: psycopg.Cursor, pgresult) -> None:
        self.pgresult, self._encoding, self.adapters = pgresult, cursor._encoding, cursor.adapters


class Description(Sequence):
    """``cursor.description``: as long as the result has columns; its items psycopg's ``Column`` objects."""

    __slots__ = ("_of", "_length", "_columns")

    def __init__(self, of: _ResultOf, length: int) -> None:
        self._of, self._length, self._columns = of, length, None

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index):
        if self._columns is None:
            self._columns = [psycopg.Column(self._of, i) for i in range(self._length)]
            self._of = None
        return self._columns[index]

    def __repr__(self) -> str:
        return repr(list(self))


class LazyDescriptionCursor(psycopg.Cursor):
    @property
    def description(self) -> Description | None:  # type: ignore[override]
        result = self.pgresult
        # The same test as psycopg's own: columns, or a statement that said it returns rows ("SELECT ;").
        if result and (result.nfields or result.status in _ROWS):
            return Description(_ResultOf(self, result), result.nfields)
        return None


def connect_args() -> dict[str, Any]:
    """The psycopg ``connect()`` arguments of every PostgreSQL engine (domain/db.py)."""
    return {"cursor_factory": LazyDescriptionCursor}
