"""channels people fill in, server settings, secrets encrypted, outbox rows without URLs

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 09:30:00

Existing target URLs are encrypted with the key outside the database
(models.notify.secrets: PLANWATCH_SECRETS_KEY or $PLANWATCH_HOME/secrets.key) and the outbox's
copies of them are dropped: queued rows are sent to their target, by id.
"""
from alembic import op
import sqlalchemy as sa
import models.core.db


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    from models.notify.channels import shown
    from models.notify.secrets import encrypt

    op.create_table('server_setting',
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('secret', sa.Text(), nullable=True),
    sa.Column('updated_at', models.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_server_setting'))
    )
    with op.batch_alter_table('notification_target', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=16), nullable=False,
                                      server_default='apprise'))
        batch_op.add_column(sa.Column('address', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('secret', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('removed_at', models.core.db.UTCDateTime(timezone=True),
                                      nullable=True))

    conn = op.get_bind()
    target = sa.table('notification_target', sa.column('id', sa.Integer),
                      sa.column('url', sa.Text), sa.column('address', sa.Text),
                      sa.column('secret', sa.Text))
    for target_id, url in conn.execute(sa.select(target.c.id, target.c.url)).all():
        conn.execute(sa.update(target).where(target.c.id == target_id).values(
            address=shown(url), secret=encrypt(url)))

    # plain DROP COLUMN (SQLite >= 3.35 has it): a batch "recreate" of notification_target
    # would drop the table, and ON DELETE SET NULL would blank every outbox row's target_id
    op.execute('ALTER TABLE notification_target DROP COLUMN url')
    op.execute('ALTER TABLE notification DROP COLUMN target')


def downgrade():
    from models.notify.secrets import decrypt

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('notification_target', schema=None) as batch_op:
        batch_op.add_column(sa.Column('url', sa.Text(), nullable=False, server_default=''))
    conn = op.get_bind()
    target = sa.table('notification_target', sa.column('id', sa.Integer),
                      sa.column('url', sa.Text), sa.column('secret', sa.Text))
    for target_id, secret in conn.execute(sa.select(target.c.id, target.c.secret)).all():
        if secret:
            conn.execute(sa.update(target).where(target.c.id == target_id).values(
                url=decrypt(secret)))
    for column in ('removed_at', 'secret', 'address', 'channel'):
        op.execute(f'ALTER TABLE notification_target DROP COLUMN {column}')
    op.drop_table('server_setting')
