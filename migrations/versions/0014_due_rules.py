"""due rules: the plan's roll direction, an item's first period, a task's data period and event

Revision ID: 0014
Revises: 0009
Create Date: 2026-12-01 12:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_roll', sa.String(length=8), nullable=False,
                                      server_default='forward'))
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_period', sa.String(length=16), nullable=True))
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('data_to', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('event_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_column('event_on')
        batch_op.drop_column('data_to')
        batch_op.drop_column('data_from')
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.drop_column('first_period')
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_column('due_roll')
