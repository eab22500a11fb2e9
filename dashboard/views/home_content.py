"""首页装修: the mini-program home's banner carousel and notices — add, edit, reorder, switch on or off, remove.

The domain validates and audits every change (``domain/content/service.py``) and decides what shoppers see
(``domain/content/queries.py``): this screen shows its verdict, e.g. a banner whose product left the shelf.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import streamlit as st
from sqlalchemy.orm import Session
from streamlit.runtime.uploaded_file_manager import UploadedFile

from dashboard import state
from dashboard.components.access import require_screen
from dashboard.components.actions import perform, read, show_flashes
from dashboard.components.images import image_source
from dashboard.i18n import label, t
from domain.content import service as content
from domain.content.queries import LinkChoices, LinkState, StaffHomeItem, link_choices, staff_banners, staff_notices
from domain.media import MAX_UPLOAD_BYTES, save_image
from domain.models import LinkKind
from domain.security.actor import Actor
from domain.security.roles import Permission

BANNER, NOTICE = "banner", "notice"
IMAGE_TYPES = ["png", "jpg", "jpeg", "webp"]


def main() -> None:
    who = require_screen(Permission.MARKETING)
    st.header(t("home_content.header"))
    st.caption(t("home_content.caption"))
    show_flashes()
    banners, notices, choices = read(lambda s: (staff_banners(s, viewer=who.actor), staff_notices(s, viewer=who.actor),
                                                link_choices(s)))

    st.subheader(t("home_content.banners"))
    st.caption(t("home_content.banners_help", shown=sum(b.shown for b in banners), total=len(banners)))
    for i, banner in enumerate(banners):
        _item(who.actor, BANNER, banner, choices, first=i == 0, last=i == len(banners) - 1)
    _new_banner(who.actor, choices)

    st.subheader(t("home_content.notices"))
    st.caption(t("home_content.notices_help", shown=sum(n.shown for n in notices), total=len(notices)))
    for i, notice in enumerate(notices):
        _item(who.actor, NOTICE, notice, choices, first=i == 0, last=i == len(notices) - 1)
    _new_notice(who.actor, choices)


def _item(actor: Actor, kind: str, item: StaffHomeItem, choices: LinkChoices, *, first: bool, last: bool) -> None:
    form = state.home_item_form(kind, item.id)
    key = partial(state.widget_key, form)
    with st.container(border=True):
        if kind == BANNER:
            picture, text, buttons = st.columns([2, 5, 3], vertical_alignment="center")
            source = image_source(item.image_url)
            if source:
                picture.image(source, width="stretch")
        else:
            text, buttons = st.columns([7, 3], vertical_alignment="center")
        text.text(item.text)
        text.caption(_status(item))
        up, down, switch = buttons.columns(3)
        if up.button(":material/arrow_upward:", key=key("up"), disabled=first, help=t("home_content.up")):
            _change(lambda s: _move(s, actor, kind, item.id, -1), t("home_content.moved", text=item.text))
        if down.button(":material/arrow_downward:", key=key("down"), disabled=last, help=t("home_content.down")):
            _change(lambda s: _move(s, actor, kind, item.id, 1), t("home_content.moved", text=item.text))
        turn_on = not item.is_enabled
        if switch.button(t("home_content.enable") if turn_on else t("home_content.disable"), key=key("switch")):
            _change(lambda s: _update(s, actor, kind, item.id, {"is_enabled": turn_on}),
                    t("home_content.enabled" if turn_on else "home_content.disabled", text=item.text))
        with st.expander(t("home_content.edit")):
            _edit(actor, kind, item, choices, form)


def _status(item: StaffHomeItem) -> str:
    """显示中 · 跳转：商品“春茶” — or why shoppers do not see it."""
    if not item.is_enabled:
        shown = t("home_content.status_off")
    elif item.link_state is LinkState.OK:
        shown = t("home_content.status_shown")
    else:
        shown = t(f"home_content.status_{item.link_state.value}")
    if item.link_kind == LinkKind.NONE:
        return f"{shown} · {t('home_content.no_link')}"
    return f"{shown} · {t('home_content.links_to', kind=label('link', item.link_kind), target=item.link_title or '—')}"


def _edit(actor: Actor, kind: str, item: StaffHomeItem, choices: LinkChoices, form: str) -> None:
    key = partial(state.widget_key, form)
    text = st.text_input(t(f"home_content.{kind}_text"), value=item.text, key=key("text"),
                         max_chars=content.TITLE_MAX if kind == BANNER else content.NOTICE_MAX)
    link_kind, link_id = _link_picker(key, choices, item.link_kind, item.link_id, item.link_title)
    upload = _image_upload(key, t("home_content.replace_image")) if kind == BANNER else None
    if st.button(t("home_content.save"), key=key("save"), type="primary"):
        changes = {"title" if kind == BANNER else "text": text, "link_kind": link_kind, "link_id": link_id}
        _change(lambda s: _update(s, actor, kind, item.id, changes | _uploaded(upload)),
                t("home_content.saved", text=text.strip()), reset=form)
    confirm = st.checkbox(t("home_content.confirm_delete"), key=key("confirm_delete"))
    if st.button(t("home_content.delete"), key=key("delete"), disabled=not confirm):
        delete = content.delete_banner if kind == BANNER else content.delete_notice
        id_field = f"{kind}_id"
        _change(lambda s: delete(s, actor=actor, **{id_field: item.id}),
                t("home_content.deleted", text=item.text))


def _new_banner(actor: Actor, choices: LinkChoices) -> None:
    form = state.HOME_CONTENT_NEW_BANNER
    key = partial(state.widget_key, form)
    with st.expander(t("home_content.new_banner"), icon=":material/add_photo_alternate:"):
        title = st.text_input(t("home_content.banner_text"), key=key("text"), max_chars=content.TITLE_MAX)
        upload = _image_upload(key, t("home_content.image"))
        link_kind, link_id = _link_picker(key, choices)
        enabled = st.toggle(t("home_content.on"), value=True, key=key("enabled"))
        if st.button(t("home_content.add"), key=key("submit"), type="primary"):
            def create(session: Session):
                image = _uploaded(upload).get("image_url", "")
                data = content.BannerInput(title=title, image_url=image, link_kind=link_kind, link_id=link_id,
                                           is_enabled=enabled)
                return content.create_banner(session, actor=actor, data=data)

            if perform(create, success=t("home_content.added", text=title.strip())) is not None:
                state.reset_form(form)
                st.rerun()


def _new_notice(actor: Actor, choices: LinkChoices) -> None:
    form = state.HOME_CONTENT_NEW_NOTICE
    key = partial(state.widget_key, form)
    with st.expander(t("home_content.new_notice"), icon=":material/campaign:"):
        text = st.text_input(t("home_content.notice_text"), key=key("text"), max_chars=content.NOTICE_MAX)
        link_kind, link_id = _link_picker(key, choices)
        enabled = st.toggle(t("home_content.on"), value=True, key=key("enabled"))
        if st.button(t("home_content.add"), key=key("submit"), type="primary"):
            data = content.NoticeInput(text=text, link_kind=link_kind, link_id=link_id, is_enabled=enabled)
            if perform(lambda s: content.create_notice(s, actor=actor, data=data),
                       success=t("home_content.added", text=text.strip())) is not None:
                state.reset_form(form)
                st.rerun()


def _link_picker(key: Callable[[str], str], choices: LinkChoices, kind: str = LinkKind.NONE,
                 target_id: int | None = None, target_title: str = "") -> tuple[str, int | None]:
    """Where a tap leads: nowhere, a product on the shelf or a category (the target list follows the kind)."""
    kinds = [k.value for k in LinkKind]
    stored_kind = kind
    left, right = st.columns(2)
    kind = left.selectbox(t("home_content.link"), kinds, index=kinds.index(kind), key=key("link_kind"),
                          format_func=lambda k: label("link", k))
    if kind == LinkKind.NONE:
        return kind, None
    options = dict(choices.products if kind == LinkKind.PRODUCT else choices.categories)
    if target_id is not None and target_id not in options and kind == stored_kind:
        options[target_id] = target_title or f"#{target_id}"  # the current target, even if it left the shelf
    if not options:
        right.warning(t("home_content.no_targets"))
        return kind, None
    ids = list(options)
    chosen = right.selectbox(t(f"home_content.target_{kind}"), ids, key=key("link_id"),
                             index=ids.index(target_id) if target_id in options else 0,
                             format_func=options.__getitem__)
    return kind, chosen


def _image_upload(key: Callable[[str], str], title: str) -> UploadedFile | None:
    return st.file_uploader(title, type=IMAGE_TYPES, key=key("image"), help=t("home_content.image_help"),
                            max_upload_size=MAX_UPLOAD_BYTES // 2**20)


def _uploaded(upload: UploadedFile | None) -> dict:
    # Saved inside the click's unit of work: an image the domain refuses refuses the whole change.
    return {"image_url": save_image(upload.getvalue(), folder="banners")} if upload is not None else {}


def _move(session: Session, actor: Actor, kind: str, item_id: int, offset: int) -> object:
    if kind == BANNER:
        return content.move_banner(session, actor=actor, banner_id=item_id, offset=offset)
    return content.move_notice(session, actor=actor, notice_id=item_id, offset=offset)


def _update(session: Session, actor: Actor, kind: str, item_id: int, changes: dict) -> object:
    if kind == BANNER:
        return content.update_banner(session, actor=actor, banner_id=item_id, changes=changes)
    return content.update_notice(session, actor=actor, notice_id=item_id, changes=changes)


def _change(action: Callable[[Session], object], success: str, *, reset: str | None = None) -> None:
    """One click: on success the list is read again (and the edited form starts from the saved record); a refusal
    is shown where the click was, with what was typed kept."""
    def run(session: Session) -> bool:
        action(session)
        return True  # deleting answers None, which perform reports as a refusal

    if perform(run, success=success):
        if reset:
            state.reset_form(reset)
        st.rerun()


if __name__ == "__main__":
    main()
