"""settlement_indexes

Revision ID: 0010
Revises: 0009

What settling a commission record costs (bench/settle.py): every settled record's UPDATE writes a new row version
into every full index of ``commission_records`` (the status index's changes keep it from being a HOT update). Two of
them no settled record needs:

- ``(status, order_id)`` becomes ``(order_id) WHERE status = 'frozen'``: the settlement job's scan (and a list of
  frozen records) reads frozen records only, and a record leaves the index when it settles, so the settling UPDATE
  writes nothing into it. Records by order are still found through ``ix_commission_records_order_id``.
- ``buyer_id``'s own index goes: no query looks records up by their buyer (the risk scan groups them all).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

FROZEN = sa.text("status = 'frozen'")


def upgrade() -> None:
    op.create_index('ix_commission_records_frozen', 'commission_records', ['order_id'], unique=False,
                    postgresql_where=FROZEN, sqlite_where=FROZEN)
    op.drop_index('ix_commission_records_status_order', table_name='commission_records')
    op.drop_index('ix_commission_records_buyer_id', table_name='commission_records')


def downgrade() -> None:
    op.create_index('ix_commission_records_buyer_id', 'commission_records', ['buyer_id'], unique=False)
    op.create_index('ix_commission_records_status_order', 'commission_records', ['status', 'order_id'], unique=False)
    op.drop_index('ix_commission_records_frozen', table_name='commission_records',
                  postgresql_where=FROZEN, sqlite_where=FROZEN)
