"""Shipping addresses. The receiver's name, phone and street are personal data and are stored encrypted; the
province, city and district stay in clear (docs/security.md, "At rest")."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from domain.errors import Conflict, Invalid, NotFound
from domain.models import Address, User
from domain.orders.errors import AddressError
from domain.security import crypto
from domain.security.actor import Shopper, Viewer
from domain.security.disclosure import Field, show

MAX_ADDRESSES = 20


@dataclass
class AddressInput:
    name: str
    phone: str
    province: str
    city: str
    district: str
    detail: str
    is_default: bool = False


@dataclass(frozen=True)
class AddressView:
    id: int
    name: str
    phone: str
    province: str
    city: str
    district: str
    detail: str
    is_default: bool


def address_view(address: Address, *, viewer: Viewer) -> AddressView:
    """The address as ``viewer`` may see it: its owner sees the receiver in full."""
    return AddressView(
        id=address.id, name=show(viewer, Field.RECEIVER_NAME, address.name_enc, owner_id=address.user_id),
        phone=show(viewer, Field.RECEIVER_PHONE, address.phone_enc, owner_id=address.user_id),
        province=address.province, city=address.city, district=address.district,
        detail=show(viewer, Field.RECEIVER_STREET, address.detail_enc, owner_id=address.user_id),
        is_default=address.is_default,
    )


def address_book(session: Session, *, viewer: Shopper) -> list[AddressView]:
    """The shopper's own addresses, the default first."""
    return [address_view(a, viewer=viewer) for a in session.scalars(_addresses_of(viewer.user_id))]


def list_addresses(session: Session, *, user: User) -> list[Address]:
    return list(session.scalars(_addresses_of(user.id)))


def _addresses_of(user_id: int) -> Select:
    return select(Address).where(Address.user_id == user_id).order_by(Address.is_default.desc(), Address.id.desc())


def get_address(session: Session, *, user: User, address_id: int, lock: bool = False) -> Address:
    """The shopper's own address (another's is not found). ``lock``: row-locked to the commit, for editing or
    deleting it, so that an edit and a delete at once queue, and the later one finds the address as the earlier
    left it (deleted: 404) instead of writing to a row that is gone."""
    address = session.get(Address, address_id, with_for_update=True if lock else None, populate_existing=lock)
    if address is None or address.user_id != user.id:
        raise address_not_found()
    return address


def address_not_found() -> NotFound:
    return NotFound(AddressError.ADDRESS_NOT_FOUND, "收货地址不存在")


def create_address(session: Session, *, user: User, data: AddressInput) -> Address:
    count = session.scalar(select(func.count()).where(Address.user_id == user.id)) or 0
    if count >= MAX_ADDRESSES:
        raise Conflict(AddressError.TOO_MANY_ADDRESSES, f"最多保存 {MAX_ADDRESSES} 个地址")
    address = Address(user_id=user.id)
    _apply(address, data)
    session.add(address)
    session.flush()
    if data.is_default or count == 0:
        make_default(session, user=user, address_id=address.id)
    return address


def update_address(session: Session, *, user: User, address_id: int, changes: dict) -> Address:
    address = get_address(session, user=user, address_id=address_id, lock=True)
    current = AddressInput(name=name_of(address), phone=phone_of(address), province=address.province, city=address.city,
                           district=address.district, detail=crypto.decrypt(address.detail_enc),
                           is_default=address.is_default)
    for key, value in changes.items():
        if key not in AddressInput.__dataclass_fields__:
            raise Invalid(AddressError.UNKNOWN_FIELD, f"未知字段：{key}")
        if value is not None:  # a field sent as null is left as it is (every column is NOT NULL)
            setattr(current, key, value)
    _apply(address, current)
    session.flush()
    if changes.get("is_default"):
        make_default(session, user=user, address_id=address.id)
    return address


def delete_address(session: Session, *, user: User, address_id: int) -> None:
    address = get_address(session, user=user, address_id=address_id, lock=True)
    was_default = address.is_default
    session.delete(address)
    session.flush()
    if was_default:
        nxt = session.scalar(select(Address).where(Address.user_id == user.id).order_by(Address.id.desc()).limit(1))
        if nxt:
            nxt.is_default = True
            session.flush()


def make_default(session: Session, *, user: User, address_id: int) -> None:
    # ORM-enabled UPDATE: loaded Address objects are synchronised too.
    session.execute(update(Address).where(Address.user_id == user.id).values(is_default=Address.id == address_id))
    session.flush()


def name_of(address: Address) -> str:
    return crypto.decrypt(address.name_enc)


def phone_of(address: Address) -> str:
    return crypto.decrypt(address.phone_enc)


def checked_receiver(data: AddressInput) -> AddressInput:
    """The receiver as it will be stored, trimmed and with the phone normalised; the address book's refusals
    (``invalid_name``, ``invalid_phone``, ``invalid_address``) otherwise. An order's receiver is checked the same."""
    name = (data.name or "").strip()
    if not 1 <= len(name) <= 32:
        raise Invalid(AddressError.INVALID_NAME, "请填写收货人姓名")
    phone = crypto.parse_mobile(data.phone)
    for label, value, limit in (("省份", data.province, 32), ("城市", data.city, 32), ("区县", data.district or "x", 32),
                                ("详细地址", data.detail, 200)):
        if not (value or "").strip() or len(value) > limit:
            raise Invalid(AddressError.INVALID_ADDRESS, f"请填写{label}")
    return AddressInput(name=name, phone=phone, province=data.province.strip(), city=data.city.strip(),
                        district=(data.district or "").strip(), detail=data.detail.strip(), is_default=data.is_default)


def _apply(address: Address, data: AddressInput) -> None:
    data = checked_receiver(data)
    address.name_enc = crypto.encrypt(data.name)
    address.phone_enc = crypto.encrypt(data.phone)
    address.province, address.city, address.district = data.province, data.city, data.district
    address.detail_enc = crypto.encrypt(data.detail)
