"""analytics_lines

Revision ID: 0009
Revises: 0008

Two facts an order line is written with and never changes, so that the workbench reads a year of lines without a
join or a DISTINCT (bench/analytics.py): ``buyer_id``, the order's user (refund rates by distributor's team group
lines by buyer), and ``first_of_product``, whether the line is its order's first of its product (orders per
product are counted as those lines). Existing rows are filled in batches.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

IN_PLACE = {"recreate": "never"}  # order_lines has children: on SQLite its columns are only added in place
BATCH = 50_000
_FILL = sa.text("""
UPDATE order_lines SET
  buyer_id = (SELECT o.user_id FROM orders o WHERE o.id = order_lines.order_id),
  first_of_product = NOT EXISTS (SELECT 1 FROM order_lines e WHERE e.order_id = order_lines.order_id
                                 AND e.product_id = order_lines.product_id AND e.line_no < order_lines.line_no)
WHERE id >= :first AND id < :last
""")


def upgrade() -> None:
    with op.batch_alter_table('order_lines', **IN_PLACE) as batch_op:
        # SQLite adds a NOT NULL column in place only with a default; PostgreSQL drops it once the rows are filled,
        # so that a line written without its buyer is refused.
        batch_op.add_column(sa.Column('buyer_id', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('first_of_product', sa.Boolean(), nullable=False, server_default=sa.true()))
    bind = op.get_bind()
    last = bind.scalar(sa.text("SELECT max(id) FROM order_lines")) or 0
    for first in range(1, last + 1, BATCH):
        bind.execute(_FILL, {"first": first, "last": first + BATCH})
    if bind.dialect.name == "postgresql":
        op.alter_column('order_lines', 'buyer_id', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('order_lines', **IN_PLACE) as batch_op:
        batch_op.drop_column('first_of_product')
        batch_op.drop_column('buyer_id')
