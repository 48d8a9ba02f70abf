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
    def remove(self, s: Session, kind: str, ref_id: int) -> None: ...
    def match(self, s: Session, terms: list[str], cap: int) -> list[tuple[str, int, float]]: ...

    def watermark(self, s: Session, kind: str) -> int:
        return s.execute(text("SELECT watermark FROM search_state WHERE kind = :k"), {"k": kind}).scalar() or 0

    def set_watermark(self, s: Session, kind: str, value: int) -> None:
        s.execute(text("DELETE FROM search_state WHERE kind = :k"), {"k": kind})
        s.execute(text("INSERT INTO search_state (kind, watermark) VALUES (:k, :v)"), {"k": kind, "v": value})


class SQLiteBackend(Backend):
    """FTS5 over space-joined jieba tokens; unicode61 keeps each CJK run as one token."""

    def setup(self, s: Session) -> None:
        s.execute(text("CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
                       "tokens, kind UNINDEXED, ref_id UNINDEXED, tokenize='unicode61')"))
        s.execute(text("CREATE TABLE IF NOT EXISTS search_state (kind TEXT PRIMARY KEY, watermark INTEGER)"))

    def add(self, s: Session, rows: list[tuple[str, int, list[str]]]) -> None:
        if rows:
            s.execute(text("INSERT INTO search_fts (tokens, kind, ref_id) VALUES (:t, :k, :r)"),
                      [{"t": " ".join(toks), "k": kind, "r": ref} for kind, ref, toks in rows])

    def remove(self, s: Session, kind: str, ref_id: int) -> None:
        s.execute(text("DELETE FROM search_fts WHERE kind = :k AND ref_id = :r"), {"k": kind, "r": ref_id})

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

    def remove(self, s: Session, kind: str, ref_id: int) -> None:
        s.execute(text("DELETE FROM search_entry WHERE kind = :k AND ref_id = :r"), {"k": kind, "r": ref_id})

    def match(self, s: Session, terms: list[str], cap: int) -> list[tuple[str, int, float]]:
        q = " & ".join("'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in terms)
        rows = s.execute(text("SELECT kind, ref_id, ts_rank(tsv, q) FROM search_entry, CAST(:q AS tsquery) q "
                              "WHERE tsv @@ q ORDER BY 3 DESC, ref_id LIMIT :cap"), {"q": q, "cap": cap}).all()
        return [(k, int(r), float(score)) for k, r, score in rows]


def backend_for(s: Session) -> Backend:
    return PostgresBackend() if s.get_bind().dialect.name == "postgresql" else SQLiteBackend()
