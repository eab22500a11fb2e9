"""members

Revision ID: 0007
Revises: 0006

The growth ledger, check-ins, shares and their visits, share rewards (domain/models/members.py); level benefits;
``users.growth`` and ``users.member_level_id`` in place of ``order_growth`` and ``activity_growth``.

Existing growth moves into the ledger as opening entries: one ``order_completed`` entry per completed order (one
point per whole yuan of its net goods, as from now on, so that a later refund takes back what that order gave),
and one ``adjustment`` ("期初成长值") for the activity growth and for whatever the old total counted beyond those
entries (it floored the sum of all orders rather than each order), so that nobody's growth goes down. Then each
user's growth is the ledger's sum and their level what it reaches — set-based statements, whatever the number of
users. The downgrade gives the order entries back to ``order_growth`` and the rest to ``activity_growth``.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import domain.models.base
from domain import clock

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# ``users`` has children (tokens, orders, …): on SQLite a rebuilt table is dropped first, and its children's rows
# with it. Columns are only added (nullable, or NOT NULL with a default, which SQLite adds in place) and dropped
# (in place since SQLite 3.35): never recreate.
IN_PLACE = {"recreate": "never"}
OPENING = '期初成长值（迁移前的订单与活动成长值）'

_ORDER_ENTRIES = sa.text("""
INSERT INTO growth_entries (user_id, kind, points, ref, key, order_id, reason, created_at)
SELECT o.user_id, 'order_completed', CAST(SUM(l.paid_fen - l.refunded_fen) AS BIGINT) / 100, o.order_no,
       'order:' || CAST(o.id AS VARCHAR(20)), o.id, '', COALESCE(o.completed_at, o.created_at)
FROM orders o JOIN order_lines l ON l.order_id = o.id
WHERE o.status = 'completed'
GROUP BY o.id, o.user_id, o.order_no, o.completed_at, o.created_at
HAVING SUM(l.paid_fen - l.refunded_fen) >= 100
""")
_OPENING_ENTRIES = sa.text("""
INSERT INTO growth_entries (user_id, kind, points, reason, created_at)
SELECT u.id, 'adjustment', u.activity_growth + (CASE WHEN u.order_growth > g.points THEN u.order_growth - g.points
                                                     ELSE 0 END), :reason, :now
FROM users u JOIN (SELECT u2.id AS user_id, COALESCE(SUM(e.points), 0) AS points
                   FROM users u2 LEFT JOIN growth_entries e ON e.user_id = u2.id GROUP BY u2.id) g ON g.user_id = u.id
WHERE u.activity_growth + (CASE WHEN u.order_growth > g.points THEN u.order_growth - g.points ELSE 0 END) > 0
""").bindparams(sa.bindparam("now", type_=domain.models.base.UTCDateTime()))
_GROWTH = sa.text("""
UPDATE users SET growth = (SELECT COALESCE(SUM(e.points), 0) FROM growth_entries e WHERE e.user_id = users.id)
""")
_LEVELS = sa.text("""
UPDATE users SET member_level_id = (SELECT l.id FROM member_levels l WHERE l.growth_threshold <= users.growth
                                    ORDER BY l.growth_threshold DESC LIMIT 1)
""")
_BACK = sa.text("""
UPDATE users SET
  order_growth = (SELECT COALESCE(SUM(e.points), 0) FROM growth_entries e
                  WHERE e.user_id = users.id AND e.kind IN ('order_completed', 'order_refunded')),
  activity_growth = (SELECT COALESCE(SUM(e.points), 0) FROM growth_entries e
                     WHERE e.user_id = users.id AND e.kind NOT IN ('order_completed', 'order_refunded'))
""")


def upgrade() -> None:
    _create_tables()
    with op.batch_alter_table('member_levels', **IN_PLACE) as batch_op:
        batch_op.add_column(sa.Column('benefits', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('users', **IN_PLACE) as batch_op:
        batch_op.add_column(sa.Column('growth', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('member_level_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_member_level_id'), ['member_level_id'], unique=False)
    bind = op.get_bind()
    bind.execute(_ORDER_ENTRIES)
    bind.execute(_OPENING_ENTRIES, {"reason": OPENING, "now": clock.now()})
    bind.execute(_GROWTH)
    bind.execute(_LEVELS)
    with op.batch_alter_table('users', **IN_PLACE) as batch_op:
        batch_op.drop_column('order_growth')
        batch_op.drop_column('activity_growth')


def downgrade() -> None:
    with op.batch_alter_table('users', **IN_PLACE) as batch_op:
        batch_op.add_column(sa.Column('order_growth', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('activity_growth', sa.Integer(), nullable=False, server_default='0'))
    op.get_bind().execute(_BACK)
    with op.batch_alter_table('users', **IN_PLACE) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_member_level_id'))
        batch_op.drop_column('member_level_id')
        batch_op.drop_column('growth')
    with op.batch_alter_table('member_levels', **IN_PLACE) as batch_op:
        batch_op.drop_column('benefits')
    for table in ('share_rewards', 'share_visits', 'shares', 'check_ins', 'growth_entries'):
        op.drop_table(table)


def _create_tables() -> None:
    op.create_table('growth_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=True),
    sa.Column('key', sa.String(length=48), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', domain.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_growth_entries_order_id_orders')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_growth_entries_staff_id_staff')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_growth_entries_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_growth_entries')),
    sa.UniqueConstraint('key', name=op.f('uq_growth_entries_key'))
    )
    op.create_index(op.f('ix_growth_entries_order_id'), 'growth_entries', ['order_id'], unique=False)
    op.create_index('ix_growth_entries_user_id_id', 'growth_entries', ['user_id', 'id'], unique=False)
    op.create_table('check_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('streak', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('created_at', domain.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_check_ins_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_ins')),
    sa.UniqueConstraint('user_id', 'day', name=op.f('uq_check_ins_user_id_day'))
    )
    op.create_table('shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=16), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('created_at', domain.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_shares_product_id_products')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_shares_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shares'))
    )
    op.create_index('ix_shares_created_at', 'shares', ['created_at'], unique=False)
    op.create_index(op.f('ix_shares_user_id'), 'shares', ['user_id'], unique=False)
    op.create_table('share_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('share_id', sa.Integer(), nullable=False),
    sa.Column('visitor_id', sa.Integer(), nullable=False),
    sa.Column('created_at', domain.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['share_id'], ['shares.id'], name=op.f('fk_share_visits_share_id_shares')),
    sa.ForeignKeyConstraint(['visitor_id'], ['users.id'], name=op.f('fk_share_visits_visitor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_visits')),
    sa.UniqueConstraint('share_id', 'visitor_id', name=op.f('uq_share_visits_share_id_visitor_id'))
    )
    op.create_index(op.f('ix_share_visits_visitor_id'), 'share_visits', ['visitor_id'], unique=False)
    op.create_table('share_rewards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inviter_id', sa.Integer(), nullable=False),
    sa.Column('invitee_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('points', sa.Integer(), nullable=True),
    sa.Column('coupon_template_id', sa.Integer(), nullable=True),
    sa.Column('user_coupon_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reward_day', sa.Date(), nullable=False),
    sa.Column('failure', sa.String(length=200), nullable=False),
    sa.Column('granted_at', domain.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', domain.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', domain.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['coupon_template_id'], ['coupon_templates.id'],
                            name=op.f('fk_share_rewards_coupon_template_id_coupon_templates')),
    sa.ForeignKeyConstraint(['invitee_id'], ['users.id'], name=op.f('fk_share_rewards_invitee_id_users')),
    sa.ForeignKeyConstraint(['inviter_id'], ['users.id'], name=op.f('fk_share_rewards_inviter_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_share_rewards_order_id_orders')),
    sa.ForeignKeyConstraint(['user_coupon_id'], ['user_coupons.id'],
                            name=op.f('fk_share_rewards_user_coupon_id_user_coupons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_rewards')),
    sa.UniqueConstraint('invitee_id', name=op.f('uq_share_rewards_invitee_id')),
    sa.UniqueConstraint('order_id', name=op.f('uq_share_rewards_order_id'))
    )
    op.create_index('ix_share_rewards_inviter_id_reward_day', 'share_rewards', ['inviter_id', 'reward_day'],
                    unique=False)
    op.create_index(op.f('ix_share_rewards_status'), 'share_rewards', ['status'], unique=False)
