"""The two index backends behind one small interface: add / remove / match / watermark.

The index tables are derived data (rebuildable from the store at any time), so they are
created on first use rather than by the Alembic migrations that own the source tables.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


class Backend:
    def setup(self, s: Session) -> None: ...
    def add(self, s: Session, rows: list[tuple[str, int, list[str]]]) -> None: ...
    def remove(self, s: Session, kind: str, ref_ids: list[int]) -> None: ...
    def clear(self, s: Session) -> None: ...
    def match(self, s: Session, terms: list[str], cap: int) -> list[tuple[str, int, float]]: ...

    def lock(self, s: Session) -> None:
        """Take the index's write lock for this transaction (one drainer at a time)."""

    def watermark(self, s: Session, kind: str) -> int:
        return s.execute(text("SELECT watermark FROM search_state WHERE kind = :k"), {"k": kind}).scalar() or 0

    def set_watermark(self, s: Session, kind: str, value: int) -> None:
        s.execute(text("DELETE FROM search_state WHERE kind = :k"), {"k": kind})
        s.execute(text("INSERT INTO search_state (kind, watermark) VALUES (:k, :v)"), {"k": kind, "v": value})


def fts_rowid(kind: str, ref_id: int) -> int:
    # FTS5 columns marked UNINDEXED are scanned, not looked up: deleting one entry by
    # (kind, ref_id) read the whole index. The rowid is indexed, so it carries the key.
    return ref_id * 2 + (1 if kind == "organization" else 0)


SEARCH_LOCK_KEY = 0x5EA5C4  # pg_advisory_xact_lock key of the search index's drainer


class SQLiteBackend(Backend):
    """FTS5 over space-joined jieba tokens; unicode61 keeps each CJK run as one token."""

    def setup(self, s: Session) -> None:
        s.execute(text("CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
                       "tokens, kind UNINDEXED, ref_id UNINDEXED, tokenize='unicode61')"))
        s.execute(text("CREATE TABLE IF NOT EXISTS search_state (kind TEXT PRIMARY KEY, watermark INTEGER)"))

    def lock(self, s: Session) -> None:
        # A write first: the transaction holds SQLite's write lock before it reads the queue,
        # so a second drainer waits (busy_timeout) instead of failing on a stale snapshot.
        s.execute(text("DELETE FROM search_state WHERE kind = 'lock'"))

    def add(self, s: Session, rows: list[tuple[str, int, list[str]]]) -> None:
        if rows:
            s.execute(text("INSERT INTO search_fts (rowid, tokens, kind, ref_id) VALUES (:id, :t, :k, :r)"),
                      [{"id": fts_rowid(kind, ref), "t": " ".join(toks), "k": kind, "r": ref}
                       for kind, ref, toks in rows])

    def remove(self, s: Session, kind: str, ref_ids: list[int]) -> None:
        if ref_ids:
            s.execute(text("DELETE FROM search_fts WHERE rowid = :id"), [{"id": fts_rowid(kind, r)} for r in ref_ids])

    def clear(self, s: Session) -> None:
        s.execute(text("DELETE FROM search_fts"))

    def match(self, s: Session, terms: list[str], cap: int) -> list[tuple[str, int, float]]:
        q = " ".join('"' + t.replace('"', '""') + '"' for t in terms)  # implicit AND of phrases
        rows = s.execute(text("SELECT kind, ref_id, bm25(search_fts) FROM search_fts WHERE search_fts MATCH :q "
                              "ORDER BY bm25(search_fts) LIMIT :cap"), {"q": q, "cap": cap}).all()
        return [(k, int(r), -float(score)) for k, r, score in rows]


class PostgresBackend(Backend):
    """A tsvector built straight from the token array (array_to_tsvector), so PostgreSQL's
    own parser and locale never re-split Chinese; the query is a literal tsquery of lexemes."""

    def setup(self, s: Session) -> None:
        s.execute(text("CREATE TABLE IF NOT EXISTS search_entry (kind VARCHAR(16) NOT NULL, ref_id BIGINT NOT NULL, "
                       "tsv TSVECTOR NOT NULL, PRIMARY KEY (kind, ref_id))"))
        s.execute(text("CREATE INDEX IF NOT EXISTS ix_search_entry_tsv ON search_entry USING gin (tsv)"))
        s.execute(text("CREATE TABLE IF NOT EXISTS search_state (kind VARCHAR(16) PRIMARY KEY, watermark BIGINT)"))

    def add(self, s: Session, rows: list[tuple[str, int, list[str]]]) -> None:
        if rows:
            s.execute(text("INSERT INTO search_entry (kind, ref_id, tsv) VALUES "
                           "(:k, :r, array_to_tsvector(CAST(:t AS text[]))) "
                           "ON CONFLICT (kind, ref_id) DO UPDATE SET tsv = EXCLUDED.tsv"),
                      [{"k": kind, "r": ref, "t": sorted(set(toks)) or ["_"]} for kind, ref, toks in rows])

    def lock(self, s: Session) -> None:
        s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEARCH_LOCK_KEY})

    def remove(self, s: Session, kind: str, ref_ids: list[int]) -> None:
        if ref_ids:
            s.execute(text("DELETE FROM search_entry WHERE kind = :k AND ref_id = ANY(:r)"), {"k": kind, "r": ref_ids})

    def clear(self, s: Session) -> None:
        s.execute(text("DELETE FROM search_entry"))

    def match(self, s: Session, terms: list[str], cap: int) -> list[tuple[str, int, float]]:
        q = " & ".join("'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in terms)
        rows = s.execute(text("SELECT kind, ref_id, ts_rank(tsv, q) FROM search_entry, CAST(:q AS tsquery) q "
                              "WHERE tsv @@ q ORDER BY 3 DESC, ref_id LIMIT :cap"), {"q": q, "cap": cap}).all()
        return [(k, int(r), float(score)) for k, r, score in rows]


def backend_for(s: Session) -> Backend:
    return PostgresBackend() if s.get_bind().dialect.name == "postgresql" else SQLiteBackend()
