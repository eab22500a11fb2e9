"""Staff roles and what each may do: the one guard shared by the admin API and the dashboard."""

from __future__ import annotations

from enum import StrEnum

from domain.errors import CommonError, Forbidden, Invalid
from domain.staff.errors import StaffError


class Role(StrEnum):
    OWNER = "owner"
    OPERATOR = "operator"
    SUPPORT = "support"
    FINANCE = "finance"
    ANALYST = "analyst"


class Permission(StrEnum):
    PRODUCTS = "products"  # catalog, stock and prices
    ORDERS_READ = "orders_read"
    ORDERS_MANAGE = "orders_manage"  # shipping, tracking
    REFUNDS = "refunds"
    MARKETING = "marketing"
    DISTRIBUTORS = "distributors"  # review applications, disable/enable
    COMMISSIONS_READ = "commissions_read"
    WITHDRAWALS = "withdrawals"
    SETTINGS = "settings"
    STAFF = "staff"
    ANALYTICS = "analytics"
    SETTLEMENT = "settlement"  # run the commission settlement by hand
    AUDIT = "audit"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.OPERATOR: frozenset(
        {Permission.PRODUCTS, Permission.ORDERS_READ, Permission.ORDERS_MANAGE, Permission.MARKETING}
    ),
    Role.SUPPORT: frozenset({Permission.ORDERS_READ, Permission.REFUNDS}),
    # Settlements: finance reads commissions and may run the settlement job (no other job).
    Role.FINANCE: frozenset({Permission.WITHDRAWALS, Permission.COMMISSIONS_READ, Permission.SETTLEMENT}),
    Role.ANALYST: frozenset({Permission.ANALYTICS}),
}

ROLE_LABELS = {
    Role.OWNER: ("店主", "Owner"),
    Role.OPERATOR: ("运营", "Operator"),
    Role.SUPPORT: ("客服", "Support"),
    Role.FINANCE: ("财务", "Finance"),
    Role.ANALYST: ("分析师", "Analyst"),
}


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise Invalid(StaffError.INVALID_ROLE, f"未知角色：{value}（可选 {', '.join(r.value for r in Role)}）") from None


def can(role: str | Role, permission: Permission) -> bool:
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False


def require(role: str | Role, permission: Permission) -> None:
    if not can(role, permission):
        raise Forbidden(CommonError.FORBIDDEN, f"当前角色无权执行此操作（需要 {permission.value}）")
