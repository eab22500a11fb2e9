"""One button click, one unit of work; reads get a short-lived session of their own.

No Session ever outlives the function that opened it (and none is cached): Streamlit reruns the script
on every interaction, possibly in another thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from sqlalchemy.orm import Session

from dashboard import state
from domain.db import get_sessionmaker, unit_of_work
from domain.errors import DomainError

T = TypeVar("T")


def perform(action: Callable[[Session], T], *, success: str | None = None) -> T | None:
    """Run a domain operation in its own transaction.

    A refusal (``DomainError``) rolls back and is shown with its Chinese message; the result is then None.
    On success the message is kept for the next run, since callers usually ``st.rerun()`` to show fresh data.
    """
    try:
        with unit_of_work() as session:
            result = action(session)
    except DomainError as exc:
        st.error(exc.message, icon=":material/error:")
        return None
    if success:
        state.flash(success)
    return result


def read(query: Callable[[Session], T]) -> T:
    """Run read-only queries; return plain values (dataclasses, dicts), never ORM objects to keep around.
    On SQLite the session reads a snapshot without taking the write lock, so a screen never waits for a writer."""
    with get_sessionmaker(read_only=True)() as session:
        return query(session)


_FLASH_STYLE = {
    "success": (st.success, ":material/check_circle:"),
    "warning": (st.warning, ":material/warning:"),
    "error": (st.error, ":material/error:"),
}


def show_flashes() -> None:
    for kind, message in state.take_flashes():
        show, icon = _FLASH_STYLE[kind]
        show(message, icon=icon)
