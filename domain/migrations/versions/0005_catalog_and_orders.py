"""catalog_and_orders

Catalog: a product's detail rich text; per SKU an original (struck-through) price, a cost price and an image.
The audit log gets an index for reading it in time order.

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# ``products`` and ``skus`` have children (SKUs, order lines, cart lines): on SQLite a rebuilt table would be
# dropped first, and its children's rows with it. Columns are only added (nullable, or NOT NULL with a default,
# which SQLite adds in place) and dropped (in place since SQLite 3.35): never recreate.
IN_PLACE = {"recreate": "never"}


def upgrade() -> None:
    _upgrade_catalog()


def downgrade() -> None:
    _downgrade_catalog()


# --- Catalog (domain/models/catalog.py) and the audit log's time order. ---

def _upgrade_catalog() -> None:
    with op.batch_alter_table('products', **IN_PLACE) as batch_op:
        batch_op.add_column(sa.Column('detail_html', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('skus', **IN_PLACE) as batch_op:
        batch_op.add_column(sa.Column('original_price_fen', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('cost_price_fen', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('image', sa.String(length=512), nullable=False, server_default=''))
    op.create_index('ix_audit_log_created', 'audit_log', ['created_at', 'id'], unique=False)


def _downgrade_catalog() -> None:
    op.drop_index('ix_audit_log_created', table_name='audit_log')
    with op.batch_alter_table('skus', **IN_PLACE) as batch_op:
        batch_op.drop_column('image')
        batch_op.drop_column('cost_price_fen')
        batch_op.drop_column('original_price_fen')
    with op.batch_alter_table('products', **IN_PLACE) as batch_op:
        batch_op.drop_column('detail_html')


# --- end of Catalog ---
