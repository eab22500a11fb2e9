"""wechat_pay_v3: withdrawals wait for the distributor's 确认收款 of a 商家转账 bill

- ``withdrawals.status`` widens from 16 to 24 characters for ``awaiting_confirmation``;
- ``withdrawals.transfer_package`` keeps the bill's ``package_info`` for ``wx.requestMerchantTransfer``.

The downgrade puts a withdrawal still awaiting confirmation back to ``approved`` (a v2 approval's "outcome
unclear", which finance retries with the same number) before the column narrows again.

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('withdrawals', recreate='never') as batch_op:
        batch_op.add_column(sa.Column('transfer_package', sa.Text(), nullable=True))
    _status_length(16, 24)


def downgrade() -> None:
    withdrawals = sa.table('withdrawals', sa.column('status', sa.String))
    op.execute(withdrawals.update().where(withdrawals.c.status == 'awaiting_confirmation')
               .values(status='approved'))
    _status_length(24, 16)
    with op.batch_alter_table('withdrawals', recreate='never') as batch_op:
        batch_op.drop_column('transfer_package')


def _status_length(old: int, new: int) -> None:
    if op.get_bind().dialect.name != 'sqlite':
        op.alter_column('withdrawals', 'status', existing_type=sa.String(length=old), type_=sa.String(length=new),
                        existing_nullable=False)
        return
    # SQLite stores text whatever the declared length, so only the declaration changes. Rebuilding the table (what
    # a batch operation would do) drops it first, which wallet_entries' foreign key refuses while foreign keys are
    # on; SQLite documents editing the schema text in place for changes that leave the stored rows as they are
    # ("Making Other Kinds Of Table Schema Changes", https://www.sqlite.org/lang_altertable.html).
    bind = op.get_bind()
    version = bind.exec_driver_sql('PRAGMA schema_version').scalar()
    bind.exec_driver_sql('PRAGMA writable_schema=ON')
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = replace(sql, 'status VARCHAR(%d)', 'status VARCHAR(%d)') "
        "WHERE type = 'table' AND name = 'withdrawals'" % (old, new))
    bind.exec_driver_sql(f'PRAGMA schema_version={version + 1}')
    bind.exec_driver_sql('PRAGMA writable_schema=OFF')
