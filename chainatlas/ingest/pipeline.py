"""The ingest pipeline: discover → read → prepare → extract (worker processes) → store
(the parent, one transaction per document).

* Streaming: inputs are expanded lazily and at most ``workers × 3`` batches are in
  flight, so memory stays flat however large the corpus.
* Idempotent: a document is keyed by the sha256 of its raw bytes; content already stored
  is skipped before any work is done.
* Safe to kill: each document is committed atomically together with its facts, and
  results are committed in input order, so a rerun after ``kill -9`` picks up exactly the
  documents that are missing and ends in the same store as one clean run.
* Bad input is reported (``IngestReport.rejected`` and the ``ingest_issue`` table) with a
  coded reason; the rest goes in.
"""

from __future__ import annotations

import os
import stat
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chainatlas.errors import IngestError
from chainatlas.ingest import limits
from chainatlas.ingest.dedupe import NearDuplicateIndex
from chainatlas.ingest.discover import InputFile, file_kind, iter_inputs
from chainatlas.ingest.errors import (
    EMPTY,
    EXTRACTOR_MISSING,
    NOT_REGULAR,
    TOO_LARGE,
    UNREADABLE,
    UNSUPPORTED,
    VANISHED,
    RejectedInput,
)
from chainatlas.ingest.limits import Limits
from chainatlas.ingest.pool import WorkerPool
from chainatlas.ingest.prepare import PreparedDocument, content_hash
from chainatlas.ingest.readers import kind_of
from chainatlas.ingest.readers.jsonl import iter_lines
from chainatlas.ingest.worker import (
    DEFAULT_EXTRACTOR,
    Outcome,
    Prepared,
    Rejection,
    WorkItem,
    prime,
    process_batch,
    resolve_callable,
)
from chainatlas.store import Store
from chainatlas.store.models import Document, IngestIssue, IngestLock

DEFAULT_PERSISTER = "chainatlas.resolve.persist:persist"
DEFAULT_MAX_BYTES = limits.DEFAULT.max_bytes
BATCH = 8
MAX_IN_FLIGHT_BYTES = 64 * 1024 * 1024

Persister = Callable[[Any, Document, Any, Any], Any]


@dataclass
class IngestReport:
    files: int = 0
    documents: int = 0          # newly stored
    unchanged: int = 0          # content already in the store
    near_duplicates: int = 0    # stored and linked, facts not stored again
    bytes: int = 0
    seconds: float = 0.0
    rejected: list[Rejection] = field(default_factory=list)
    workers_replaced: int = 0   # worker processes that died or hung and were replaced
    slowest: tuple[str, float] | None = None  # the input that took a worker longest, seconds

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files, "documents": self.documents, "unchanged": self.unchanged,
            "near_duplicates": self.near_duplicates, "rejected": len(self.rejected), "bytes": self.bytes,
            "seconds": round(self.seconds, 3), "workers_replaced": self.workers_replaced,
            "slowest": {"where": self.slowest[0], "seconds": round(self.slowest[1], 3)} if self.slowest else None,
            "issues": [{"where": r.where, "code": r.code, "reason": r.reason} for r in self.rejected],
        }


def check_available(spec: str, what: str) -> None:
    try:
        resolve_callable(spec)
    except (ImportError, AttributeError) as exc:
        raise IngestError(
            f"{what} {spec!r} is not available ({exc}); ingest stores documents with their facts, "
            "so it needs chainatlas.extract and chainatlas.resolve installed", code=EXTRACTOR_MISSING,
        ) from exc


# -- work items -----------------------------------------------------------------------------
def read_bounded(path: Path, max_bytes: int, where: str) -> bytes | Rejection:
    """The file's bytes, read only if it is (still) a regular file of at most ``max_bytes``.
    Opened without blocking and checked on the open descriptor: a FIFO swapped in after
    listing would otherwise hang the run, and a file grown since listing is still bounded."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return Rejection(where, VANISHED, "the file disappeared before it could be read", None)
    except OSError as exc:
        return Rejection(where, UNREADABLE, f"cannot read: {exc.strerror or exc}", None)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return Rejection(where, NOT_REGULAR, f"not a regular file: {file_kind(st.st_mode)}", None)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            raw = fh.read(max_bytes + 1)
    except OSError as exc:
        return Rejection(where, UNREADABLE, f"cannot read: {exc.strerror or exc}", None)
    finally:
        os.close(fd)
    if len(raw) > max_bytes:
        return Rejection(where, TOO_LARGE, f"over the limit of {max_bytes} bytes (--max-bytes)", st.st_size)
    if not raw:
        return Rejection(where, EMPTY, "empty file (0 bytes)", 0)
    return raw


def _file_items(entry: InputFile, max_bytes: int, report: IngestReport) -> Iterator[WorkItem | Rejection]:
    path = entry.path
    where = str(path)
    kind = kind_of(path)
    if kind is None:
        yield Rejection(where, UNSUPPORTED, f"unsupported file type {path.suffix or '(none)'}", entry.size)
        return
    report.files += 1
    if kind == "jsonl":
        # The size limit is per record: a crawl dump may be large, one page may not.
        try:
            for line_no, raw in iter_lines(path):
                loc = f"{where}:{line_no}"
                if len(raw) > max_bytes:
                    yield Rejection(loc, TOO_LARGE, f"line {line_no} is {len(raw)} bytes, over the limit "
                                    f"of {max_bytes} (--max-bytes)", len(raw))
                    continue
                yield WorkItem(loc, where, raw, content_hash(raw), line_no)
        except FileNotFoundError:
            yield Rejection(where, VANISHED, "the file disappeared before it could be read", entry.size)
        except OSError as exc:
            yield Rejection(where, UNREADABLE, f"cannot read: {exc}", entry.size)
        return
    if entry.size > max_bytes:
        yield Rejection(where, TOO_LARGE, f"{entry.size} bytes, over the limit of {max_bytes} (--max-bytes)",
                        entry.size)
        return
    raw = read_bounded(path, max_bytes, where)
    if isinstance(raw, Rejection):
        yield raw
        return
    yield WorkItem(where, where, raw, content_hash(raw))


def _items(paths: Iterable[str | Path], max_bytes: int, report: IngestReport) -> Iterator[WorkItem | Rejection]:
    for entry in iter_inputs(paths):
        if isinstance(entry, RejectedInput):
            yield Rejection(entry.where or "?", entry.code, entry.message, None)
        else:
            yield from _file_items(entry, max_bytes, report)


def _batches(items: Iterator[WorkItem | Rejection], size: int) -> Iterator[list[WorkItem | Rejection]]:
    batch: list[WorkItem | Rejection] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# -- the writer (parent process only) -------------------------------------------------------
LOCK_NAME = "ingest"


def document_row(doc: PreparedDocument, signature: list[int] | None, dup_of: int | None) -> Document:
    """The stored row of a prepared document, as the single-machine and the Spark writers store it."""
    return Document(
        content_hash=doc.content_hash, doc_key=doc.doc_key[:200], path=doc.path, url=doc.url,
        title=doc.title, published_at=doc.published_at, encoding=doc.encoding,
        original_text=doc.original_text, normalized_text=doc.normalized_text,
        offset_map=doc.offset_map.to_json(), segments=doc.segments_json(),
        near_duplicate_of=dup_of, minhash=signature,
        status="near_duplicate" if dup_of is not None else "extracted",
    )


def take_turn(s: Session) -> int:
    """Bump the ``ingest_lock`` row in this transaction: every writer of documents (ingest runs,
    upload jobs, Spark tasks) waits here for its turn, held until the transaction ends. Returns
    the new generation."""
    bumped = s.execute(update(IngestLock).where(IngestLock.name == LOCK_NAME)
                       .values(generation=IngestLock.generation + 1).returning(IngestLock.generation)).scalar()
    if bumped is None:  # a store migrated without its row: make it (a racing writer may too)
        try:
            with s.begin_nested():
                s.add(IngestLock(name=LOCK_NAME, generation=1))
            return 1
        except IntegrityError:
            return take_turn(s)
    return bumped


class Turns:
    """One writer's turns: ``take`` waits for the next and says whether another writer wrote
    since this one's last (a generation other than one more than its last). ``generation``:
    the generation when the writer read what it caches; None when it has read nothing yet."""

    def __init__(self, generation: int | None = None) -> None:
        self.generation = generation

    def take(self, s: Session) -> bool:
        bumped = take_turn(s)
        another = self.generation is not None and bumped != self.generation + 1
        self.generation = bumped
        return another


class Writer:
    """Stores outcomes, one transaction per document.

    Two ingests (or an ingest and an upload job) may write to one store at once. Each
    document's transaction therefore starts by bumping the ``ingest_lock`` row: writers take
    turns (a row lock on PostgreSQL, the write lock on SQLite) and each learns whether
    another wrote since its own last document. When one did, what this writer caches is
    refreshed inside its turn — the near-duplicate index with the documents stored since,
    the persister's registry and candidate lookups reloaded — so it links to the candidate
    the other just made instead of making a second one, exactly as one run would."""

    def __init__(self, store: Store, persister: Persister, report: IngestReport) -> None:
        self.store = store
        self.persister = persister
        self.report = report
        self.index = NearDuplicateIndex()
        self.last_doc = 0
        with store.session() as s:
            self.turns = Turns(s.scalar(select(IngestLock.generation).where(IngestLock.name == LOCK_NAME)) or 0)
            self._load_index(s)
            self.issue_paths: set[str] = set(s.scalars(select(IngestIssue.path)))

    def _load_index(self, s: Session) -> None:
        rows = s.execute(
            select(Document.id, Document.minhash)
            .where(Document.minhash.is_not(None), Document.near_duplicate_of.is_(None), Document.id > self.last_doc)
            .order_by(Document.id)
            .execution_options(yield_per=2000)
        )
        for doc_id, values in rows:
            self.index.load([(doc_id, values)])
            self.last_doc = max(self.last_doc, doc_id)
        self.last_doc = max(self.last_doc, s.scalar(select(func.max(Document.id))) or 0)

    def _take_turn(self, s: Session) -> None:
        """Wait for this writer's turn (held until the transaction ends); refresh what another
        writer made stale."""
        if self.turns.take(s):
            self._load_index(s)
            if callable(stale := getattr(self.persister, "stale", None)):
                stale()

    def known(self, hashes: list[str]) -> set[str]:
        if not hashes:
            return set()
        with self.store.session() as s:
            return set(s.scalars(select(Document.content_hash).where(Document.content_hash.in_(hashes))))

    def reject(self, r: Rejection) -> None:
        self.report.rejected.append(r)
        with self.store.session() as s:
            # One issue row per input: a rerun replaces it instead of piling up copies.
            s.execute(delete(IngestIssue).where(IngestIssue.path == r.where))
            s.add(IngestIssue(path=r.where, code=r.code, reason=r.reason[:2000], size=r.size))
        self.issue_paths.add(r.where)

    def write(self, outcome: Outcome) -> None:
        where = outcome.where if isinstance(outcome, Rejection) else outcome.item_where
        if outcome.seconds and (self.report.slowest is None or outcome.seconds > self.report.slowest[1]):
            self.report.slowest = (where, outcome.seconds)
        if isinstance(outcome, Rejection):
            self.reject(outcome)
            return
        self._store(outcome)

    def _store(self, out: Prepared) -> None:
        doc = out.document
        try:
            with self.store.session() as s:
                self._take_turn(s)
                # Checked before the work was sent out too; in between, a concurrent ingest
                # (or the same content under another name) may have stored it.
                if s.scalar(select(Document.id).where(Document.content_hash == doc.content_hash)) is not None:
                    self.report.unchanged += 1
                    return

                def signatures(ids: list[int]) -> dict[int, list[int]]:
                    rows = s.execute(select(Document.id, Document.minhash).where(Document.id.in_(ids)))
                    return {doc_id: values for doc_id, values in rows}

                dup_of = self.index.match(out.signature, signatures)
                row = document_row(doc, out.signature, dup_of)
                s.add(row)
                s.flush()
                if dup_of is None:
                    self.persister(s, row, doc, out.extraction)
                if out.item_where in self.issue_paths:  # the input was fixed since it was rejected
                    s.execute(delete(IngestIssue).where(IngestIssue.path == out.item_where))
                doc_id = row.id
        except IntegrityError:
            with self.store.session() as s:
                if s.scalar(select(Document.id).where(Document.content_hash == doc.content_hash)) is None:
                    raise  # not our unique key: a real error in the facts written
            self.report.unchanged += 1
            return
        self.issue_paths.discard(out.item_where)
        self.last_doc = max(self.last_doc, doc_id)
        if dup_of is not None:
            self.report.near_duplicates += 1
        elif out.signature:
            self.index.add(doc_id, out.signature)
        self.report.documents += 1


# -- driver ---------------------------------------------------------------------------------
def _progress(enabled: bool, total: int) -> Any:
    if not enabled:
        return None
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("[bold]ingest[/bold] {task.fields[docs]} docs"), BarColumn(), DownloadColumn(),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=Console(stderr=True), transient=False)


def ingest_paths(
    store: Store,
    paths: Iterable[str | Path],
    *,
    workers: int | None = None,
    progress: bool = True,
    max_bytes: int | None = None,
    extractor: str | Callable[..., Any] | None = None,
    persister: str | Persister | None = None,
    batch_size: int = BATCH,
    bounds: Limits | None = None,
) -> IngestReport:
    """Ingest files, folders and globs into ``store``; see the module docstring.

    ``extractor`` (``"module:function"`` or a picklable function taking a
    ``PreparedDocument``) and ``persister`` (``persist(session, document_row, prepared,
    extraction)``) default to ``chainatlas.extract.pipeline:extract`` and
    ``chainatlas.resolve.persist:persist``. ``bounds`` caps what one document may cost
    (``ingest.limits``; ``max_bytes`` overrides its byte limit)."""
    started = time.perf_counter()
    bounds = bounds or limits.DEFAULT
    if max_bytes is not None:
        bounds = replace(bounds, max_bytes=max_bytes)
    extractor = extractor or DEFAULT_EXTRACTOR
    if isinstance(extractor, str):
        check_available(extractor, "extractor")
    persister_spec = persister or DEFAULT_PERSISTER
    if isinstance(persister_spec, str):
        check_available(persister_spec, "persister")
    persist_fn: Persister = resolve_callable(persister_spec)
    # A persister may offer ``per_run()``: one bound to lookups cached for this run.
    if callable(factory := getattr(persist_fn, "per_run", None)):
        persist_fn = factory()
    workers = max(1, workers if workers is not None else (os.cpu_count() or 1))
    paths = list(paths)

    report = IngestReport()
    writer = Writer(store, persist_fn, report)
    bar = _progress(progress, 0)
    task = None
    if bar is not None:
        total = sum(e.size for e in iter_inputs(paths) if isinstance(e, InputFile))
        bar.start()
        task = bar.add_task("ingest", total=total or None, docs=0)

    def done(outcomes: list[Outcome], sizes: int) -> None:
        for outcome in outcomes:
            writer.write(outcome)
        if bar is not None and task is not None:
            bar.update(task, advance=sizes, docs=report.documents)

    pool = WorkerPool(workers, extractor, bounds) if workers > 1 else None
    if pool is None:
        prime(extractor)  # lazy model loading must not count against the first document's time
    # In flight: (result or future, bytes, the work items). Bounded by count and by bytes, so
    # memory stays flat whatever the corpus size (a few 20 MB files must not pile up).
    pending: deque[tuple[Future[list[Outcome]] | list[Outcome], int, list[WorkItem]]] = deque()
    in_flight = 0

    def settle() -> None:
        nonlocal in_flight
        result, size, items = pending.popleft()
        in_flight -= size
        if isinstance(result, list):
            outcomes = result
        else:
            assert pool is not None
            try:
                outcomes = pool.collect(result, items)
            except Exception as exc:  # e.g. an extraction result that cannot be pickled back
                outcomes = [Rejection(w.where, "E499", f"worker error: {type(exc).__name__}: {exc}", len(w.raw))
                            for w in items]
        done(outcomes, size)

    previous = limits.current()
    limits.use(bounds)  # inline work (one worker) reads the run's bounds too
    try:
        for batch in _batches(_items(paths, bounds.max_bytes, report), batch_size):
            work = [b for b in batch if isinstance(b, WorkItem)]
            known = writer.known([w.content_hash for w in work])
            todo = [w for w in work if w.content_hash not in known]
            report.unchanged += len(work) - len(todo)
            size = sum(len(w.raw) for w in work) + sum(r.size or 0 for r in batch if isinstance(r, Rejection))
            report.bytes += sum(len(w.raw) for w in work)
            rejected: list[Outcome] = [b for b in batch if isinstance(b, Rejection)]
            if rejected:  # issues are independent of documents: their order does not matter
                pending.append((rejected, 0, []))
            if pool is None:
                pending.append((process_batch(todo, extractor), size, todo))
            elif todo:
                pending.append((pool.submit(todo), size, todo))
            else:
                pending.append(([], size, []))
            in_flight += size
            while pending and (pool is None or len(pending) > workers * 3 or in_flight > MAX_IN_FLIGHT_BYTES):
                settle()
        while pending:
            settle()
    finally:
        limits.use(previous)
        if pool is not None:
            report.workers_replaced = pool.replaced
            pool.shutdown()
        if bar is not None:
            bar.stop()
    report.seconds = time.perf_counter() - started
    return report
