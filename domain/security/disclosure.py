"""Personal data shown to people, decrypted and masked in this one place by who is looking.

Read models (``order_detail``, ``refund_detail``, ``withdrawal_detail``, ``application_detail`` …) call these
functions; nothing outside ``domain/`` decrypts. The rule for each kind of field:

- the shopper it belongs to sees it in full;
- staff see it in full when their role needs it for their work (``CLEAR_FOR``), otherwise masked;
- a bank account is masked for everyone in lists; finance sees it in full only through an explicit reveal,
  which is written to the audit log (``reveal`` in the wallet's read model).

See docs/security.md ("Personal data").
"""

from __future__ import annotations

from enum import StrEnum

from domain.security import crypto
from domain.security.actor import Shopper, Viewer
from domain.security.roles import Permission


class Field(StrEnum):
    RECEIVER_NAME = "receiver_name"
    RECEIVER_PHONE = "receiver_phone"
    RECEIVER_STREET = "receiver_street"
    APPLICANT_NAME = "applicant_name"
    APPLICANT_PHONE = "applicant_phone"
    DISTRIBUTOR_NAME = "distributor_name"
    ACCOUNT_HOLDER = "account_holder"
    ACCOUNT_NO = "account_no"
    USER_PHONE = "user_phone"


# Staff who hold this permission see the field in clear. Fields missing here are masked for all staff.
CLEAR_FOR: dict[Field, Permission] = {
    Field.RECEIVER_NAME: Permission.ORDERS_READ,  # support greets the buyer by name
    Field.RECEIVER_PHONE: Permission.ORDERS_MANAGE,  # whoever ships calls the buyer; support sees it masked
    Field.RECEIVER_STREET: Permission.ORDERS_READ,
    Field.APPLICANT_NAME: Permission.DISTRIBUTORS,
    Field.APPLICANT_PHONE: Permission.DISTRIBUTORS,
}

_MASKS = {
    Field.RECEIVER_NAME: crypto.mask_name,
    Field.RECEIVER_PHONE: crypto.mask_phone,
    Field.RECEIVER_STREET: lambda s: "****" if s else "",
    Field.APPLICANT_NAME: crypto.mask_name,
    Field.APPLICANT_PHONE: crypto.mask_phone,
    Field.DISTRIBUTOR_NAME: crypto.mask_name,
    Field.ACCOUNT_HOLDER: crypto.mask_name,
    Field.ACCOUNT_NO: lambda s: f"****{s[-4:]}" if s else "",
    Field.USER_PHONE: crypto.mask_phone,
}


def sees_in_clear(viewer: Viewer, field: Field, *, owner_id: int | None = None) -> bool:
    if isinstance(viewer, Shopper):
        return owner_id is not None and viewer.user_id == owner_id
    permission = CLEAR_FOR.get(field)
    return permission is not None and viewer.can(permission)


def show(viewer: Viewer, field: Field, ciphertext: str | None, *, owner_id: int | None = None) -> str:
    """The field as this viewer may see it: in clear, masked, or empty when there is nothing."""
    plain = crypto.decrypt_optional(ciphertext) or ""
    if sees_in_clear(viewer, field, owner_id=owner_id):
        return plain
    return _MASKS[field](plain)


def masked(field: Field, ciphertext: str | None) -> str:
    """The masked form, whoever looks (lists that never show the field in clear)."""
    return _MASKS[field](crypto.decrypt_optional(ciphertext) or "")


def reveal(ciphertext: str | None) -> str:
    """The clear text, for a caller that has already checked the permission and written the audit entry."""
    return crypto.decrypt_optional(ciphertext) or ""
