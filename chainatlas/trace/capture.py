"""Capture: validate EPCIS documents event by event and store them all-or-nothing.

The document is streamed (see ``reader``); events are validated one at a time and written in
batches inside ONE transaction, so a problem in event 900 000 rolls back the 899 999 before it.
Every problem found is collected (up to ``MAX_PROBLEMS``) so the user can fix them in one go.
The capture job row lives in its own short transactions, so a failed job still reports why.

On PostgreSQL capture is a pipeline over the two cores a small server has: batches are written
by a background thread (``_Writer``) while the next ones are prepared, and a long JSON document is
validated, hashed and indexed in a worker process (``_capture_pipelined``) while this process
reads the document and writes. It is still one session and one transaction, and the first
problem still stops anything more from being written.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import queue
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
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
from chainatlas.trace import hashing, identifiers, jobs, reader, vocab
from chainatlas.trace.validate import (
    CaptureRejected,
    Problem,
    context_prefixes,
    validate_event,
    validate_header,
)
from chainatlas.trace.writer import BatchWriter, EventIdConflict

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
    text: str | None = None  # the event's JSON exactly as captured, when the reader has it
    index: int | None = None  # position in the document's event list, for problems that name it

    def __reduce__(self) -> tuple[Any, ...]:
        # Sent back from the validation worker by the thousand: a plain tuple unpickles ~5x faster
        # than the dataclass's default (an empty object, then its __dict__ filled in).
        return IndexedEvent, (self.row, self.idents, self.attrs, self.edges, self.virtual, self.text, self.index)


@dataclass
class CaptureResult:
    job_id: str
    events: int = 0
    stored: int = 0
    duplicates: int = 0
    corrected: int = 0
    notices: list[dict[str, Any]] = field(default_factory=list)  # stored, but worth saying

    def as_dict(self) -> dict[str, Any]:
        return {"captureID": self.job_id, "events": self.events, "stored": self.stored,
                "duplicates": self.duplicates, "errorDeclarationsApplied": self.corrected, "notices": self.notices}


def _time(value: str | None) -> datetime | None:
    return hashing.parse_time(value) if value else None


def index_event(event: dict[str, Any], prefixes: dict[str, str], custom_ns: dict[str, str] | None,
                job_id: str | None, record_time: datetime, text: str | None = None,
                index: int | None = None) -> IndexedEvent:
    """Turn a validated event into rows. The event's own JSON is kept unchanged in ``doc`` (from its
    source ``text`` when given, so it is not serialised again)."""
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
    }, text=text, index=index)
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
            s.add(EpcisCaptureJob(id=job_id, status="running", source=source, owner=jobs.this_process()))
    yield job_id


def finish_job(store: Store, job_id: str, *, result: CaptureResult | None = None,
               problems: list[dict[str, Any]] | None = None) -> None:
    with store.session() as s:
        job = s.get(EpcisCaptureJob, job_id)
        if job is None:
            return
        job.finished_at = utcnow()
        job.status = "failed" if problems else "success"
        job.errors = problems or (result.notices if result and result.notices else None)
        if result:
            job.event_count, job.stored_count = result.events, result.stored


def _apply_error_declarations(s: Session, pending: list[dict[str, Any]]) -> int:
    """An event recaptured with an errorDeclaration marks the stored one as corrected (EPCIS §7.4.1.2)."""
    n = 0
    for ev in pending:
        if ev["error_time"] is None:
            continue  # a plain recapture: nothing to look up
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


class _Writer:
    """Writes batches on a background thread while the caller validates and indexes the next ones.

    Capture is two kinds of work: Python (parse, validate, hash, index) and waiting for the
    database to store a batch. On PostgreSQL the second runs in the server process, so with the
    wait moved off the capturing thread the two overlap on two cores (psycopg releases the GIL
    while it waits). Still ONE session and ONE transaction: only this thread touches the session
    until ``close()``, and a failure on either side rolls the whole capture back. SQLite runs
    in-line (its connections belong to the thread that opened them, and it writes in-process anyway).
    """

    def __init__(self, s: Session, result: CaptureResult) -> None:
        self.s = s
        self.result = result
        self.writer = BatchWriter(s)
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None
        if self.writer.dialect == "postgresql":
            # One batch queued while one is written: bounded memory, and enough to keep both busy.
            self.queue: queue.Queue[list[IndexedEvent] | None] = queue.Queue(maxsize=1)
            self.thread = threading.Thread(target=self._run, name="epcis-capture-writer", daemon=True)
            self.thread.start()

    def submit(self, batch: list[IndexedEvent]) -> None:
        if self.thread is None:
            self._flush(batch)
            return
        if self.error is not None:
            raise self.error
        while True:  # wake up now and then to notice a writer that failed with a full queue
            try:
                self.queue.put(batch, timeout=0.5)
                return
            except queue.Full:
                if self.error is not None or not self.thread.is_alive():
                    raise (self.error or RuntimeError("capture writer stopped")) from None

    def close(self) -> None:
        """Wait for every submitted batch; re-raise the writer's failure."""
        if self.thread is not None:
            self._stop()
        if self.error is not None:
            raise self.error

    def abandon(self) -> None:
        """The capture failed on this side: stop writing (the caller rolls the transaction back)."""
        if self.thread is not None:
            self._stop()

    def _stop(self) -> None:
        assert self.thread is not None
        while self.thread.is_alive():
            try:
                self.queue.put(None, timeout=0.5)
                break
            except queue.Full:
                continue
        self.thread.join()

    def _run(self) -> None:
        while True:
            batch = self.queue.get()
            if batch is None:
                return
            if self.error is not None:
                continue  # drain: the capture is failing, nothing more is written
            try:
                self._flush(batch)
            except BaseException as exc:  # noqa: BLE001 - handed to the capturing thread
                self.error = exc

    def _flush(self, pending: list[IndexedEvent]) -> None:
        stored, dups = self.writer.write(pending)
        for index, eid in self.writer.orphan_declarations:
            self.result.notices.append({
                "severity": "notice", "eventIndex": index, "eventID": eid, "field": "errorDeclaration",
                "message": f"error declaration for {eid}, which this repository never captured: stored as the "
                           "declaration alone (EPCIS 2.0 lets a declaration travel without the event it corrects)"})
        self.writer.orphan_declarations.clear()
        self.result.stored += stored
        self.result.duplicates += len(dups)
        self.result.corrected += _apply_error_declarations(self.s, dups)


def capture_events(s: Session, events: Iterable[tuple[Any, str | None]], prefixes: dict[str, str], *,
                   job_id: str | None, source: str | None = None, custom_ns: dict[str, str] | None = None,
                   batch: int = BATCH) -> CaptureResult:
    """Validate and write events inside the caller's transaction; raise CaptureRejected on any problem.

    ``events`` are (event, its source JSON text or None). Every event is validated before any row
    of it is built; rows go to the store in batches while later events are still being validated,
    so a rejection rolls back batches already written: the caller's transaction is all-or-nothing.
    On PostgreSQL a long document is validated and indexed in a worker process (``_capture_pipelined``).
    """
    result = CaptureResult(job_id=job_id or "")
    job = _Job(prefixes, custom_ns, job_id, utcnow())
    writer = _Writer(s, result)
    try:
        stream = iter(events)
        head = list(itertools.islice(stream, 1))
        if writer.thread is not None and head and head[0][1] is not None:
            # Read ahead only JSON (events with their text): the XML reader declares namespaces as it
            # goes, and each XML event must be validated against what was declared before it.
            head += itertools.islice(stream, PIPELINE_MIN_EVENTS - 1)
        rest = itertools.chain(head, stream)
        if len(head) >= PIPELINE_MIN_EVENTS and all(text is not None for _e, text in head):
            problems = _capture_pipelined(rest, writer, result, job, batch)
        else:
            problems = _capture_inline(rest, writer, result, job, batch)
        if problems:
            raise CaptureRejected(problems, source)
    except EventIdConflict as exc:
        writer.abandon()
        raise CaptureRejected([Problem(exc.index, exc.event_id, "eventID", exc.message)], source) from exc
    except BaseException:
        writer.abandon()
        raise
    try:
        writer.close()
    except EventIdConflict as exc:
        raise CaptureRejected([Problem(exc.index, exc.event_id, "eventID", exc.message)], source) from exc
    return result


@dataclass(frozen=True)
class _Job:
    """What indexing an event needs besides the event (sent to the worker with each batch)."""

    prefixes: dict[str, str]
    custom_ns: dict[str, str] | None
    job_id: str | None
    record_time: datetime


def _capture_inline(events: Iterable[tuple[Any, str | None]], writer: _Writer, result: CaptureResult,
                    job: _Job, batch: int) -> list[Problem]:
    problems: list[Problem] = []
    pending: list[IndexedEvent] = []
    for i, (event, text) in enumerate(events):
        result.events += 1
        found = validate_event(event, i, job.prefixes)
        if found:
            problems.extend(found)
            if len(problems) >= MAX_PROBLEMS:
                break
            continue
        if problems:
            continue  # keep validating to report everything, but stop building rows
        pending.append(index_event(event, job.prefixes, job.custom_ns, job.job_id, job.record_time, text, i))
        if len(pending) >= batch:
            writer.submit(pending)
            pending = []
    if pending and not problems:
        writer.submit(pending)
    return problems


# ---------------------------------------------------------------- validation in a worker process
# Documents of at least this many events (with their source text, i.e. JSON) are validated and
# indexed in a worker process on PostgreSQL. Capture is then three stages on two cores: this
# process reads the document and writes batches, the worker validates, hashes and indexes them,
# and the server stores them. Shorter documents are not worth the hand-over.
PIPELINE_MIN_EVENTS = 2 * BATCH
_IN_FLIGHT = 2  # batches handed to the worker ahead of the one being written: bounded memory
_pool_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def _worker_pool() -> ProcessPoolExecutor:
    """One long-lived worker per process, started on first use ("spawn": this process has threads
    and database connections that a forked child must not inherit)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=jobs.die_with_parent, initargs=(os.getpid(),))
        return _pool


def shutdown_worker() -> None:
    """Stop the validation worker (it is started again on demand)."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=True)
        _pool = None


def _drop_pool() -> None:
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


def _index_batch(texts: list[str], start: int, job: _Job) -> list[IndexedEvent | list[Problem]]:
    """In the worker: validate and index events given as JSON text; per event its rows or its problems.

    The event dict is not sent back (the caller stores the text it already has) unless the event
    declares an error, which is applied to the stored event from the dict.
    """
    out: list[IndexedEvent | list[Problem]] = []
    for i, text in enumerate(texts, start):
        event = json.loads(text)
        found = validate_event(event, i, job.prefixes)
        if found:
            out.append(found)
            continue
        ix = index_event(event, job.prefixes, job.custom_ns, job.job_id, job.record_time, index=i)
        if ix.row["error_time"] is None:
            ix.row["doc"] = None
        out.append(ix)
    return out


def _capture_pipelined(events: Iterable[tuple[Any, str | None]], writer: _Writer, result: CaptureResult,
                       job: _Job, batch: int) -> list[Problem]:
    pool = _worker_pool()
    problems: list[Problem] = []
    in_flight: deque[tuple[Future[list[IndexedEvent | list[Problem]]], list[str]]] = deque()

    def collect() -> None:
        future, texts = in_flight.popleft()
        try:
            indexed = future.result()
        except BrokenProcessPool:
            _drop_pool()  # the worker died (killed, out of memory): start a new one next time
            raise
        pending: list[IndexedEvent] = []
        for item, text in zip(indexed, texts, strict=True):
            if isinstance(item, list):
                problems.extend(item)
            else:
                item.text = text
                pending.append(item)
        if pending and not problems:  # after a problem, only keep validating to report everything
            writer.submit(pending)

    try:
        texts: list[str] = []
        start = 0
        for _event, text in events:
            result.events += 1
            texts.append(text)  # type: ignore[arg-type]  # checked by the caller
            if len(texts) >= batch:
                in_flight.append((pool.submit(_index_batch, texts, start, job), texts))
                start += len(texts)
                texts = []
                if len(in_flight) > _IN_FLIGHT:
                    collect()
                if len(problems) >= MAX_PROBLEMS:
                    break
        if texts and len(problems) < MAX_PROBLEMS:
            in_flight.append((pool.submit(_index_batch, texts, start, job), texts))
        while in_flight:
            collect()
    finally:
        for future, _texts in in_flight:
            future.cancel()
    return problems[:MAX_PROBLEMS] if len(problems) > MAX_PROBLEMS else problems


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
            finish_job(store, jid, problems=[{"eventIndex": exc.index, "eventID": None, "field": "",
                                              "message": exc.message}])
            raise CaptureRejected([Problem(exc.index, None, "", exc.message)], source) from exc
        except BaseException as exc:
            # Whatever went wrong, the job ends failed instead of "running" forever.
            finish_job(store, jid, problems=[{"eventIndex": None, "eventID": None, "field": "",
                                              "message": f"capture failed: {type(exc).__name__}: {str(exc)[:300]}"}])
            raise
        result.job_id = jid
        finish_job(store, jid, result=result)
        return result


def capture_stream(store: Store, fp: BinaryIO | IO[bytes], *, source: str | None = None,
                   job_id: str | None = None) -> CaptureResult:
    """Capture one document (or bare event) from a seekable binary stream, all-or-nothing."""

    def capture(jid: str) -> CaptureResult:
        header, listed = reader.read_document(fp)
        problems = validate_header(header)
        if problems:
            raise CaptureRejected(problems, source)
        prefixes = context_prefixes(header.get("@context"))
        custom = {k: v for k, v in prefixes.items() if k not in vocab.standard_prefixes()}
        if header.get("type") in reader.DOCUMENT_TYPES:
            events: Iterable[tuple[Any, str | None]] = listed
        else:
            events = [(header, None)]  # a bare event
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

        def tracked() -> Iterator[tuple[Any, None]]:
            for ev in events:
                custom.update({k: v for k, v in prefixes.items() if k not in vocab.standard_prefixes()})
                yield ev, None

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
