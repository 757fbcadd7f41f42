"""chase chain and daily digest: a notification's digest key, a user's immediate kinds

Revision ID: 0007
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0011'  # main's 0010 and 0011 landed first: applied after them
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification') as batch:
        batch.add_column(sa.Column('digest_key', sa.String(length=200), nullable=True))
        batch.create_index(op.f('ix_notification_digest_key'), ['digest_key'])
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('notify_immediate', sa.JSON(), nullable=False,
                                   server_default='[]'))


def downgrade():
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('notify_immediate')
    with op.batch_alter_table('notification') as batch:
        batch.drop_index(op.f('ix_notification_digest_key'))
        batch.drop_column('digest_key')
