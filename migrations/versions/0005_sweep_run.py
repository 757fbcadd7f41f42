"""sweep_run: the deadline sweep's per-day marker of rungs already written

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa
import models.core.db


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sweep_run',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('rung_key', sa.String(length=64), nullable=False),
    sa.Column('audit_mark', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('swept_at', models.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('day', 'rung_key', name=op.f('pk_sweep_run'))
    )


def downgrade():
    op.drop_table('sweep_run')
