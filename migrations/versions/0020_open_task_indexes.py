"""partial indexes on open tasks by due date, for the overdue lists and their totals

Revision ID: 0020
Revises: 0013
Create Date: 2026-12-01 12:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0013'
branch_labels = None
depends_on = None

OPEN_SQL = "status IN ('not_started', 'in_progress', 'returned')"


def upgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_open_due', ['due_on', 'agency_id', 'item_id', 'id'],
                              unique=False, sqlite_where=sa.text(OPEN_SQL),
                              postgresql_where=sa.text(OPEN_SQL))
        batch_op.create_index('ix_task_open_agency_due', ['agency_id', 'due_on', 'item_id', 'id'],
                              unique=False, sqlite_where=sa.text(OPEN_SQL),
                              postgresql_where=sa.text(OPEN_SQL))


def downgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_open_agency_due')
        batch_op.drop_index('ix_task_open_due')
