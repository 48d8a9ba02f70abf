"""ingest keys: one news candidate per name, serialized ingest writers, a search queue

Revision ID: 0006_ingest_keys
Revises: 0007_login_throttle
Create Date: 2026-12-02 23:30:00

Two ingests at once duplicated organizations (210–262 per run) and, on PostgreSQL, lost
documents and organizations from search for good (issue 16, item 3):

- uq_organization_candidate_key: a unique key on name_key among news candidates
  (is_candidate), so a second candidate of the same name cannot be stored. Candidates that
  were duplicated before are merged into the oldest one first (every row pointing at one is
  re-pointed — the referencing tables are read from the database; rows the oldest already
  has under a unique key are dropped).
- ingest_lock: every ingest writer bumps its row first in each document's transaction,
  which serializes writers and tells each one when another wrote (its caches are stale).
- search_pending + triggers: every insert, update or delete of a document or organization
  (and of an organization's aliases and chain placements) queues the row for the search
  index in the same transaction. The old id watermark lost rows whose transaction committed
  after a higher id had been indexed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006_ingest_keys'
down_revision = '0007_login_throttle'
branch_labels = None
depends_on = None

# (table, the organization id it queues) for each table whose change alters a search entry
_QUEUED = (
    ("document", "document", "id"),
    ("organization", "organization", "id"),
    ("organization_alias", "organization", "organization_id"),
    ("organization_node", "organization", "organization_id"),
)


def _references(conn: sa.Connection) -> list[tuple[str, str, list[list[str]]]]:
    """Every (table, column) pointing at organization.id, with the other columns of each
    unique key the column is part of: read from the database itself, so tables added by
    later features are covered too."""
    insp = sa.inspect(conn)
    out = []
    for table in insp.get_table_names():
        for fk in insp.get_foreign_keys(table):
            if fk["referred_table"] != "organization" or len(fk["constrained_columns"]) != 1:
                continue
            col = fk["constrained_columns"][0]
            keys = [u["column_names"] for u in insp.get_unique_constraints(table)]
            keys += [ix["column_names"] for ix in insp.get_indexes(table) if ix.get("unique")]
            out.append((table, col, [[c for c in key if c != col] for key in keys if col in key]))
    return out


def _merge_duplicate_candidates(conn: sa.Connection) -> None:
    groups = conn.execute(sa.text(
        "SELECT name_key, MIN(id) FROM organization WHERE is_candidate GROUP BY name_key HAVING COUNT(*) > 1"
    )).all()
    if not groups:
        return
    references = _references(conn)
    for name_key, keep in groups:
        dups = [r[0] for r in conn.execute(sa.text(
            "SELECT id FROM organization WHERE is_candidate AND name_key = :k AND id <> :keep"),
            {"k": name_key, "keep": keep})]
        for dup in dups:
            for table, col, keys in references:
                for key in keys:  # drop the duplicate's rows the kept organization already has
                    same = " AND ".join([f"t2.{c} = {table}.{c}" for c in key] or ["1 = 1"])
                    conn.execute(sa.text(
                        f"DELETE FROM {table} WHERE {col} = :dup AND EXISTS "
                        f"(SELECT 1 FROM {table} t2 WHERE t2.{col} = :keep AND {same})"), {"dup": dup, "keep": keep})
                conn.execute(sa.text(f"UPDATE {table} SET {col} = :keep WHERE {col} = :dup"),
                             {"dup": dup, "keep": keep})
            conn.execute(sa.text("DELETE FROM organization WHERE id = :dup"), {"dup": dup})


def upgrade() -> None:
    conn = op.get_bind()
    _merge_duplicate_candidates(conn)
    op.create_index('uq_organization_candidate_key', 'organization', ['name_key'], unique=True,
                    sqlite_where=sa.text('is_candidate'), postgresql_where=sa.text('is_candidate'))
    op.create_table(
        'ingest_lock',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('generation', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_ingest_lock')),
    )
    op.execute("INSERT INTO ingest_lock (name, generation) VALUES ('ingest', 0)")
    op.create_table(
        'search_pending',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('ref_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_pending')),
    )
    if conn.dialect.name == "postgresql":
        for table, kind, col in _QUEUED:
            op.execute(f"""
                CREATE FUNCTION search_queue_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'DELETE' THEN
                        INSERT INTO search_pending (kind, ref_id) VALUES ('{kind}', OLD.{col});
                        RETURN OLD;
                    END IF;
                    INSERT INTO search_pending (kind, ref_id) VALUES ('{kind}', NEW.{col});
                    RETURN NEW;
                END $$""")
            op.execute(f"CREATE TRIGGER search_queue_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION search_queue_{table}()")
    else:
        for table, kind, col in _QUEUED:
            for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
                op.execute(f"CREATE TRIGGER search_queue_{table}_{event.lower()} AFTER {event} ON {table} "
                           f"BEGIN INSERT INTO search_pending (kind, ref_id) VALUES ('{kind}', {row}.{col}); END")


def downgrade() -> None:
    conn = op.get_bind()
    for table, _kind, _col in _QUEUED:
        if conn.dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS search_queue_{table} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS search_queue_{table}()")
        else:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS search_queue_{table}_{event}")
    op.drop_table('search_pending')
    op.drop_table('ingest_lock')
    op.drop_index('uq_organization_candidate_key', table_name='organization',
                  sqlite_where=sa.text('is_candidate'), postgresql_where=sa.text('is_candidate'))
