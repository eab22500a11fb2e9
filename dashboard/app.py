"""二级分销商城·管理后台: staff sign in, then see the screens their role allows.

Run with ``streamlit run dashboard/app.py``. Screens are listed in ``dashboard/screens.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run dashboard/app.py` puts dashboard/ on sys.path, not the project root that holds domain/.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from dashboard import state  # noqa: E402
from dashboard.components.actions import perform, read  # noqa: E402
from dashboard.i18n import LANGUAGES, role_label, t  # noqa: E402
from dashboard.screens import screens_for  # noqa: E402
from domain.errors import Unauthorized  # noqa: E402
from domain.models import Staff  # noqa: E402
from domain.security.actor import Actor  # noqa: E402
from domain.security.ratelimit import client_address  # noqa: E402
from domain.staff.service import log_in, log_out, staff_for_token  # noqa: E402


def main() -> None:
    st.set_page_config(page_title=t("app.title"), page_icon=":material/storefront:", layout="wide")
    _sign_in_from_link()
    who = _refresh_signed_in()
    _sidebar(who)
    if who is None:
        page = st.navigation([st.Page(_login_page, title=t("login.title"), icon=":material/login:",
                                      url_path="login")], position="hidden")
    else:
        sections: dict[str, list[st.Page]] = {}
        for i, screen in enumerate(screens_for(who.role)):
            sections.setdefault(t(screen.section_key), []).append(
                st.Page(screen.file, title=t(screen.title_key), icon=screen.icon, url_path=screen.url_path,
                        default=i == 0)
            )
        page = st.navigation(sections)
    page.run()


def _signed_in_as(staff: Staff) -> state.SignedIn:
    return state.SignedIn(actor=Actor.of(staff), display_name=staff.display_name or staff.username)


def _sign_in_from_link() -> None:
    """A magic link ``?token=…`` signs in with a staff token from ``POST /api/v1/admin/auth/login`` (stored
    hashed, expiring). The token is removed from the address bar at once."""
    token = st.query_params.get("token")
    if not token:
        return
    del st.query_params["token"]
    who = perform(lambda s: _signed_in_as(staff_for_token(s, token)))
    if who is not None:
        state.sign_in(who)
        state.hold_token(token)


def _refresh_signed_in() -> state.SignedIn | None:
    """Reload the staff member on every run, so that a disabled account, a changed role, or a token that expired
    or was ended elsewhere applies at once."""
    who = state.signed_in()
    if who is None:
        return None
    token = state.held_token()

    def reload(session: Session) -> state.SignedIn | None:
        if token is not None:
            try:
                return _signed_in_as(staff_for_token(session, token))
            except Unauthorized:
                return None
        staff = session.get(Staff, who.actor.staff_id)
        return _signed_in_as(staff) if staff is not None and staff.is_active else None

    fresh = read(reload)
    if fresh is None:
        state.sign_out()
    else:
        state.sign_in(fresh)
    return fresh


def _login_page() -> None:
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.header(t("app.title"))
        st.caption(t("login.caption"))
        with st.form(state.LOGIN_FORM):
            username = st.text_input(t("login.username"), key=state.LOGIN_USERNAME, autocomplete="username")
            password = st.text_input(t("login.password"), type="password", key=state.LOGIN_PASSWORD,
                                     autocomplete="current-password")
            submitted = st.form_submit_button(t("login.submit"), type="primary", key=state.LOGIN_SUBMIT,
                                              width="stretch")
        if submitted:
            login = perform(lambda s: log_in(s, username=username, password=password, address=_client_address()))
            if login is not None:
                state.sign_in(_signed_in_as(login.staff))
                state.hold_token(login.token)
                st.rerun()


def _client_address() -> str:
    """The browser's address, for the staff login limits that the admin API shares. Streamlit gives None for a
    browser on this machine (and no string under AppTest); behind a trusted proxy, its X-Forwarded-For tells."""
    peer = st.context.ip_address
    return client_address(peer if isinstance(peer, str) else "127.0.0.1", st.context.headers.get("X-Forwarded-For"))


def _sidebar(who: state.SignedIn | None) -> None:
    with st.sidebar:
        if who is not None:
            st.markdown(f"**{who.display_name}** · `{who.actor.username}`")
            st.caption(t("sidebar.role", role=role_label(who.role)))
        st.segmented_control(
            t("sidebar.language"), list(LANGUAGES), format_func=LANGUAGES.get, default=state.lang(),
            required=True, key=state.LANG_SWITCH, on_change=_switch_language,
        )
        if who is not None and st.button(t("sidebar.logout"), key=state.LOGOUT, icon=":material/logout:"):
            token = state.held_token()
            if token is not None:
                perform(lambda s: log_out(s, token=token))
            state.sign_out()
            st.rerun()


def _switch_language() -> None:
    state.set_lang(st.session_state[state.LANG_SWITCH])


main()
