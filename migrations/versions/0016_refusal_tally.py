"""refusal_tally: anonymous refused requests counted per address and minute

Revision ID: 0016
Revises: 0020
"""
from alembic import op
import sqlalchemy as sa
import models.core.db


revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('refusal_tally',
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('minute', models.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('address', 'minute', name=op.f('pk_refusal_tally'))
    )


def downgrade():
    op.drop_table('refusal_tally')
