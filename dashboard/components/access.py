"""The guard at the top of every screen."""

from __future__ import annotations

import streamlit as st

from dashboard import state
from dashboard.i18n import t
from dashboard.screens import may_use
from domain.security.roles import Permission


def require_screen(permission: Permission | tuple[Permission, ...] | None) -> state.SignedIn:
    """The signed-in staff member, if their role may use this screen; otherwise the screen stops here.

    Navigation already hides screens a role may not use; this also covers a stale link or tab.
    """
    who = state.signed_in()
    if who is None:
        st.warning(t("auth.required"))
        st.stop()
    if not may_use(who.role, permission):
        st.error(t("auth.forbidden"))
        st.stop()
    return who
