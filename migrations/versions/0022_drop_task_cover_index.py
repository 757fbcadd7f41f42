"""drop the task index that repeated ix_task_item_due: one index fewer to write per task change

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 23:35:00
"""
from alembic import op


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    # ix_task_item_due (item_id, due_on) INCLUDE (agency_id, status, late) holds the same
    # columns: the dashboard's grouped pass over a plan's tasks reads it alone as it read this
    # one (the same 2,277 buffers at 1M tasks); an officer's (item, agency) goes by the unique
    # (item_id, agency_id, period_start) index. Every task insert and every non-HOT update
    # (a status change) wrote one entry here for nothing: 55 MB at 1M tasks.
    op.drop_index('ix_task_item_agency_cover', table_name='task')


def downgrade():
    op.create_index('ix_task_item_agency_cover', 'task', ['item_id', 'agency_id'],
                    postgresql_include=['status', 'due_on', 'late'])
