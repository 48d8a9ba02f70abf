"""Batched writes of indexed events: a few round trips per batch, not per event.

Identifiers are upserted with ON CONFLICT DO NOTHING so two captures naming the same item do not
collide; events are inserted only when their eventID is new (recapture is idempotent).

PostgreSQL gets its own path on the driver connection (still the capture's one transaction):
event keys are drawn from the table's sequence up front so events go in with COPY and nothing has
to be read back; identifiers are inserted and looked up in one statement over arrays; side tables
go in with COPY. Through SQLAlchemy the same batch cost ~10 round trips and more Python time than
validating it (expanding ``IN (…)`` lists of 500 bound parameters, executemany sending one INSERT
per identifier). SQLite keeps the portable SQLAlchemy path.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainatlas.errors import TraceError
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
# key → id of identifiers this capture already wrote or looked up. Only ever used inside the one
# transaction that produced it, so a rolled-back capture cannot leave stale ids behind; bounded so
# a 1 GB document does not grow with it.
_IDENT_CACHE_MAX = 500_000
_JSON_COLS = frozenset({"doc", "namespaces", "corrective_ids"})
EVENT_COLS = ("id", "event_id", "event_hash", "event_type", "action", "event_time", "event_tz", "record_time",
              "biz_step", "disposition", "read_point", "biz_location", "transformation_id", "error_time",
              "error_reason", "corrective_ids", "capture_job_id", "namespaces", "doc")

# New identifiers are inserted and all of the batch's are looked up in one round trip. The outer
# SELECT runs on the statement's snapshot, so it sees the identifiers that existed before and the
# RETURNING of the INSERT gives the ones it created; one committed by a concurrent capture after the
# snapshot is in neither, and is looked up again (``_lookup``).
_UPSERT_IDENTS = """
WITH ins AS (
    INSERT INTO trace_identifier (key, raw, scheme, level)
    SELECT * FROM unnest(%(key)s::text[], %(raw)s::text[], %(scheme)s::text[], %(level)s::text[])
    ORDER BY 1
    ON CONFLICT (key) DO NOTHING
    RETURNING key, id
)
SELECT key, id FROM ins
UNION ALL
SELECT key, id FROM trace_identifier WHERE key = ANY(%(key)s::text[])
"""


def _chunks(items: list[Any], n: int = _CHUNK) -> list[list[Any]]:
    return [items[i:i + n] for i in range(0, len(items), n)]


def _json(value: Any) -> str | None:
    """JSON text for a jsonb column in a text COPY (the server parses it; no Jsonb wrapper needed)."""
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class EventIdConflict(TraceError):
    """An eventID already names an event with other content (EPCIS: an eventID names one event)."""

    code = "E722"

    def __init__(self, ix: IndexedEvent, where: str) -> None:
        eid = ix.row["event_id"]
        super().__init__(f"eventID {eid} already names a different event ({where}): an eventID identifies "
                         "one event; give this one a new eventID, or to correct the stored one capture it "
                         "again unchanged with an errorDeclaration")
        self.index = ix.index
        self.event_id = eid


class BatchWriter:
    def __init__(self, session: Session) -> None:
        self.s = session
        self.dialect = session.get_bind().dialect.name
        self.ident_cache: dict[str, int] = {}
        self._seq: str | None = None
        # (index, eventID) of error declarations stored without the event they correct
        self.orphan_declarations: list[tuple[int | None, str]] = []

    # ------------------------------------------------------------------ shared
    def write(self, batch: list[IndexedEvent]) -> tuple[int, list[dict[str, Any]]]:
        """Store new events; return (how many stored, rows of those already present).

        An event whose eventID is already stored (or earlier in the batch) is a recapture when its
        content hash is the same — idempotent, or an error declaration to apply — and a conflict
        (``EventIdConflict``) when it differs. The hash leaves out eventID, recordTime and
        errorDeclaration, so a declaration restating its event is not a conflict.
        """
        unique: dict[str, IndexedEvent] = {}
        dups: list[dict[str, Any]] = []
        for ix in batch:
            first = unique.get(ix.row["event_id"])
            if first is None:
                unique[ix.row["event_id"]] = ix
            elif first.row["event_hash"] != ix.row["event_hash"]:
                raise EventIdConflict(ix, f"event #{first.index} of this document")
            else:
                dups.append(ix.row)
        existing = self._existing(list(unique))
        for eid, stored_hash in existing.items():
            if stored_hash != unique[eid].row["event_hash"]:
                raise EventIdConflict(unique[eid], "already stored")
        new = [ix for eid, ix in unique.items() if eid not in existing]
        dups += [ix.row for eid, ix in unique.items() if eid in existing]
        self.orphan_declarations += [(ix.index, ix.row["event_id"]) for ix in new if ix.row["error_time"] is not None]
        if not new:
            return 0, dups
        pk = self._insert_events(new)
        idents: dict[str, tuple[str, str, str]] = {}
        for ix in new:
            for ident, _role, _q, _u in ix.idents:
                if ident.key not in idents:
                    idents[ident.key] = (ident.raw, ident.scheme, ident.level)
            for node in ix.virtual:
                idents.setdefault(node, (node, "transformation", "virtual"))
        ids = self.ident_ids(idents)
        epc_rows, attr_rows, edge_rows = [], [], []
        for ix in new:
            ev = pk[ix.row["event_id"]]
            epc_rows += [(ev, ids[ident.key], role, q, u) for ident, role, q, u in ix.idents]
            attr_rows += [(ev, k, t, v[:512]) for k, t, v in ix.attrs]
            et = ix.row["event_time"]
            edge_rows += [(ids[a], ids[b], ev, kind, et) for a, b, kind in ix.edges]
        self._copy(EpcisEventEpc, ("event_pk", "ident_id", "role", "quantity", "uom"), epc_rows)
        self._copy(EpcisEventAttr, ("event_pk", "kind", "type", "value"), attr_rows)
        self._copy(TraceEdge, ("from_id", "to_id", "event_pk", "kind", "event_time"), edge_rows)
        return len(new), dups

    def ident_ids(self, idents: dict[str, tuple[str, str, str]]) -> dict[str, int]:
        """key → id for every identifier, creating the missing ones. ``idents``: key → (raw, scheme, level)."""
        cache = self.ident_cache
        found = {k: cache[k] for k in idents if k in cache}
        missing = {k: v for k, v in idents.items() if k not in found}
        if missing:
            got = self._upsert_idents(missing)
            if len(cache) + len(got) > _IDENT_CACHE_MAX:
                cache.clear()
            cache.update(got)
            found.update(got)
        return found

    # ------------------------------------------------------------------ per dialect
    @property
    def _raw(self) -> Any:
        """The psycopg connection under the session (same transaction)."""
        return self.s.connection().connection.driver_connection

    def _existing(self, event_ids: list[str]) -> dict[str, str]:
        """eventID → content hash of those already stored."""
        if self.dialect == "postgresql":
            with self._raw.cursor() as cur:
                cur.execute("SELECT event_id, event_hash FROM epcis_event WHERE event_id = ANY(%s::text[])",
                            (event_ids,))
                return dict(cur.fetchall())
        existing: dict[str, str] = {}
        for chunk in _chunks(event_ids):
            existing.update(self.s.execute(select(EpcisEvent.event_id, EpcisEvent.event_hash)
                                           .where(EpcisEvent.event_id.in_(chunk))).all())
        return existing

    def _insert_events(self, new: list[IndexedEvent]) -> dict[str, int]:
        """Insert the events; return event_id → primary key."""
        if self.dialect != "postgresql":
            # Plain executemany, then read the keys back: INSERT … RETURNING over many rows goes through
            # SQLAlchemy's insertmanyvalues, which re-splices the accumulated result per batch (quadratic).
            self.s.execute(EpcisEvent.__table__.insert(), [ix.row for ix in new])
            pk: dict[str, int] = {}
            for chunk in _chunks([ix.row["event_id"] for ix in new]):
                pk.update((eid, i) for eid, i in self.s.execute(
                    select(EpcisEvent.event_id, EpcisEvent.id).where(EpcisEvent.event_id.in_(chunk))))
            return pk
        with self._raw.cursor() as cur:
            if self._seq is None:
                cur.execute("SELECT pg_get_serial_sequence('epcis_event', 'id')")
                self._seq = cur.fetchone()[0]
            # Keys drawn up front (one round trip) let the rows go in by COPY, which cannot return them.
            cur.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", (self._seq, len(new)))
            keys = [r[0] for r in cur]
        pk = {}
        rows = []
        ns_obj: Any = None
        ns_text: str | None = None
        for key, ix in zip(keys, new, strict=True):
            r = ix.row
            pk[r["event_id"]] = key
            if r["namespaces"] is not ns_obj:  # one dict shared by the events of a document: serialise once
                ns_obj, ns_text = r["namespaces"], _json(r["namespaces"])
            rows.append((key, r["event_id"], r["event_hash"], r["event_type"], r["action"], r["event_time"],
                         r["event_tz"], r["record_time"], r["biz_step"], r["disposition"], r["read_point"],
                         r["biz_location"], r["transformation_id"], r["error_time"], r["error_reason"],
                         _json(r["corrective_ids"]), r["capture_job_id"], ns_text,
                         ix.text if ix.text is not None else _json(r["doc"])))
        self._copy(EpcisEvent, EVENT_COLS, rows)
        return pk

    def _upsert_idents(self, missing: dict[str, tuple[str, str, str]]) -> dict[str, int]:
        if self.dialect != "postgresql":
            return self._upsert_idents_portable(missing)
        keys = list(missing)
        params = {"key": keys, "raw": [missing[k][0][:512] for k in keys],
                  "scheme": [missing[k][1] for k in keys], "level": [missing[k][2] for k in keys]}
        with self._raw.cursor() as cur:
            cur.execute(_UPSERT_IDENTS, params)
            got = dict(cur.fetchall())
            late = [k for k in keys if k not in got]
            if late:  # committed by a concurrent capture after this statement's snapshot
                cur.execute("SELECT key, id FROM trace_identifier WHERE key = ANY(%s::text[])", (late,))
                got.update(cur.fetchall())
        return got

    def _upsert_idents_portable(self, missing: dict[str, tuple[str, str, str]]) -> dict[str, int]:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        found: dict[str, int] = {}
        keys = list(missing)
        for chunk in _chunks(keys):
            found.update(self.s.execute(select(TraceIdentifier.key, TraceIdentifier.id)
                                        .where(TraceIdentifier.key.in_(chunk))).all())
        new = [k for k in keys if k not in found]
        if new:
            self.s.execute(sqlite_insert(TraceIdentifier.__table__).on_conflict_do_nothing(index_elements=["key"]), [
                {"key": k, "raw": missing[k][0][:512], "scheme": missing[k][1], "level": missing[k][2]} for k in new])
            for chunk in _chunks(new):
                found.update(self.s.execute(select(TraceIdentifier.key, TraceIdentifier.id)
                                            .where(TraceIdentifier.key.in_(chunk))).all())
        return found

    def _copy(self, table: Any, cols: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
        """Many rows into one table: COPY on PostgreSQL (psycopg's executemany still sends one INSERT
        per row), executemany elsewhere. Same connection, so still inside the capture transaction."""
        rows = list(rows)
        if not rows:
            return
        if self.dialect != "postgresql":
            self.s.execute(table.__table__.insert(), [dict(zip(cols, r, strict=True)) for r in rows])
            return
        with self._raw.cursor() as cur, cur.copy(f'COPY {table.__tablename__} ({", ".join(cols)}) FROM STDIN') as cp:
            for r in rows:
                cp.write_row(r)
