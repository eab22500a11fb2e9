"""The one list of screens. A new screen is a file in ``views/`` plus one line here.

Each role sees the screens its permissions allow (``domain.security.roles``); the screen itself checks
again with ``components.access.require_screen``, and the domain checks a third time on every write.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.security.roles import Permission, can


@dataclass(frozen=True)
class Screen:
    file: str  # relative to dashboard/
    title_key: str  # an i18n key
    icon: str
    permission: Permission | tuple[Permission, ...] | None  # None: every signed-in staff member; a tuple: any of
    section_key: str = "nav.section.shop"

    @property
    def url_path(self) -> str:
        return self.file.rsplit("/", 1)[-1].removesuffix(".py")


DISTRIBUTION, INSIGHT, SYSTEM = "nav.section.distribution", "nav.section.insight", "nav.section.system"
MARKETING = "nav.section.marketing"

SCREENS: tuple[Screen, ...] = (
    Screen("views/home.py", "nav.home", ":material/dashboard:", None),
    Screen("views/products.py", "nav.products", ":material/inventory_2:", Permission.PRODUCTS),
    Screen("views/orders.py", "nav.orders", ":material/receipt_long:", Permission.ORDERS_READ),
    Screen("views/refunds.py", "nav.refunds", ":material/assignment_return:", Permission.REFUNDS),
    Screen("views/home_content.py", "nav.home_content", ":material/view_carousel:", Permission.MARKETING),
    Screen("views/coupons.py", "nav.coupons", ":material/confirmation_number:", Permission.MARKETING, MARKETING),
    Screen("views/promotions.py", "nav.promotions", ":material/local_offer:", Permission.MARKETING, MARKETING),
    Screen("views/members.py", "nav.members", ":material/card_membership:", Permission.MARKETING, MARKETING),
    Screen("views/member_levels.py", "nav.member_levels", ":material/military_tech:", Permission.MARKETING, MARKETING),
    Screen("views/share_rewards.py", "nav.share_rewards", ":material/redeem:", Permission.MARKETING, MARKETING),
    Screen("views/applications.py", "nav.applications", ":material/how_to_reg:", Permission.DISTRIBUTORS,
           DISTRIBUTION),
    Screen("views/distributors.py", "nav.distributors", ":material/account_tree:", Permission.DISTRIBUTORS,
           DISTRIBUTION),
    Screen("views/withdrawals.py", "nav.withdrawals", ":material/payments:", Permission.WITHDRAWALS, DISTRIBUTION),
    Screen("views/commissions.py", "nav.commissions", ":material/percent:", Permission.COMMISSIONS_READ,
           DISTRIBUTION),
    Screen("views/analytics.py", "nav.analytics", ":material/monitoring:", Permission.ANALYTICS, INSIGHT),
    Screen("views/commission_simulator.py", "nav.commission_simulator", ":material/calculate:", Permission.ANALYTICS,
           INSIGHT),
    # Analysts and the owner read the risk queue; whoever pays withdrawals (finance) decides on it.
    Screen("views/risk.py", "nav.risk", ":material/gpp_maybe:", (Permission.ANALYTICS, Permission.WITHDRAWALS),
           INSIGHT),
    Screen("views/settings.py", "nav.settings", ":material/settings:", Permission.SETTINGS, SYSTEM),
    Screen("views/audit.py", "nav.audit", ":material/history:", Permission.AUDIT, SYSTEM),
)


def may_use(role: str, permission: Permission | tuple[Permission, ...] | None) -> bool:
    """Whether ``role`` may use a screen that needs ``permission`` (any one of a tuple)."""
    if permission is None:
        return True
    needed = permission if isinstance(permission, tuple) else (permission,)
    return any(can(role, p) for p in needed)


def screens_for(role: str) -> list[Screen]:
    return [s for s in SCREENS if may_use(role, s.permission)]
