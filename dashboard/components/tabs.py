"""Tabs that stay where staff put them.

Plain ``st.tabs`` forget the open tab whenever the elements above them change (a message after a save, one
less warning), and the next refusal is then drawn in a closed tab. These tabs are widgets with a key, so the
browser's choice survives every rerun; the choice is also kept by name, so switching the language (which
renames the tabs) keeps the same tab open.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import state


def remembered_tabs(name: str, labels: Mapping[str, str]) -> dict[str, DeltaGenerator]:
    """``{tab name: label}`` → ``{tab name: container}``; the tab staff last opened is open again."""
    names, shown = list(labels), list(labels.values())
    chosen = state.open_tab(name)
    widget = state.tabs_widget(name)

    def remember() -> None:
        label = st.session_state.get(widget)
        if label in shown:
            state.set_open_tab(name, names[shown.index(label)])

    default = labels.get(chosen) if chosen in labels else shown[0]
    containers = st.tabs(shown, default=default, key=widget, on_change=remember)
    return dict(zip(names, containers, strict=True))

