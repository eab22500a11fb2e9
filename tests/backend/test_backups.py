"""Backups keep secrets: encrypted with the data key, readable by the owner only, no password on a command line,
and a restore brings back exactly what was there."""

from __future__ import annotations

import io
import stat

import pytest
from sqlalchemy import BigInteger, func, inspect, select, text
from sqlalchemy.engine import make_url

from backend.seed import seed_base, seed_demo
from domain.backup import (
    CHUNK,
    BackupError,
    backup_dir,
    decrypt_stream,
    encrypt_stream,
    make_backup,
    pg_command,
    restore_backup,
)
from domain.db import get_engine, unit_of_work
from domain.models import Base, User
from domain.users.service import set_phone
from tests.conftest import is_postgres

PLANTED_NICKNAME = "备份里的秘密昵称"
PLANTED_PHONE = "13912345678"


def _fingerprint() -> dict[str, tuple[int, ...]]:
    """Row count of every table, and the sum of every money column in it."""
    engine = get_engine()
    found = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            money = [c for c in table.columns if c.name.endswith("_fen")]
            row = conn.execute(select(func.count(), *(func.coalesce(func.sum(c), 0).cast(BigInteger)
                                                      for c in money)).select_from(table)).one()
            found[table.name] = tuple(int(v) for v in row)
    return found


def test_a_backup_is_private_encrypted_and_restores_every_row_and_every_fen(committed, sandbox_url):
    with unit_of_work(committed) as session:
        seed_base(session)
        seed_demo(session)
        user = session.scalar(select(User).order_by(User.id).limit(1))
        user.nickname = PLANTED_NICKNAME
        set_phone(session, user=user, phone=PLANTED_PHONE)
    before = _fingerprint()
    assert before["orders"][0] > 0 and before["commission_records"][0] > 0 and before["wallet_ledger"][0] > 0

    path = make_backup()

    assert stat.S_IMODE(backup_dir().stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.name.endswith(".enc")
    raw = path.read_bytes()
    for secret in (PLANTED_NICKNAME.encode(), PLANTED_PHONE.encode(), b"CREATE TABLE", b"SQLite format"):
        assert secret not in raw
    assert [p.name for p in backup_dir().iterdir() if p.name.startswith(".")] == []  # no plain dump left behind

    with get_engine().begin() as conn:  # damage: lose orders' refunds and change money
        conn.execute(text("UPDATE order_lines SET paid_fen = paid_fen + 1"))
        conn.execute(text("DELETE FROM wallet_ledger"))
    assert _fingerprint() != before

    restore_backup(path)
    assert _fingerprint() == before
    with unit_of_work(committed) as session:
        assert session.scalar(select(User.nickname).where(User.nickname == PLANTED_NICKNAME)) == PLANTED_NICKNAME


def test_a_damaged_cut_or_foreign_snapshot_is_refused():
    data = bytes(range(256)) * (CHUNK // 128 + 3)  # three chunks
    key = bytes(32)
    sealed = b"".join(encrypt_stream(io.BytesIO(data), key))
    assert b"".join(decrypt_stream(io.BytesIO(sealed), key)) == data

    flipped = bytearray(sealed)
    flipped[40] ^= 1
    cut = sealed[: len(sealed) - CHUNK // 2]
    dropped_last = sealed[: 16 + 2 * (4 + CHUNK + 16)]  # whole chunks, but not the last one
    for bad, key_used in ((bytes(flipped), key), (cut, key), (dropped_last, key), (sealed, b"\x01" * 32),
                          (b"not a backup", key)):
        with pytest.raises(BackupError):
            b"".join(decrypt_stream(io.BytesIO(bad), key_used))


def test_the_database_password_goes_in_the_environment_never_on_the_command_line():
    url = make_url("postgresql+psycopg://mall:s3cret-pw@db.internal:6543/shop")
    args, env = pg_command("pg_dump", url, "--format=custom")
    assert not any("s3cret-pw" in a for a in args)
    assert env["PGPASSWORD"] == "s3cret-pw"
    assert args == ["pg_dump", "--format=custom", "--host=db.internal", "--port=6543", "--username=mall",
                    "--dbname=shop"]


@pytest.mark.skipif(not is_postgres(), reason="pg_dump needs PostgreSQL")
def test_pg_dump_runs_with_the_password_in_its_environment(committed, monkeypatch):
    # Trust authentication accepts any password; what matters is that the dump runs and nothing leaks.
    url = make_url(str(get_engine().url.render_as_string(hide_password=False))).set(password="any-pass-1")
    from domain.config import get_config

    monkeypatch.setattr(type(get_config()), "resolved_database_url", property(lambda _: url.render_as_string(
        hide_password=False)))
    path = make_backup()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"any-pass-1" not in path.read_bytes()
    assert inspect(get_engine()).has_table("orders")
