"""task index covering the dashboard's figures

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 22:30:00
"""
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    # the dashboard counts a plan's tasks per (agency, item) by status, due day and lateness;
    # with these columns included PostgreSQL answers from the index alone
    op.create_index('ix_task_item_agency_cover', 'task', ['item_id', 'agency_id'],
                    postgresql_include=['status', 'due_on', 'late'])


def downgrade():
    op.drop_index('ix_task_item_agency_cover', table_name='task')
