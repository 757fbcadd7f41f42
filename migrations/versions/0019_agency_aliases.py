"""agency_aliases: other names agencies and groups go by in documents (plan drafting)

Revision ID: 0019
Revises: 0020
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agency') as batch:
        batch.add_column(sa.Column('aliases', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('agency_group') as batch:
        batch.add_column(sa.Column('aliases', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('agency_group') as batch:
        batch.drop_column('aliases')
    with op.batch_alter_table('agency') as batch:
        batch.drop_column('aliases')
