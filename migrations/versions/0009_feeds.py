"""calendar feed tokens; task index by item and due date for period figures

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 09:30:00
"""
from alembic import op
import sqlalchemy as sa
import models.core.db


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feed_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', models.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', models.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_feed_token_agency_id_agency')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_feed_token_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_feed_token_token_hash'))
    )
    with op.batch_alter_table('feed_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_token_user_id'), ['user_id'], unique=False)
    # a period's figures read a plan's items over a span of due dates; with these columns
    # included PostgreSQL answers from the index alone
    op.create_index('ix_task_item_due', 'task', ['item_id', 'due_on'],
                    postgresql_include=['agency_id', 'status', 'late'])


def downgrade():
    op.drop_index('ix_task_item_due', table_name='task')
    with op.batch_alter_table('feed_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_token_user_id'))
    op.drop_table('feed_token')
