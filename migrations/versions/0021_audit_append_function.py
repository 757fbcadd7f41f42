"""the audit chain's append as one PostgreSQL function: lock, last hash, insert

Revision ID: 0021
Revises: 0015
Create Date: 2026-12-01 17:40:00
"""
from alembic import op


revision = '0021'
down_revision = '0015'
branch_labels = None
depends_on = None

# as models.core.audit.APPEND_FUNCTION_SQL was when this revision was written (a migration
# keeps its own copy: the model's text may change in a later revision)
APPEND_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION planwatch_audit_append(
    p_at timestamptz, p_actor_id integer, p_actor_label text, p_action text,
    p_entity_type text, p_entity_id text, p_before json, p_after json, p_canonical text)
RETURNS TABLE (id integer, prev_hash varchar, hash varchar)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_prev varchar;
BEGIN
    PERFORM pg_advisory_xact_lock(516047);
    SELECT e.hash INTO v_prev FROM audit_event AS e ORDER BY e.id DESC LIMIT 1;
    v_prev := coalesce(v_prev, '0000000000000000000000000000000000000000000000000000000000000000');
    RETURN QUERY
        INSERT INTO audit_event AS e (at, actor_id, actor_label, action, entity_type, entity_id,
                                      before, after, prev_hash, hash)
        VALUES (p_at, p_actor_id, p_actor_label, p_action, p_entity_type, p_entity_id,
                p_before, p_after, v_prev,
                encode(sha256(convert_to(v_prev || p_canonical, 'UTF8')), 'hex'))
        RETURNING e.id, e.prev_hash, e.hash;
END
$$"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_FUNCTION_SQL)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS planwatch_audit_append("
                   "timestamptz, integer, text, text, text, text, json, json, text)")
