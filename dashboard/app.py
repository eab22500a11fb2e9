"""二级分销商城·管理后台: staff sign in, then see the screens their role allows.

Run with ``streamlit run dashboard/app.py``. Screens are listed in ``dashboard/screens.py``. Streamlit runs this file
as the page script on every rerun; ``streamlit run`` also imports it once and serves ``app`` (at the bottom): the
dashboard, with the staff session cookie's routes beside it (``dashboard/components/session.py``).
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
from dashboard.components import session as staff_session  # noqa: E402
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
    _drop_token_from_address()
    who = _refresh_signed_in()
    _sidebar(who)
    _keep_the_cookie_in_step(who)
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
        # Every screen the role may use is listed: collapsed, Streamlit hides all past the tenth behind "View more".
        page = st.navigation(sections, expanded=True)
    page.run()


def _signed_in_as(staff: Staff) -> state.SignedIn:
    return state.SignedIn(actor=Actor.of(staff), display_name=staff.display_name or staff.username)


def _drop_token_from_address() -> None:
    """The old magic link ``?token=…`` no longer signs in: a token in an address stays in the browser's history,
    proxy logs and Referer headers. The login form's session cookie does what the link did, so the token is only
    taken out of the address bar (docs/security.md#the-dashboards-session)."""
    if "token" in st.query_params:
        del st.query_params["token"]


def _refresh_signed_in() -> state.SignedIn | None:
    """Reload the staff member on every run, so that a disabled account, a changed role, or a token that expired
    or was ended elsewhere applies at once. A session not signed in yet may resume from the cookie."""
    who = state.signed_in()
    if who is None:
        return _resume_from_cookie()
    token = state.held_token()

    def reload(session: Session) -> state.SignedIn | None:
        if token is not None:
            return _signed_in_with(session, token)
        staff = session.get(Staff, who.actor.staff_id)
        return _signed_in_as(staff) if staff is not None and staff.is_active else None

    fresh = read(reload)
    if fresh is None:
        state.sign_out()
        st.session_state[state.SESSION_ENDED] = "ended"
    else:
        state.sign_in(fresh)
    return fresh


def _resume_from_cookie() -> state.SignedIn | None:
    """A reload or a new tab starts a new Streamlit session: the session cookie the browser sent with it signs in
    with the staff token it holds, checked like any other. Only the session's first run looks: the cookie it began
    with stays in ``st.context`` after 退出登录 has deleted it in the browser."""
    if st.session_state.get(state.SESSION_RESUMED):
        return None
    st.session_state[state.SESSION_RESUMED] = True
    cookie = staff_session.cookie_from_browser()
    if cookie is None:
        return None
    token = staff_session.unseal(cookie)
    who = read(lambda s: _signed_in_with(s, token)) if token is not None else None
    if who is None:  # forged, expired, logged out or disabled: the browser is told to forget it
        st.session_state[state.SESSION_ENDED] = "ended"
        return None
    state.sign_in(who)
    state.hold_token(token)
    return who


def _signed_in_with(session: Session, token: str) -> state.SignedIn | None:
    try:
        return _signed_in_as(staff_for_token(session, token))
    except Unauthorized:
        return None


def _keep_the_cookie_in_step(who: state.SignedIn | None) -> None:
    """Hand the browser the code for its cookie after a login, until it has been exchanged; once signed out,
    have the browser delete the cookie. Drawn in the sidebar, out of the screens' way."""
    with st.sidebar:
        code = st.session_state.get(state.SESSION_CODE)
        if who is not None and code is not None:
            if staff_session.pending(code):
                staff_session.hand_over(code)
            else:
                del st.session_state[state.SESSION_CODE]
        elif who is None and st.session_state.get(state.SESSION_ENDED):
            staff_session.forget_in_browser()


def _login_page() -> None:
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.header(t("app.title"))
        st.caption(t("login.caption"))
        if st.session_state.get(state.SESSION_ENDED) == "ended":
            st.info(t("login.session_ended"), icon=":material/schedule:")
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
                st.session_state[state.SESSION_CODE] = staff_session.offer(login.token, login.expires_at)
                st.session_state.pop(state.SESSION_ENDED, None)
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
            st.session_state[state.SESSION_ENDED] = "logged_out"
            st.rerun()


def _switch_language() -> None:
    state.set_lang(st.session_state[state.LANG_SWITCH])


if __name__ == "__main__":
    main()
else:
    # Imported by `streamlit run`, which serves this app when it finds one; the routes set and delete the cookie.
    app = st.App(__file__, routes=staff_session.ROUTES)
