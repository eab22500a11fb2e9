"""操作日志: who did what to which record, with the state before and after. Read-only, for the owner."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.components.access import require_screen
from dashboard.components.actions import read
from dashboard.components.listing import back_to_first_page, local_time, page_of, pager
from dashboard.i18n import t
from domain.audit.service import audit_entity_types, list_actions
from domain.security.roles import Permission

PAGE_SIZE = 50


def main() -> None:
    require_screen(Permission.AUDIT)
    st.header(t("audit.header"))
    st.caption(t("audit.caption"))

    kinds = read(audit_entity_types)
    first_page = back_to_first_page(state.AUDIT_PAGE)
    kind_col, id_col, action_col = st.columns([2, 2, 3])
    entity_type = kind_col.selectbox(
        t("audit.filter_type"), [None, *kinds], key=state.AUDIT_FILTER_TYPE, on_change=first_page,
        format_func=lambda k: t("audit.all_types") if k is None else f"{k} ({kinds[k]})",
    )
    entity_id = id_col.text_input(t("audit.filter_id"), key=state.AUDIT_FILTER_ID, on_change=first_page).strip()
    action = action_col.text_input(t("audit.filter_action"), key=state.AUDIT_FILTER_ACTION, on_change=first_page,
                                   placeholder=t("audit.filter_action_placeholder")).strip()

    def page(session):
        entries, total = list_actions(session, entity_type=entity_type, entity_id=entity_id or None,
                                      action_prefix=action or None, page=page_of(state.AUDIT_PAGE),
                                      page_size=PAGE_SIZE)
        return [{
            "time": local_time(e.created_at), "actor": e.actor, "action": e.action, "entity": e.entity_type,
            "entity_id": e.entity_id, "before": _json(e.before), "after": _json(e.after),
        } for e in entries], total

    rows, total = read(page)
    st.caption(t("audit.count", n=total))
    if not rows:
        st.info(t("audit.empty"))
        return
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config={
        "time": t("audit.col_time"), "actor": t("audit.col_actor"), "action": t("audit.col_action"),
        "entity": t("audit.col_entity"), "entity_id": t("audit.col_entity_id"),
        "before": st.column_config.TextColumn(t("audit.col_before"), width="medium"),
        "after": st.column_config.TextColumn(t("audit.col_after"), width="large"),
    })
    pager(state.AUDIT_PAGE, total, PAGE_SIZE)


def _json(value: dict | None) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


if __name__ == "__main__":
    main()
