"""analytics

Revision ID: 0008
Revises: 0007

Risk signals, distributors whose withdrawals are on review and the blind indexes of orders' addresses
(domain/models/analytics.py); a withdrawal's second approval (``second_approval_required``, ``first_approved_by``,
``first_approved_at``); and the indexes that keep the workbench's figures within their targets on a million orders
(bench/analytics.py). Fingerprints of existing orders are written by the risk scan as it goes, not here.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import domain.models.base

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# ``withdrawals`` has children (ledger entries): on SQLite its columns are only added and dropped in place.
IN_PLACE = {"recreate": "never"}


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


def downgrade() -> None:
    with op.batch_alter_table('withdrawals', **IN_PLACE) as batch_op:
        batch_op.drop_column('first_approved_at')
        batch_op.drop_column('first_approved_by')
        batch_op.drop_column('second_approval_required')
    op.drop_table('order_fingerprints')
    op.drop_table('withdrawal_reviews')
    op.drop_table('risk_signals')
