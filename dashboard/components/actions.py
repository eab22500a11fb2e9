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


def attempt(action: Callable[[Session], T]) -> tuple[T | None, DomainError | None]:
    """Like ``perform``, but a refusal is handed back for the caller to show where it belongs (beside a field)."""
    try:
        with unit_of_work() as session:
            return action(session), None
    except DomainError as exc:
        return None, exc


def perform(action: Callable[[Session], T], *, success: str | None = None, place: str | None = None) -> T | None:
    """Run a domain operation in its own transaction.

    A refusal (``DomainError``) rolls back and is shown with its Chinese message; the result is then None.
    On success the message is kept for the next run, since callers usually ``st.rerun()`` to show fresh data;
    with ``place`` it is shown there (``show_flashes(place)``), beside the form staff used, not atop the screen.
    """
    result, refusal = attempt(action)
    if refusal is not None:
        st.error(refusal.message, icon=":material/error:")
        return None
    if success and place:
        state.flash_at(place, success)
    elif success:
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


def show_flashes(place: str | None = None) -> None:
    for kind, message in state.take_flashes_at(place) if place else state.take_flashes():
        show, icon = _FLASH_STYLE[kind]
        show(message, icon=icon)
