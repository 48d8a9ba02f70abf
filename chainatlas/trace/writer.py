"""Batched writes of indexed events: one round trip per table per batch, not per event.

Identifiers are upserted with ON CONFLICT DO NOTHING so two captures naming the same item do not
collide; events are inserted only when their eventID is new (recapture is idempotent).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainatlas.store.models.trace import (
    EpcisEvent,
    EpcisEventAttr,
    EpcisEventEpc,
    TraceEdge,
    TraceIdentifier,
)

if TYPE_CHECKING:
    from chainatlas.trace.capture import IndexedEvent

_CHUNK = 500  # stay under SQLite's bound-parameter limit in IN (…) lists


def _chunks(items: list[Any], n: int = _CHUNK) -> list[list[Any]]:
    return [items[i:i + n] for i in range(0, len(items), n)]


class BatchWriter:
    def __init__(self, session: Session) -> None:
        self.s = session
        self.dialect = session.get_bind().dialect.name

    def _insert_ignore(self, table: Any, rows: list[dict[str, Any]], keys: list[str]) -> None:
        if not rows:
            return
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        self.s.execute(dialect_insert(table).on_conflict_do_nothing(index_elements=keys), rows)

    def _bulk_insert(self, table: Any, rows: list[dict[str, Any]]) -> None:
        """Many rows into one table: COPY on PostgreSQL (psycopg's executemany still sends one INSERT
        per row), executemany elsewhere. Same connection, so still inside the capture transaction."""
        if not rows:
            return
        if self.dialect != "postgresql":
            self.s.execute(table.__table__.insert(), rows)
            return
        from psycopg.types.json import Jsonb

        cols = [c.name for c in table.__table__.columns if c.name in rows[0]]
        json_cols = {c.name for c in table.__table__.columns if c.type.__class__.__name__ in ("JSON", "JSONB")
                     or getattr(c.type, "impl", None).__class__.__name__ in ("JSON", "JSONB")}
        json_cols |= {"doc", "namespaces", "corrective_ids"} & set(cols)
        raw = self.s.connection().connection.driver_connection
        with raw.cursor() as cur, cur.copy(f'COPY {table.__tablename__} ({", ".join(cols)}) FROM STDIN') as cp:
            for r in rows:
                cp.write_row([Jsonb(r[c]) if c in json_cols and r[c] is not None else r[c] for c in cols])

    def ident_ids(self, idents: dict[str, tuple[str, str, str]]) -> dict[str, int]:
        """key → id for every identifier, creating the missing ones. ``idents``: key → (raw, scheme, level)."""
        keys = list(idents)
        found: dict[str, int] = {}
        for chunk in _chunks(keys):
            found.update(self.s.execute(select(TraceIdentifier.key, TraceIdentifier.id)
                                        .where(TraceIdentifier.key.in_(chunk))).all())
        missing = [k for k in keys if k not in found]
        if missing:
            self._insert_ignore(TraceIdentifier.__table__, [
                {"key": k, "raw": idents[k][0][:512], "scheme": idents[k][1], "level": idents[k][2]}
                for k in missing], ["key"])
            for chunk in _chunks(missing):
                found.update(self.s.execute(select(TraceIdentifier.key, TraceIdentifier.id)
                                            .where(TraceIdentifier.key.in_(chunk))).all())
        return found

    def write(self, batch: list[IndexedEvent]) -> tuple[int, list[dict[str, Any]]]:
        """Store new events; return (how many stored, rows of those already present)."""
        unique: dict[str, IndexedEvent] = {}
        dups: list[dict[str, Any]] = []
        for ix in batch:
            if ix.row["event_id"] in unique:
                dups.append(ix.row)
            else:
                unique[ix.row["event_id"]] = ix
        existing: set[str] = set()
        for chunk in _chunks(list(unique)):
            existing.update(self.s.scalars(select(EpcisEvent.event_id).where(EpcisEvent.event_id.in_(chunk))))
        new = [ix for eid, ix in unique.items() if eid not in existing]
        dups += [ix.row for eid, ix in unique.items() if eid in existing]
        if not new:
            return 0, dups
        # Plain executemany, then read the keys back: INSERT … RETURNING over many rows goes through
        # SQLAlchemy's insertmanyvalues, which re-splices the accumulated result per batch (quadratic).
        self._bulk_insert(EpcisEvent, [ix.row for ix in new])
        pk: dict[str, int] = {}
        for chunk in _chunks([ix.row["event_id"] for ix in new]):
            pk.update((eid, i) for eid, i in self.s.execute(
                select(EpcisEvent.event_id, EpcisEvent.id).where(EpcisEvent.event_id.in_(chunk))))
        idents: dict[str, tuple[str, str, str]] = {}
        for ix in new:
            for ident, _role, _q, _u in ix.idents:
                idents.setdefault(ident.key, (ident.raw, ident.scheme, ident.level))
            for node in ix.virtual:
                idents.setdefault(node, (node, "transformation", "virtual"))
        ids = self.ident_ids(idents)
        epc_rows, attr_rows, edge_rows = [], [], []
        for ix in new:
            ev = pk[ix.row["event_id"]]
            epc_rows += [{"event_pk": ev, "ident_id": ids[ident.key], "role": role, "quantity": q, "uom": u}
                         for ident, role, q, u in ix.idents]
            attr_rows += [{"event_pk": ev, "kind": k, "type": t, "value": v[:512]} for k, t, v in ix.attrs]
            edge_rows += [{"from_id": ids[a], "to_id": ids[b], "event_pk": ev, "kind": kind,
                           "event_time": ix.row["event_time"]} for a, b, kind in ix.edges]
        for table, data in ((EpcisEventEpc, epc_rows), (EpcisEventAttr, attr_rows), (TraceEdge, edge_rows)):
            # Core, not the ORM bulk path: that would fetch back every primary key we never use.
            self._bulk_insert(table, data)
        return len(new), dups
