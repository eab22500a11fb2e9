"""会员等级: the levels shoppers climb with their growth — name, growth threshold, discount and benefits. The owner
edits the whole list at once; saving re-ranks every member in the domain (``save_levels``, audited), so a level
moves up or down with the new thresholds at once (docs/money-and-rules.md, "Members and growth")."""

from __future__ import annotations

import re
from functools import partial

import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.components.access import require_screen
from dashboard.components.actions import perform, read, show_flashes
from dashboard.components.amounts import parse_percent, percent_text
from dashboard.components.plain import plain
from dashboard.i18n import t
from domain.marketing.labels import discount_rate
from domain.members.queries import LevelView, levels
from domain.members.service import MAX_LEVELS, LevelInput, save_levels
from domain.money import BP_SCALE
from domain.security.actor import Actor
from domain.security.roles import Permission

FORM = state.MEMBER_LEVELS_FORM
ID, NAME, THRESHOLD, DISCOUNT, BENEFITS = "id", "name", "growth_threshold", "discount", "benefits"
TYPED = (NAME, THRESHOLD, DISCOUNT, BENEFITS)
_WHOLE = re.compile(r"\d+", re.ASCII)


def main() -> None:
    who = require_screen(Permission.MARKETING)
    st.header(t("member_levels.header"))
    st.caption(t("member_levels.caption"))
    show_flashes()
    current = read(levels)
    _levels_table(current)
    if who.actor.can(Permission.SETTINGS):
        _editor(who.actor, current)
    else:
        st.info(t("member_levels.owner_only"), icon=":material/lock:")


def discount_text(discount_bp: int) -> str:
    """9800 → '98%（9.8折）', 10000 → '100%（不打折）': what a member pays, in both ways staff say it."""
    rate = t("member_levels.no_discount") if discount_bp >= BP_SCALE else discount_rate(BP_SCALE - discount_bp)
    return t("member_levels.discount_as", percent=percent_text(discount_bp), rate=rate)


def _levels_table(current: list[LevelView]) -> None:
    st.dataframe(pd.DataFrame([{
        "rank": lv.level + 1, "name": lv.name, "threshold": lv.growth_threshold,
        "discount": discount_text(lv.discount_bp), "benefits": lv.benefits,
    } for lv in current]), hide_index=True, width="stretch", column_config={
        "rank": st.column_config.NumberColumn(t("member_levels.col_rank"), format="%d"),
        "name": t("member_levels.col_name"),
        "threshold": st.column_config.NumberColumn(t("member_levels.col_threshold"), format="%d"),
        "discount": t("member_levels.col_discount"), "benefits": t("member_levels.col_benefits"),
    })


def _editor(actor: Actor, current: list[LevelView]) -> None:
    key = partial(state.widget_key, FORM)
    with st.container(border=True):
        st.subheader(t("member_levels.edit"))
        st.caption(t("member_levels.edit_help", most=MAX_LEVELS))
        rows = [{ID: lv.id, NAME: lv.name, THRESHOLD: str(lv.growth_threshold),
                 DISCOUNT: percent_text(lv.discount_bp), BENEFITS: lv.benefits} for lv in current]
        table = st.data_editor(
            pd.DataFrame(rows, columns=[ID, *TYPED]).astype({ID: "Int64", **dict.fromkeys(TYPED, "string")}),
            key=key("levels"), num_rows="dynamic", hide_index=True, width="stretch", column_config={
                ID: None,
                NAME: st.column_config.TextColumn(t("member_levels.col_name"), max_chars=32),
                THRESHOLD: st.column_config.TextColumn(t("member_levels.col_threshold"),
                                                       help=t("member_levels.col_threshold_help")),
                DISCOUNT: st.column_config.TextColumn(t("member_levels.col_discount_typed"),
                                                      help=t("member_levels.col_discount_help")),
                BENEFITS: st.column_config.TextColumn(t("member_levels.col_benefits"), max_chars=500),
            })
        wanted, problems = typed_levels(table)
        for message in problems:
            st.error(message, icon=":material/error:")
        if wanted and not problems:
            _preview(wanted)
        st.caption(t("member_levels.rerank_note"))
        if st.button(t("member_levels.save"), type="primary", key=key("submit"), disabled=bool(problems)):
            _save(actor, wanted)


def typed_levels(table: pd.DataFrame) -> tuple[list[LevelInput], list[str]]:
    """The editor's rows as the domain takes them (a blank row is no level), and what could not be read, by row.
    Whether the list makes sense (a level at 0, no two alike) is the domain's to say."""
    wanted, problems = [], []
    for n, record in enumerate(table.to_dict("records"), start=1):
        typed = {column: _cell(record.get(column)) for column in TYPED}
        if not any(typed.values()):
            continue
        threshold, discount = typed[THRESHOLD], typed[DISCOUNT]
        found = []
        if not threshold:
            found.append(t("member_levels.threshold_required", n=n))
        elif not _WHOLE.fullmatch(threshold):
            found.append(t("member_levels.bad_threshold", n=n, text=threshold))
        discount_bp = None
        if not discount:
            found.append(t("member_levels.discount_required", n=n))
        else:
            try:
                discount_bp = parse_percent(discount)
            except ValueError:
                found.append(t("member_levels.bad_discount", n=n, text=discount))
        problems += found
        if not found:
            level_id = record.get(ID)
            wanted.append(LevelInput(name=typed[NAME], growth_threshold=int(threshold), discount_bp=discount_bp,
                                     benefits=typed[BENEFITS], id=None if pd.isna(level_id) else int(level_id)))
    return wanted, problems


def _cell(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value).strip()


def _preview(wanted: list[LevelInput]) -> None:
    """What will be saved, read back in words, lowest first: 98 is read as 98%, i.e. 9.8折."""
    lines = [t("member_levels.preview_line", name=plain(lv.name), threshold=lv.growth_threshold,
               discount=discount_text(lv.discount_bp))
             for lv in sorted(wanted, key=lambda lv: lv.growth_threshold)]
    st.caption("  \n".join([t("member_levels.preview"), *lines]))


def _save(actor: Actor, wanted: list[LevelInput]) -> None:
    saved = perform(lambda s: len(save_levels(s, actor=actor, levels=wanted)),
                    success=t("member_levels.saved", n=len(wanted)))
    if saved is not None:
        state.reset_form(FORM)
        st.rerun()


if __name__ == "__main__":
    main()
