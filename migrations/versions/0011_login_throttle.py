"""login_throttle: failed logins per account-and-address and per address, shared by all workers

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa
import models.core.db


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_throttle',
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_start', models.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('blocks', sa.Integer(), nullable=False),
    sa.Column('blocked_until', models.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttle'))
    )


def downgrade():
    op.drop_table('login_throttle')
