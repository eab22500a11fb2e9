"""操作日志: who did what to which record, as a sentence in the staff's language (amounts in yuan, the record by
its number or title), newest first in strict time order. Read-only, for the owner; each record opens on its
screen."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.components.access import require_screen
from dashboard.components.actions import read
from dashboard.components.links import can_open, open_record
from dashboard.components.listing import back_to_first_page, local_time, page_of, pager
from dashboard.i18n import t
from domain.audit.sentences import AuditLine, action_label, audit_page, entity_label, matching_actions
from domain.audit.service import audit_actions, audit_entity_types
from domain.security.roles import Permission

PAGE_SIZE = 50


def main() -> None:
    who = require_screen(Permission.AUDIT)
    st.header(t("audit.header"))
    st.caption(t("audit.caption"))
    lang = state.lang()

    kinds = read(audit_entity_types)
    first_page = back_to_first_page(state.AUDIT_PAGE)
    kind_col, id_col, action_col = st.columns([2, 2, 3])
    entity_type = kind_col.selectbox(
        t("audit.filter_type"), [None, *kinds], key=state.translated(state.AUDIT_FILTER_TYPE), on_change=first_page,
        format_func=lambda k: t("audit.all_types") if k is None else f"{entity_label(k, lang)} ({kinds[k]})",
    )
    entity_id = id_col.text_input(t("audit.filter_id"), key=state.AUDIT_FILTER_ID, on_change=first_page).strip()
    typed = action_col.text_input(t("audit.filter_action"), key=state.AUDIT_FILTER_ACTION, on_change=first_page,
                                  placeholder=t("audit.filter_action_placeholder")).strip()
    known = read(lambda s: list(audit_actions(s, entity_type=entity_type)))
    actions = matching_actions(typed, known) if typed else None
    if typed and actions:
        st.caption(t("audit.matching", actions="、".join(action_label(a, lang) for a in actions)))

    lines, total = read(lambda s: audit_page(s, lang=lang, entity_type=entity_type, entity_id=entity_id or None,
                                             actions=actions, page=page_of(state.AUDIT_PAGE), page_size=PAGE_SIZE))
    st.caption(t("audit.count", n=total))
    if not lines:
        st.info(t("audit.empty"))
        return
    _log_table(lines)
    pager(state.AUDIT_PAGE, total, PAGE_SIZE)
    _open_a_record(lines, who.role)


def _log_table(lines: list[AuditLine]) -> None:
    # The raw action code and values stay in the table's data (its CSV download), but what staff read is the
    # sentence.
    st.dataframe(pd.DataFrame([{
        "time": local_time(e.created_at), "actor": e.actor, "what": e.action_label, "sentence": e.sentence,
        "record": e.entity.label, "action": e.action, "entity": e.entity.kind, "entity_id": e.entity.id,
        "before": _json(e.before), "after": _json(e.after),
    } for e in lines]), hide_index=True, width="stretch", column_order=["time", "actor", "what", "sentence"],
        column_config={
            "time": st.column_config.TextColumn(t("audit.col_time"), width="small"),
            "actor": st.column_config.TextColumn(t("audit.col_actor"), width="small"),
            "what": st.column_config.TextColumn(t("audit.col_action"), width="small"),
            "sentence": st.column_config.TextColumn(t("audit.col_sentence"), width="large"),
    })


def _open_a_record(lines: list[AuditLine], role: str) -> None:
    """Each record the page mentions opens on its own screen, with that record chosen."""
    openable = {}
    for e in lines:
        if can_open(e.entity, role):
            openable.setdefault((e.entity.kind, e.entity.id), e.entity)
    if not openable:
        return
    choices = list(openable)
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    chosen = left.selectbox(t("audit.open_select"), choices, key=state.translated(state.AUDIT_OPEN),
                            format_func=lambda k: openable[k].label)
    if right.button(t("audit.open"), key=state.AUDIT_OPEN_BUTTON, icon=":material/open_in_new:"):
        open_record(openable[chosen])


def _json(value: dict | None) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


if __name__ == "__main__":
    main()
