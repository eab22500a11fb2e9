"""after_sale_and_home

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import domain.models.base

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    _upgrade_home()


def downgrade() -> None:
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
