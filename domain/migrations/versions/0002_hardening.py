"""hardening: street addresses encrypted at rest; stray payments' refunds retried

- ``addresses.detail`` becomes ``detail_enc``, encrypted like the receiver's name and phone.
- ``orders.receiver_address`` becomes the region in clear (``receiver_province``, ``receiver_city``,
  ``receiver_district``) and the street encrypted (``receiver_street_enc``). The old text cannot be split back
  into region and street, so an existing order keeps its whole address, encrypted, in the street, and an empty
  region; it reads back exactly as before.
- ``payments`` gets ``refund_attempts``, ``refund_error`` and ``refund_retry_at`` for the automatic refund of a
  payment that arrived for a cancelled order; orphaned payments already there are retried at once.

The downgrade decrypts back into the plain columns.

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from domain import clock
from domain.models.base import UTCDateTime
from domain.security import crypto

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

BATCH = 500

# On SQLite a batch operation that must rebuild ``orders`` would drop the old table, and with foreign keys on that
# first deletes its rows, which cascades to the order lines. So ``orders`` only ever gets columns added (NOT NULL
# with a '' default, which SQLite adds in place) and dropped (ALTER TABLE … DROP COLUMN, in place since 3.35):
# ``recreate="never"``. ``addresses`` and ``payments`` have no children and may be rebuilt.
IN_PLACE = {"recreate": "never"}


def upgrade() -> None:
    with op.batch_alter_table('addresses') as batch_op:
        batch_op.add_column(sa.Column('detail_enc', sa.Text(), nullable=True))
    _convert('addresses', 'detail', 'detail_enc', lambda row: crypto.encrypt(row.detail))
    with op.batch_alter_table('addresses') as batch_op:
        batch_op.alter_column('detail_enc', existing_type=sa.Text(), nullable=False)
        batch_op.drop_column('detail')

    with op.batch_alter_table('orders', **IN_PLACE) as batch_op:
        for name in ('receiver_province', 'receiver_city', 'receiver_district'):
            batch_op.add_column(sa.Column(name, sa.String(length=32), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('receiver_street_enc', sa.Text(), nullable=False, server_default=''))
    _convert('orders', 'receiver_address', 'receiver_street_enc', lambda row: crypto.encrypt(row.receiver_address))
    with op.batch_alter_table('orders', **IN_PLACE) as batch_op:
        batch_op.drop_column('receiver_address')

    with op.batch_alter_table('payments') as batch_op:
        batch_op.add_column(sa.Column('refund_attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('refund_error', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('refund_retry_at', UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_payments_refund_retry_at'), ['refund_retry_at'], unique=False)
    payments = sa.table('payments', sa.column('status', sa.String), sa.column('refund_retry_at', UTCDateTime()))
    op.execute(payments.update().where(payments.c.status == 'orphaned').values(refund_retry_at=clock.now()))


def downgrade() -> None:
    with op.batch_alter_table('payments') as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_refund_retry_at'))
        batch_op.drop_column('refund_retry_at')
        batch_op.drop_column('refund_error')
        batch_op.drop_column('refund_attempts')

    with op.batch_alter_table('orders', **IN_PLACE) as batch_op:
        batch_op.add_column(sa.Column('receiver_address', sa.String(length=300), nullable=False, server_default=''))
    _convert('orders', 'receiver_street_enc', 'receiver_address', lambda row: (
        row.receiver_province + row.receiver_city + row.receiver_district
        + crypto.decrypt(row.receiver_street_enc))[:300],
        also=('receiver_province', 'receiver_city', 'receiver_district'))
    with op.batch_alter_table('orders', **IN_PLACE) as batch_op:
        for name in ('receiver_street_enc', 'receiver_district', 'receiver_city', 'receiver_province'):
            batch_op.drop_column(name)

    with op.batch_alter_table('addresses') as batch_op:
        batch_op.add_column(sa.Column('detail', sa.String(length=200), nullable=True))
    _convert('addresses', 'detail_enc', 'detail', lambda row: crypto.decrypt(row.detail_enc)[:200])
    with op.batch_alter_table('addresses') as batch_op:
        batch_op.alter_column('detail', existing_type=sa.String(length=200), nullable=False)
        batch_op.drop_column('detail_enc')


def _convert(table: str, source: str, target: str, convert, also: tuple[str, ...] = ()) -> None:
    """Fill ``target`` from ``source`` for every row, ``BATCH`` rows at a time in id order (one read and one
    executemany per batch), so a large table is never held in memory."""
    conn = op.get_bind()
    t = sa.table(table, sa.column('id', sa.Integer), sa.column(source, sa.Text), sa.column(target, sa.Text),
                 *(sa.column(name, sa.String) for name in also))
    update = t.update().where(t.c.id == sa.bindparam('row_id')).values({target: sa.bindparam('value')})
    last = 0
    while True:
        rows = conn.execute(sa.select(t.c.id, t.c[source], *(t.c[name] for name in also))
                            .where(t.c.id > last).order_by(t.c.id).limit(BATCH)).all()
        if not rows:
            return
        conn.execute(update, [{'row_id': row.id, 'value': convert(row)} for row in rows])
        last = rows[-1].id
