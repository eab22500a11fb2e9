"""analytics

Revision ID: 0008
Revises: 0007

Risk signals, distributors whose withdrawals are on review and the blind indexes of orders' addresses
(domain/models/analytics.py); a withdrawal's second approval (``second_approval_required``, ``first_approved_by``,
``first_approved_at``); and what keeps the workbench's figures within their targets on a million orders
(bench/analytics.py): order lines and commission records carry their order's payment time (and whether the line
earned commission, whether the record's rate was the product's own), indexed, so that a range reads one table
without joins. Existing rows are filled in batches. Fingerprints of existing orders are written by the risk scan as
it goes, not here.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import domain.models.base

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# ``withdrawals``, ``order_lines`` and ``commission_records`` have children: on SQLite their columns are only added
# and dropped in place.
IN_PLACE = {"recreate": "never"}
BATCH = 50_000
_LINES = sa.text("""
UPDATE order_lines SET
  paid_at = (SELECT o.paid_at FROM orders o WHERE o.id = order_lines.order_id),
  earns_commission = EXISTS (SELECT 1 FROM commission_records c WHERE c.order_line_id = order_lines.id)
WHERE id >= :first AND id < :last
""")
_RECORDS = sa.text("""
UPDATE commission_records SET
  paid_at = (SELECT o.paid_at FROM orders o WHERE o.id = commission_records.order_id),
  own_rates = COALESCE((SELECT p.commission_level1_bp IS NOT NULL AND p.commission_level2_bp IS NOT NULL
                        FROM order_lines l JOIN products p ON p.id = l.product_id
                        WHERE l.id = commission_records.order_line_id), false)
WHERE id >= :first AND id < :last
""")


def _in_batches(statement, table: str) -> None:
    bind = op.get_bind()
    last = bind.scalar(sa.text(f"SELECT max(id) FROM {table}")) or 0
    for first in range(1, last + 1, BATCH):
        bind.execute(statement, {"first": first, "last": first + BATCH})


def upgrade() -> None:
    op.create_table('risk_signals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('distributor_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=96), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=24), nullable=True),
    sa.Column('review_note', sa.String(length=200), nullable=False),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', domain.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', domain.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['distributor_id'], ['users.id'], name=op.f('fk_risk_signals_distributor_id_users')),
    sa.ForeignKeyConstraint(['reviewed_by'], ['staff.id'], name=op.f('fk_risk_signals_reviewed_by_staff')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_risk_signals_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_signals')),
    sa.UniqueConstraint('key', name=op.f('uq_risk_signals_key'))
    )
    op.create_index(op.f('ix_risk_signals_distributor_id'), 'risk_signals', ['distributor_id'], unique=False)
    op.create_index('ix_risk_signals_status_id', 'risk_signals', ['status', 'id'], unique=False)
    op.create_table('withdrawal_reviews',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('signal_id', sa.Integer(), nullable=True),
    sa.Column('placed_by', sa.Integer(), nullable=True),
    sa.Column('created_at', domain.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['placed_by'], ['staff.id'], name=op.f('fk_withdrawal_reviews_placed_by_staff')),
    sa.ForeignKeyConstraint(['signal_id'], ['risk_signals.id'],
                            name=op.f('fk_withdrawal_reviews_signal_id_risk_signals')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_withdrawal_reviews_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_withdrawal_reviews'))
    )
    op.create_table('order_fingerprints',
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('address_bidx', sa.String(length=64), nullable=False),
    sa.Column('phone_bidx', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_fingerprints_order_id_orders'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_order_fingerprints_user_id_users')),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_order_fingerprints'))
    )
    op.create_index(op.f('ix_order_fingerprints_address_bidx'), 'order_fingerprints', ['address_bidx'], unique=False)
    op.create_index(op.f('ix_order_fingerprints_phone_bidx'), 'order_fingerprints', ['phone_bidx'], unique=False)
    op.create_index(op.f('ix_order_fingerprints_user_id'), 'order_fingerprints', ['user_id'], unique=False)
    with op.batch_alter_table('withdrawals', **IN_PLACE) as batch_op:
        batch_op.add_column(sa.Column('second_approval_required', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('first_approved_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('first_approved_at', domain.models.base.UTCDateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('order_lines', **IN_PLACE) as batch_op:
        batch_op.add_column(sa.Column('paid_at', domain.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('earns_commission', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('commission_records', **IN_PLACE) as batch_op:
        batch_op.add_column(sa.Column('paid_at', domain.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('own_rates', sa.Boolean(), nullable=False, server_default=sa.false()))
    _in_batches(_LINES, 'order_lines')
    _in_batches(_RECORDS, 'commission_records')
    op.create_index(op.f('ix_order_lines_paid_at'), 'order_lines', ['paid_at'], unique=False)
    op.create_index(op.f('ix_commission_records_paid_at'), 'commission_records', ['paid_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_commission_records_paid_at'), table_name='commission_records')
    op.drop_index(op.f('ix_order_lines_paid_at'), table_name='order_lines')
    with op.batch_alter_table('commission_records', **IN_PLACE) as batch_op:
        batch_op.drop_column('own_rates')
        batch_op.drop_column('paid_at')
    with op.batch_alter_table('order_lines', **IN_PLACE) as batch_op:
        batch_op.drop_column('earns_commission')
        batch_op.drop_column('paid_at')
    with op.batch_alter_table('withdrawals', **IN_PLACE) as batch_op:
        batch_op.drop_column('first_approved_at')
        batch_op.drop_column('first_approved_by')
        batch_op.drop_column('second_approval_required')
    op.drop_table('order_fingerprints')
    op.drop_table('withdrawal_reviews')
    op.drop_table('risk_signals')
