"""系统设置: every business setting, grouped; the domain validates, and the change is audited."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Literal

import streamlit as st

from dashboard import state
from dashboard.components.access import require_screen
from dashboard.components.actions import perform, read, show_flashes
from dashboard.components.amounts import parse_percent, percent_text
from dashboard.i18n import t
from domain.money import bp_of, parse_yuan, yuan
from domain.security.roles import Permission
from domain.settings.service import (
    MAX_COMMISSION_CAP_BP,
    BusinessSettings,
    change_settings,
    get_settings,
)

FORM = state.SETTINGS_FORM


@dataclass(frozen=True)
class SettingField:
    name: str  # a BusinessSettings field; its label is t("settings.<name>") and its help t("settings.<name>.help")
    kind: Literal["text", "percent", "yuan", "int", "int_list", "bool", "choice"]
    choices: tuple[str, ...] = ()


GROUPS: tuple[tuple[str, tuple[SettingField, ...]], ...] = (
    ("settings.group.shop", (
        SettingField("shop_name", "text"),
        SettingField("service_phone", "text"),
    )),
    ("settings.group.commission", (
        SettingField("commission_level1_bp", "percent"),
        SettingField("commission_level2_bp", "percent"),
        SettingField("commission_cap_bp", "percent"),
        SettingField("binding_mode", "choice", ("first_touch", "registration_only", "overwrite")),
        SettingField("distributor_mode", "choice", ("application", "auto")),
        SettingField("self_purchase_rebate", "bool"),
        SettingField("settle_after_days", "int"),
    )),
    ("settings.group.orders", (
        SettingField("auto_receive_days", "int"),
        SettingField("after_sale_days", "int"),
        SettingField("unpaid_timeout_minutes", "int"),
        SettingField("shipping_fee_fen", "yuan"),
        SettingField("free_shipping_threshold_fen", "yuan"),
        SettingField("return_address", "text"),  # 退货退款: where buyers send the goods back
    )),
    ("settings.group.withdrawals", (
        SettingField("withdraw_min_fen", "yuan"),
        SettingField("withdraw_max_fen", "yuan"),
        SettingField("withdraw_fee_bp", "percent"),
        SettingField("withdraw_daily_count", "int"),
        SettingField("withdraw_real_name_threshold_fen", "yuan"),
    )),
    # 分享有礼's settings are on their own screen, for marketing staff (views/share_rewards.py).
    ("settings.group.members", (
        SettingField("checkin_points", "int_list"),
    )),
)


def main() -> None:
    who = require_screen(Permission.SETTINGS)
    st.header(t("settings.header"))
    st.caption(t("settings.intro"))
    show_flashes()
    current = read(get_settings)

    key = partial(state.widget_key, FORM)
    raw: dict[str, object] = {}
    with st.form(key("form"), border=False):
        for group_key, fields in GROUPS:
            with st.container(border=True):
                st.subheader(t(group_key))
                if group_key == "settings.group.commission":
                    _explain_commission(current)
                columns = st.columns(2)
                for i, f in enumerate(fields):
                    with columns[i % 2]:
                        raw[f.name] = _input(f, getattr(current, f.name), key(f.name))
        submitted = st.form_submit_button(t("settings.save"), type="primary", key=key("submit"))
    if not submitted:
        return

    values, errors = parse_settings(raw)
    for message in errors:
        st.error(message)
    if errors:
        return
    changes = {k: v for k, v in values.items() if v != getattr(current, k)}
    if not changes:
        st.info(t("settings.no_changes"))
        return
    # The domain checks the role, validates (the cap, ranges) and records who changed what.
    if perform(lambda s: change_settings(s, actor=who.actor, changes=changes),
               success=t("settings.saved")) is not None:
        state.reset_form(FORM)
        st.rerun()


def parse_settings(raw: dict[str, object]) -> tuple[dict[str, object], list[str]]:
    """Form values → stored units (yuan → fen, percent → bp). Range and cap checks are left to the domain."""
    values: dict[str, object] = {}
    errors: list[str] = []
    for _, fields in GROUPS:
        for f in fields:
            value = raw[f.name]
            try:
                if f.kind == "yuan":
                    value = parse_yuan(str(value))
                elif f.kind == "percent":
                    value = parse_percent(str(value))
                elif f.kind == "int":
                    value = int(value)
                elif f.kind == "int_list":
                    value = parse_int_list(str(value))
                elif f.kind == "text":
                    value = str(value).strip()
            except ValueError:
                errors.append(t(f"settings.bad_{f.kind}", label=t(f"settings.{f.name}")))
                continue
            values[f.name] = value
    return values, errors


def parse_int_list(text: str) -> list[int]:
    """'5, 5，10 20' → [5, 5, 10, 20]: commas (either width) or spaces between whole numbers; ranges are the domain's."""
    parts = text.replace("，", ",").replace(",", " ").split()
    if not parts or not all(p.isascii() and p.isdigit() for p in parts):
        raise ValueError(f"not a list of whole numbers: {text!r}")
    return [int(p) for p in parts]


def _input(f: SettingField, value, key: str):
    label, help_text = t(f"settings.{f.name}"), t(f"settings.{f.name}.help")
    if f.kind == "text":
        return st.text_input(label, value=value, help=help_text, key=key)
    if f.kind == "percent":
        return st.text_input(f"{label} (%)", value=percent_text(value), help=help_text, key=key)
    if f.kind == "yuan":
        return st.text_input(f"{label} (¥)", value=yuan(value), help=help_text, key=key)
    if f.kind == "int":
        return st.number_input(label, value=int(value), step=1, help=help_text, key=key)
    if f.kind == "int_list":
        return st.text_input(label, value=", ".join(map(str, value)), help=help_text, key=key)
    if f.kind == "bool":
        return st.toggle(label, value=bool(value), help=help_text, key=key)
    labels = {c: t(f"settings.{f.name}.{c}") for c in f.choices}
    return st.selectbox(label, f.choices, index=f.choices.index(value), help=help_text, key=state.translated(key),
                        format_func=labels.__getitem__)


def _explain_commission(current: BusinessSettings) -> None:
    example = 10_000  # ¥100.00
    st.info(t(
        "settings.commission_explainer",
        max_cap=percent_text(MAX_COMMISSION_CAP_BP), cap=percent_text(current.commission_cap_bp),
        l1=yuan(bp_of(example, current.commission_level1_bp)), l2=yuan(bp_of(example, current.commission_level2_bp)),
    ), icon=":material/gavel:")


if __name__ == "__main__":
    main()
