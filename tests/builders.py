"""Small builders for test data, all through domain services."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from domain.catalog.service import ProductInput, SkuInput, create_category, create_product
from domain.models import Product, Staff, User
from domain.staff.service import SYSTEM, Actor, create_staff
from domain.users.service import new_invite_code

_seq = itertools.count(1)


def make_user(session: Session, name: str | None = None, *, inviter: User | None = None) -> User:
    name = name or f"user{next(_seq)}"
    user = User(openid=f"o_sandbox_{name}", nickname=name, invite_code=new_invite_code(),
                inviter_id=inviter.id if inviter else None)
    session.add(user)
    session.flush()
    return user


def make_product(session: Session, *, title: str | None = None, prices: tuple[int, ...] = (9999,),
                 stock: int = 100, category_id: int | None = None, **fields) -> Product:
    skus = [SkuInput(specs={"规格": f"款{i + 1}"} if len(prices) > 1 else {}, price_fen=p, stock=stock)
            for i, p in enumerate(prices)]
    return create_product(session, actor=SYSTEM, data=ProductInput(
        title=title or f"测试商品{next(_seq)}", skus=skus, category_id=category_id, **fields))


def make_category(session: Session, name: str | None = None):
    return create_category(session, actor=SYSTEM, name=name or f"分类{next(_seq)}")


def make_staff(session: Session, role: str, username: str | None = None, password: str = "pass-word-123") -> Staff:
    return create_staff(session, username=username or f"{role}{next(_seq)}", password=password, role=role)


def actor(staff: Staff) -> Actor:
    return Actor.of(staff)
