"""Personal data at rest: phones, real names, receivers and bank accounts are never stored in plain text."""

from __future__ import annotations

from sqlalchemy import select

from domain.distribution.distributors import apply
from domain.models import Base, User
from domain.orders.addresses import name_of, phone_of
from domain.security import crypto
from domain.users.service import find_user_by_phone, set_phone
from domain.wallet.service import BankAccount, request_withdrawal
from tests.builders import (
    approve_distributor,
    make_address,
    make_product,
    make_user,
    place,
)

SECRETS = ("13987654321", "保密收件人", "钱保密", "6222020200112233445", "15811112222", "申请人甲")


def every_stored_value(session) -> str:
    """Every row of every table, as text — what someone holding the database file would read."""
    parts = []
    for table in Base.metadata.sorted_tables:
        for row in session.execute(select(table)).all():
            parts.extend(str(v) for v in row)
    return "\n".join(parts)


def test_personal_data_is_encrypted_and_phone_lookups_use_the_blind_index(db):
    from domain.models import EntryType, WalletEntry

    buyer = make_user(db, "privacy")
    address = make_address(db, buyer, name="保密收件人", phone="139-8765-4321")  # dashes are fine; stored as 11 digits, encrypted
    place(db, buyer, [(make_product(db).skus[0].id, 1)], address=address)
    set_phone(db, user=buyer, phone="+86 158 1111 2222")
    applicant = make_user(db)
    apply(db, user=applicant, real_name="申请人甲", phone="13987654321")
    earner = make_user(db)
    approve_distributor(db, earner)
    db.add(WalletEntry(user_id=earner.id, entry_type=EntryType.ADJUSTMENT, amount_fen=10_000))
    db.flush()
    request_withdrawal(db, user=earner, amount_fen=5000, method="bank",
                       bank=BankAccount(bank_name="工商银行", account_name="钱保密", account_no="6222 0202 0011 2233 445"))

    stored = every_stored_value(db)
    for secret in SECRETS:
        assert secret not in stored, secret
    assert (name_of(address), phone_of(address)) == ("保密收件人", "13987654321")
    assert find_user_by_phone(db, "15811112222").id == buyer.id
    assert crypto.mask_phone(crypto.decrypt(db.get(User, buyer.id).phone_enc)) == "158****2222"
