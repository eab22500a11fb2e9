"""marketing: coupon templates and user coupons, 满减 and limited-time activities, what orders took from them

New tables only: ``coupon_templates``, ``user_coupons``, ``promotions``, ``promotion_items`` and ``promotion_uses``
(docs/money-and-rules.md, "Marketing"). The downgrade drops them again.

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import domain.models.base

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('coupon_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('value_fen', sa.BigInteger(), nullable=False),
    sa.Column('percent_off_bp', sa.Integer(), nullable=False),
    sa.Column('cap_fen', sa.BigInteger(), nullable=True),
    sa.Column('threshold_fen', sa.BigInteger(), nullable=False),
    sa.Column('product_ids', sa.JSON(), nullable=False),
    sa.Column('category_ids', sa.JSON(), nullable=False),
    sa.Column('valid_from', domain.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('valid_to', domain.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('valid_days', sa.Integer(), nullable=True),
    sa.Column('total_quantity', sa.Integer(), nullable=True),
    sa.Column('per_user_limit', sa.Integer(), nullable=False),
    sa.Column('claimable', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('claimed', sa.Integer(), nullable=False),
    sa.Column('used', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', domain.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', domain.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['staff.id'], name=op.f('fk_coupon_templates_created_by_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coupon_templates'))
    )
    with op.batch_alter_table('coupon_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coupon_templates_status'), ['status'], unique=False)

    op.create_table('promotions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('starts_at', domain.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', domain.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('tiers', sa.JSON(), nullable=False),
    sa.Column('repeat', sa.Boolean(), nullable=False),
    sa.Column('max_off_fen', sa.BigInteger(), nullable=True),
    sa.Column('product_ids', sa.JSON(), nullable=False),
    sa.Column('category_ids', sa.JSON(), nullable=False),
    sa.Column('stack_with_coupon', sa.Boolean(), nullable=False),
    sa.Column('stack_with_others', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', domain.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', domain.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['staff.id'], name=op.f('fk_promotions_created_by_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_promotions'))
    )
    with op.batch_alter_table('promotions', schema=None) as batch_op:
        batch_op.create_index('ix_promotions_kind_status_ends', ['kind', 'status', 'ends_at'], unique=False)

    op.create_table('user_coupons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('valid_from', domain.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('valid_to', domain.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('issued_by', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('claimed_at', domain.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('locked_at', domain.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('used_at', domain.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expired_at', domain.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['issued_by'], ['staff.id'], name=op.f('fk_user_coupons_issued_by_staff')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_user_coupons_order_id_orders')),
    sa.ForeignKeyConstraint(['template_id'], ['coupon_templates.id'], name=op.f('fk_user_coupons_template_id_coupon_templates')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_coupons_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_coupons'))
    )
    with op.batch_alter_table('user_coupons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_coupons_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_user_coupons_status_valid_to', ['status', 'valid_to'], unique=False)
        batch_op.create_index('ix_user_coupons_template_user', ['template_id', 'user_id'], unique=False)
        batch_op.create_index('ix_user_coupons_user_status', ['user_id', 'status'], unique=False)

    op.create_table('promotion_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('promotion_id', sa.Integer(), nullable=False),
    sa.Column('sku_id', sa.Integer(), nullable=False),
    sa.Column('promo_price_fen', sa.BigInteger(), nullable=False),
    sa.Column('activity_stock', sa.Integer(), nullable=False),
    sa.Column('per_user_limit', sa.Integer(), nullable=True),
    sa.Column('sold', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['promotion_id'], ['promotions.id'], name=op.f('fk_promotion_items_promotion_id_promotions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_promotion_items_sku_id_skus')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_promotion_items')),
    sa.UniqueConstraint('promotion_id', 'sku_id', name=op.f('uq_promotion_items_promotion_id_sku_id'))
    )
    with op.batch_alter_table('promotion_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promotion_items_sku_id'), ['sku_id'], unique=False)

    op.create_table('promotion_uses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('promotion_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('sku_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('off_fen', sa.BigInteger(), nullable=False),
    sa.Column('created_at', domain.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_promotion_uses_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['promotion_id'], ['promotions.id'], name=op.f('fk_promotion_uses_promotion_id_promotions')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_promotion_uses_sku_id_skus')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_promotion_uses_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_promotion_uses'))
    )
    with op.batch_alter_table('promotion_uses', schema=None) as batch_op:
        batch_op.create_index('ix_promotion_uses_limit', ['promotion_id', 'sku_id', 'user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_promotion_uses_order_id'), ['order_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('promotion_uses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_promotion_uses_order_id'))
        batch_op.drop_index('ix_promotion_uses_limit')

    op.drop_table('promotion_uses')
    with op.batch_alter_table('promotion_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_promotion_items_sku_id'))

    op.drop_table('promotion_items')
    with op.batch_alter_table('user_coupons', schema=None) as batch_op:
        batch_op.drop_index('ix_user_coupons_user_status')
        batch_op.drop_index('ix_user_coupons_template_user')
        batch_op.drop_index('ix_user_coupons_status_valid_to')
        batch_op.drop_index(batch_op.f('ix_user_coupons_order_id'))

    op.drop_table('user_coupons')
    with op.batch_alter_table('promotions', schema=None) as batch_op:
        batch_op.drop_index('ix_promotions_kind_status_ends')

    op.drop_table('promotions')
    with op.batch_alter_table('coupon_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coupon_templates_status'))

    op.drop_table('coupon_templates')
