"""Who is acting. Staff operations receive an ``Actor`` (a staff member and their role); shopper operations
receive the ``User``. ``Shopper`` is the shopper's side of the same question, for the decisions that both
kinds of viewer ask of the domain ("which actions may I take on this order now?")."""

from __future__ import annotations

from dataclasses import dataclass

from domain.security.roles import Permission, Role, can, require


@dataclass(frozen=True)
class Actor:
    """A staff member: passed to every staff operation, which checks the role itself."""

    staff_id: int | None
    username: str
    role: Role

    is_staff = True

    def require(self, permission: Permission) -> None:
        require(self.role, permission)

    def can(self, permission: Permission) -> bool:
        return can(self.role, permission)

    @classmethod
    def of(cls, staff) -> Actor:
        return cls(staff_id=staff.id, username=staff.username, role=Role(staff.role))


@dataclass(frozen=True)
class Shopper:
    """A shopper looking at their own things."""

    user_id: int

    is_staff = False

    def can(self, permission: Permission) -> bool:
        return False

    @classmethod
    def of(cls, user) -> Shopper:
        return cls(user_id=user.id)


Viewer = Actor | Shopper

SYSTEM = Actor(staff_id=None, username="system", role=Role.OWNER)
