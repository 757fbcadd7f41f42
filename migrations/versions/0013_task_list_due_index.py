"""every task by due date: the lists' and exports' default order starts streaming at once

Revision ID: 0013
Revises: 0009
Create Date: 2026-12-01 12:20:00
"""
from alembic import op


revision = '0013'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    # the drill-down, the API's GET /tasks and the exports sort by (due_on, agency, item, id):
    # with due_on indexed PostgreSQL sorts one due day at a time (incremental sort) instead of
    # sorting every task before the first row; not partial (closed tasks are listed too)
    op.create_index('ix_task_list_due', 'task', ['due_on'])


def downgrade():
    op.drop_index('ix_task_list_due', table_name='task')
