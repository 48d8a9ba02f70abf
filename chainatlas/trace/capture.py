"""Capture: validate EPCIS documents event by event and store them all-or-nothing.

The document is streamed (see ``reader``); events are validated one at a time and written in
batches inside ONE transaction, so a problem in event 900 000 rolls back the 899 999 before it.
Every problem found is collected (up to ``MAX_PROBLEMS``) so the user can fix them in one go.
The capture job row lives in its own short transactions, so a failed job still reports why.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, BinaryIO

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from chainatlas.store import Store
from chainatlas.store.models.base import utcnow
from chainatlas.store.models.trace import EpcisCaptureJob, EpcisEvent, EpcisEventAttr
from chainatlas.trace import hashing, identifiers, reader, vocab
from chainatlas.trace.validate import (
    CaptureRejected,
    Problem,
    context_prefixes,
    validate_event,
    validate_header,
)
from chainatlas.trace.writer import BatchWriter

MAX_PROBLEMS = 100
BATCH = 2000
EPC_ROLES = (("epcList", "epc"), ("childEPCs", "child"), ("inputEPCList", "input"), ("outputEPCList", "output"))
QTY_ROLES = (("quantityList", "quantity"), ("childQuantityList", "child_quantity"),
             ("inputQuantityList", "input_quantity"), ("outputQuantityList", "output_quantity"))


@dataclass
class IndexedEvent:
    """What the store needs from one event besides its JSON: columns, identifiers, attributes, edges."""

    row: dict[str, Any]
    idents: list[tuple[identifiers.Identifier, str, float | None, str | None]] = field(default_factory=list)
    attrs: list[tuple[str, str | None, str]] = field(default_factory=list)
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # (from key, to key, kind)
    virtual: list[str] = field(default_factory=list)  # transformation nodes


@dataclass
class CaptureResult:
    job_id: str
    events: int = 0
    stored: int = 0
    duplicates: int = 0
    corrected: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"captureID": self.job_id, "events": self.events, "stored": self.stored,
                "duplicates": self.duplicates, "errorDeclarationsApplied": self.corrected}


def _time(value: str | None) -> datetime | None:
    return hashing.parse_time(value) if value else None


def index_event(event: dict[str, Any], prefixes: dict[str, str], custom_ns: dict[str, str] | None,
                job_id: str | None, record_time: datetime) -> IndexedEvent:
    """Turn a validated event into rows. The event's own JSON is kept unchanged in ``doc``."""
    ehash = hashing.event_hash(event, prefixes)
    eid = event.get("eventID") or ehash
    ed = event.get("errorDeclaration") if isinstance(event.get("errorDeclaration"), dict) else None
    rp = (event.get("readPoint") or {}).get("id")
    bl = (event.get("bizLocation") or {}).get("id")
    ix = IndexedEvent(row={
        "event_id": eid, "event_hash": ehash, "event_type": event["type"], "action": event.get("action"),
        "event_time": _time(event["eventTime"]), "event_tz": event.get("eventTimeZoneOffset"),
        "record_time": record_time,
        "biz_step": vocab.normalize("bizStep", event["bizStep"]) if event.get("bizStep") else None,
        "disposition": vocab.normalize("disposition", event["disposition"]) if event.get("disposition") else None,
        "read_point": identifiers.canonical(rp) if rp else None,
        "biz_location": identifiers.canonical(bl) if bl else None,
        "transformation_id": event.get("transformationID"),
        "error_time": _time(ed.get("declarationTime")) if ed else None,
        "error_reason": vocab.normalize("error-reason", ed["reason"]) if ed and ed.get("reason") else None,
        "corrective_ids": ed.get("correctiveEventIDs") if ed else None,
        "capture_job_id": job_id, "namespaces": custom_ns or None, "doc": event,
    })
    for lst, role in EPC_ROLES:
        for v in event.get(lst) or []:
            ix.idents.append((identifiers.parse(v), role, None, None))
    if event.get("parentID"):
        ix.idents.append((identifiers.parse(event["parentID"]), "parent", None, None))
    for lst, role in QTY_ROLES:
        for q in event.get(lst) or []:
            ix.idents.append((identifiers.parse(q["epcClass"]), role, q.get("quantity"), q.get("uom")))
    for lst, key, kind in (("bizTransactionList", "bizTransaction", "bizTransaction-type"),
                           ("sourceList", "source", "source-dest-type"),
                           ("destinationList", "destination", "source-dest-type")):
        for it in event.get(lst) or []:
            t = vocab.normalize(kind, it["type"]) if it.get("type") else None
            ix.attrs.append((key, t, identifiers.canonical(it[key])))
    for cid in (ed or {}).get("correctiveEventIDs") or []:
        ix.attrs.append(("corrective", None, cid))
    pd = event.get("persistentDisposition") or {}
    for side in ("set", "unset"):
        for v in pd.get(side) or []:
            ix.attrs.append((f"pd_{side}", None, vocab.normalize("disposition", v)))
    _edges(event, ix, eid)
    return ix


def _edges(event: dict[str, Any], ix: IndexedEvent, eid: str) -> None:
    etype, action = event["type"], event.get("action")
    by_role: dict[str, list[str]] = {}
    for ident, role, _q, _u in ix.idents:
        by_role.setdefault(role.replace("_quantity", "").replace("quantity", "epc"), []).append(ident.key)
    if etype == "TransformationEvent":
        # A virtual node per transformation keeps edges linear (n + m, not n × m) and joins the events
        # that share a transformationID, as EPCIS §7.4.6 says they should be read together.
        node = event.get("transformationID") or f"urn:chainatlas:transformation:{eid}"
        ix.virtual.append(node)
        ix.edges += [(k, node, "transform") for k in by_role.get("input", [])]
        ix.edges += [(node, k, "transform") for k in by_role.get("output", [])]
    elif etype in ("AggregationEvent", "AssociationEvent") and action in ("ADD", "OBSERVE"):
        # DELETE ends a containment but does not undo the history a recall must see: no edge.
        kind = "aggregate" if etype == "AggregationEvent" else "associate"
        for parent in by_role.get("parent", []):
            ix.edges += [(child, parent, kind) for child in by_role.get("child", [])]


@contextmanager
def _job(store: Store, source: str | None, job_id: str | None) -> Iterator[str]:
    job_id = job_id or str(uuid.uuid4())
    with store.session() as s:
        if s.get(EpcisCaptureJob, job_id) is None:
            s.add(EpcisCaptureJob(id=job_id, status="running", source=source))
    yield job_id


def finish_job(store: Store, job_id: str, *, result: CaptureResult | None = None,
               problems: list[dict[str, Any]] | None = None) -> None:
    with store.session() as s:
        job = s.get(EpcisCaptureJob, job_id)
        if job is None:
            return
        job.finished_at = utcnow()
        job.status = "failed" if problems else "success"
        job.errors = problems or None
        if result:
            job.event_count, job.stored_count = result.events, result.stored


def _apply_error_declarations(s: Session, pending: list[dict[str, Any]]) -> int:
    """An event recaptured with an errorDeclaration marks the stored one as corrected (EPCIS §7.4.1.2)."""
    n = 0
    for ev in pending:
        stored = s.scalar(select(EpcisEvent).where(EpcisEvent.event_id == ev["event_id"]))
        if stored is None or stored.error_time is not None or ev["error_time"] is None:
            continue
        doc = dict(stored.doc)
        doc["errorDeclaration"] = ev["doc"]["errorDeclaration"]
        s.execute(update(EpcisEvent).where(EpcisEvent.id == stored.id).values(
            error_time=ev["error_time"], error_reason=ev["error_reason"],
            corrective_ids=ev["corrective_ids"], doc=doc))
        if ev["corrective_ids"]:
            s.execute(insert(EpcisEventAttr), [{"event_pk": stored.id, "kind": "corrective", "type": None, "value": c}
                                               for c in ev["corrective_ids"]])
        n += 1
    return n


def capture_events(s: Session, events: Iterable[Any], prefixes: dict[str, str], *, job_id: str | None,
                   source: str | None = None, custom_ns: dict[str, str] | None = None,
                   batch: int = BATCH) -> CaptureResult:
    """Validate and write events inside the caller's transaction; raise CaptureRejected on any problem."""
    result = CaptureResult(job_id=job_id or "")
    problems: list[Problem] = []
    writer = BatchWriter(s)
    pending: list[IndexedEvent] = []
    now = utcnow()
    for i, event in enumerate(events):
        result.events += 1
        found = validate_event(event, i, prefixes)
        if found:
            problems.extend(found)
            if len(problems) >= MAX_PROBLEMS:
                break
            continue
        if problems:
            continue  # keep validating to report everything, but stop building rows
        pending.append(index_event(event, prefixes, custom_ns, job_id, now))
        if len(pending) >= batch:
            _flush(s, writer, pending, result)
            pending = []
    if problems:
        raise CaptureRejected(problems, source)
    if pending:
        _flush(s, writer, pending, result)
    return result


def _flush(s: Session, writer: BatchWriter, pending: list[IndexedEvent], result: CaptureResult) -> None:
    stored, dups = writer.write(pending)
    result.stored += stored
    result.duplicates += len(dups)
    result.corrected += _apply_error_declarations(s, dups)


def _run_job(store: Store, source: str | None, job_id: str | None,
             capture: Callable[[str], CaptureResult]) -> CaptureResult:
    """Run one all-or-nothing capture under a capture job, recording its outcome either way."""
    with _job(store, source, job_id) as jid:
        try:
            result = capture(jid)
        except CaptureRejected as exc:
            finish_job(store, jid, problems=[p.as_dict() for p in exc.problems])
            raise
        except reader.DocumentError as exc:
            finish_job(store, jid, problems=[{"eventIndex": None, "eventID": None, "field": "",
                                              "message": exc.message}])
            raise CaptureRejected([Problem(None, None, "", exc.message)], source) from exc
        result.job_id = jid
        finish_job(store, jid, result=result)
        return result


def capture_stream(store: Store, fp: BinaryIO | IO[bytes], *, source: str | None = None,
                   job_id: str | None = None) -> CaptureResult:
    """Capture one document (or bare event) from a seekable binary stream, all-or-nothing."""

    def capture(jid: str) -> CaptureResult:
        header, path, _count = reader.read_header(fp)
        problems = validate_header(header)
        if problems:
            raise CaptureRejected(problems, source)
        prefixes = context_prefixes(header.get("@context"))
        custom = {k: v for k, v in prefixes.items() if k not in vocab.standard_prefixes()}
        if header.get("type") in ("EPCISDocument", "EPCISQueryDocument"):
            events: Iterable[Any] = reader.iter_events(fp, path)
        else:
            events = [header]
        with store.session() as s:
            return capture_events(s, events, prefixes, job_id=jid, source=source, custom_ns=custom)

    return _run_job(store, source, job_id, capture)


def capture_xml(store: Store, fp: BinaryIO | IO[bytes], *, source: str | None = None,
                job_id: str | None = None) -> CaptureResult:
    """Capture an EPCIS 2.0 XML document, streamed through lxml, with the same rules as JSON."""
    from chainatlas.trace.xml_reader import read_xml  # lxml only when XML is used

    def capture(jid: str) -> CaptureResult:
        prefixes = dict(vocab.standard_prefixes())
        header, events = read_xml(fp, prefixes)
        custom: dict[str, str] = {}

        def tracked() -> Iterator[Any]:
            for ev in events:
                custom.update({k: v for k, v in prefixes.items() if k not in vocab.standard_prefixes()})
                yield ev

        with store.session() as s:
            result = capture_events(s, tracked(), prefixes, job_id=jid, source=source, custom_ns=custom)
            # The XML header is only complete once the stream is read; rejecting here still
            # rolls the whole session back.
            problems = validate_header(header)
            if problems:
                raise CaptureRejected(problems, source)
        return result

    return _run_job(store, source, job_id, capture)


def capture_file(store: Store, path: str | Path, *, job_id: str | None = None) -> CaptureResult:
    p = Path(path)
    with p.open("rb") as fp:
        if p.suffix.lower() == ".xml" or fp.read(64).lstrip().startswith(b"<"):
            fp.seek(0)
            return capture_xml(store, fp, source=str(p), job_id=job_id)
        fp.seek(0)
        return capture_stream(store, fp, source=str(p), job_id=job_id)
