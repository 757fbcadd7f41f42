"""agencies come and go: active_from / active_to, codes unique within a namespace (province);
calendar overrides remember the file they came from

Revision ID: 0015
Revises: 0019
Create Date: 2026-12-01 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0016'
branch_labels = None
depends_on = None


def _sqlite_foreign_keys(on: bool) -> None:
    """SQLite changes a unique constraint by copying the table and dropping the old one; with
    foreign keys on, that drop would delete every row referencing an agency (ON DELETE
    CASCADE: channels, group members) or fail (tasks, users). Alembic's recipe: foreign keys
    off around the copy. The pragma is ignored inside a transaction, so the migrations run
    before this one are committed first."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return
    raw = bind.connection.dbapi_connection
    if raw.in_transaction:
        raw.commit()
    raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _copy_tables(change) -> None:
    _sqlite_foreign_keys(False)
    try:
        change()
        bind = op.get_bind()
        if bind.dialect.name == 'sqlite':
            broken = bind.exec_driver_sql('PRAGMA foreign_key_check').fetchall()
            if broken:
                raise RuntimeError(f'foreign keys broken by the table copy: {broken[:5]}')
    finally:
        _sqlite_foreign_keys(True)


def upgrade():
    _copy_tables(_upgrade)


def downgrade():
    _copy_tables(_downgrade)


def _upgrade():
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.add_column(sa.Column('namespace', sa.String(length=32), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('active_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('active_to', sa.Date(), nullable=True))
        batch_op.drop_constraint('uq_agency_code', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_agency_namespace_code'),
                                          ['namespace', 'code'])
    with op.batch_alter_table('agency_group', schema=None) as batch_op:
        batch_op.add_column(sa.Column('namespace', sa.String(length=32), nullable=False,
                                      server_default=''))
        batch_op.drop_constraint('uq_agency_group_code', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_agency_group_namespace_code'),
                                          ['namespace', 'code'])
    with op.batch_alter_table('calendar_override', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=200), nullable=False,
                                      server_default=''))


def _downgrade():
    with op.batch_alter_table('calendar_override', schema=None) as batch_op:
        batch_op.drop_column('source')
    with op.batch_alter_table('agency_group', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_agency_group_namespace_code'), type_='unique')
        batch_op.create_unique_constraint('uq_agency_group_code', ['code'])
        batch_op.drop_column('namespace')
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_agency_namespace_code'), type_='unique')
        batch_op.create_unique_constraint('uq_agency_code', ['code'])
        batch_op.drop_column('active_to')
        batch_op.drop_column('active_from')
        batch_op.drop_column('namespace')
