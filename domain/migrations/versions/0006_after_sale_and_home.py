"""after_sale_and_home

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import domain.models.base
from domain.security import crypto

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    _upgrade_home()
    _upgrade_after_sale()


def downgrade() -> None:
    _downgrade_after_sale()
    _downgrade_home()


# --- Home: the mini-program home's banner carousel and notices (domain/models/content.py). ---

def _upgrade_home() -> None:
    op.create_table('home_banners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=40), nullable=False),
    sa.Column('image_url', sa.String(length=512), nullable=False),
    sa.Column('link_kind', sa.String(length=16), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_enabled', sa.Boolean(), nullable=False),
    sa.Column('updated_at', domain.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', domain.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_home_banners'))
    )
    op.create_table('home_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=120), nullable=False),
    sa.Column('link_kind', sa.String(length=16), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_enabled', sa.Boolean(), nullable=False),
    sa.Column('updated_at', domain.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', domain.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_home_notices'))
    )


def _downgrade_home() -> None:
    op.drop_table('home_notices')
    op.drop_table('home_banners')


# --- end of Home ---


# --- After-sale and orders: the refund kind, photos and return parcel (domain/models/orders.py, Refund); the order's
# merchant note and the blind index of its receiver's phone, filled in for existing orders. ---

# ``orders`` and ``refunds`` have children: on SQLite their columns are only added and dropped in place (a rebuild
# would drop the old table, and its rows' children with it).
_IN_PLACE = {"recreate": "never"}
_BATCH = 500


def _upgrade_after_sale() -> None:
    with op.batch_alter_table('orders', **_IN_PLACE) as batch_op:
        batch_op.add_column(sa.Column('receiver_phone_bidx', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('merchant_note', sa.String(length=500), nullable=False, server_default=''))
    _index_receiver_phones()
    op.create_index(op.f('ix_orders_receiver_phone_bidx'), 'orders', ['receiver_phone_bidx'], unique=False)
    with op.batch_alter_table('refunds', **_IN_PLACE) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), nullable=False, server_default='refund_only'))
        batch_op.add_column(sa.Column('photos', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('return_carrier', sa.String(length=32), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('return_tracking_no', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('return_shipped_at', domain.models.base.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('goods_received_at', domain.models.base.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('goods_received_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('restock_returned', sa.Boolean(), nullable=False, server_default=sa.false()))


def _index_receiver_phones() -> None:
    """The blind index of every existing order's receiver phone, ``_BATCH`` orders at a time in id order (one read
    and one executemany per batch), so a large table is never held in memory."""
    conn = op.get_bind()
    orders = sa.table('orders', sa.column('id', sa.Integer), sa.column('receiver_phone_enc', sa.Text),
                      sa.column('receiver_phone_bidx', sa.String))
    update = (orders.update().where(orders.c.id == sa.bindparam('row_id'))
              .values(receiver_phone_bidx=sa.bindparam('bidx')))
    last = 0
    while True:
        rows = conn.execute(sa.select(orders.c.id, orders.c.receiver_phone_enc).where(orders.c.id > last)
                            .order_by(orders.c.id).limit(_BATCH)).all()
        if not rows:
            return
        conn.execute(update, [{'row_id': row.id, 'bidx': _phone_bidx(row.receiver_phone_enc)} for row in rows])
        last = rows[-1].id


def _phone_bidx(ciphertext: str | None) -> str:
    phone = crypto.decrypt_optional(ciphertext) or ''
    return crypto.phone_index(phone) if phone else ''


def _downgrade_after_sale() -> None:
    with op.batch_alter_table('refunds', **_IN_PLACE) as batch_op:
        for name in ('restock_returned', 'goods_received_by', 'goods_received_at', 'return_shipped_at',
                     'return_tracking_no', 'return_carrier', 'photos', 'kind'):
            batch_op.drop_column(name)
    op.drop_index(op.f('ix_orders_receiver_phone_bidx'), table_name='orders')
    with op.batch_alter_table('orders', **_IN_PLACE) as batch_op:
        batch_op.drop_column('merchant_note')
        batch_op.drop_column('receiver_phone_bidx')


# --- end of After-sale ---
