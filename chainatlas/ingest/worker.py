"""What runs in a worker process: prepare (read, decode, normalize, segment), extract and
sign one work item. Everything here is CPU-bound and touches no database; results go
back to the parent, which alone writes (one transaction per document)."""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chainatlas.ingest import limits
from chainatlas.ingest.dedupe import body_signature
from chainatlas.ingest.errors import EXTRACT_FAILED, MEMORY_LIMIT, TIME_LIMIT, RejectedInput
from chainatlas.ingest.prepare import PreparedDocument, prepare_bytes, prepare_record

Extractor = Callable[[PreparedDocument], Any]
DEFAULT_EXTRACTOR = "chainatlas.extract.pipeline:extract"


@dataclass
class WorkItem:
    """One document to prepare: a whole file, or one JSON Lines record."""

    where: str           # path, or path:line for a JSON line
    path: str
    raw: bytes
    content_hash: str
    line_no: int | None = None


@dataclass
class Rejection:
    where: str
    code: str
    reason: str
    size: int | None
    seconds: float = 0.0  # work time spent on it in a worker


@dataclass
class Prepared:
    item_where: str
    document: PreparedDocument
    extraction: Any
    signature: list[int] | None
    seconds: float = 0.0


Outcome = Prepared | Rejection


def resolve_callable(spec: str | Callable[..., Any]) -> Callable[..., Any]:
    """``"package.module:function"`` → the function (picklable specs cross process bounds)."""
    if callable(spec):
        return spec
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


_cache: dict[str, Callable[..., Any]] = {}


def _extractor(spec: str | Callable[..., Any]) -> Callable[..., Any]:
    if callable(spec):
        return spec
    if spec not in _cache:
        _cache[spec] = resolve_callable(spec)
    return _cache[spec]


def warm_up(extractor: str | Callable[..., Any], parent_pid: int | None = None,
            bounds: limits.Limits | None = None) -> None:
    """Pool initializer: take the run's bounds, import the extractor (and its lexicons) once
    per worker, and exit with the ingest process: a worker waits for work forever, so after a
    ``kill -9`` of its parent it would linger holding its memory (it is a child of the
    forkserver, not of the killed process, so nothing else tells it).

    The worker's address space is capped (RLIMIT_AS): a document that needs more fails its
    allocation with MemoryError, is named (E438) and the worker goes on; if native code
    aborts instead, the parent replaces the worker and names the document (E432)."""
    if bounds is not None:
        limits.use(bounds)
        cap_memory(bounds.worker_memory)
    prime(extractor)
    if parent_pid is not None:
        threading.Thread(target=_exit_with, args=(parent_pid,), name="chainatlas-parent-watch", daemon=True).start()


def parent_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed parent not yet reaped by its own parent is a zombie (Linux)
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return True


def _exit_with(pid: int, every: float = 1.0) -> None:
    while parent_alive(pid):
        time.sleep(every)
    os._exit(0)


_PRIMER = "泰州医药城新签约项目20个,总投资85亿元,江苏泰康生物医药有限公司投资建设疫苗生产基地。".encode()


def prime(extractor: str | Callable[..., Any]) -> None:
    """Import the extractor and run it once on a sample: models and lexicons load lazily on
    first use (seconds, more on a busy machine), and that must not count against the first
    real document's time limit."""
    fn = _extractor(extractor)
    # An extractor that dislikes the sample still works on real pages.
    with contextlib.suppress(Exception):
        fn(prepare_bytes(_PRIMER, name="warm-up.txt"))


def cap_memory(most: int) -> None:
    try:
        import resource
    except ImportError:  # not on this platform: the parent's time bound still holds
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        most = min(most, hard)
    if soft == resource.RLIM_INFINITY or most < soft:
        resource.setrlimit(resource.RLIMIT_AS, (most, hard))


class TimeUp(BaseException):
    """Raised in a worker by its alarm when one document has used up its work time. A
    BaseException, so that no ``except Exception`` on the way can swallow it."""


def _time_up(_signum: int, _frame: object) -> None:
    raise TimeUp


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """SIGALRM after ``seconds`` (main thread only: elsewhere the parent's watchdog, which
    replaces a worker stuck in native code, is the bound)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    previous = signal.signal(signal.SIGALRM, _time_up)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def process(item: WorkItem, extractor: str | Callable[..., Any]) -> Outcome:
    bound = limits.current()
    started = time.perf_counter()
    try:
        with time_limit(bound.seconds):
            outcome = _process(item, extractor)
        outcome.seconds = time.perf_counter() - started
        return outcome
    except TimeUp:
        spent = time.perf_counter() - started
        return Rejection(item.where, TIME_LIMIT, f"set aside after {spent:.0f} s: reading and extraction take "
                         f"longer than the limit of {bound.seconds:g} s a document (--max-seconds)", len(item.raw), spent)
    except MemoryError:
        return Rejection(item.where, MEMORY_LIMIT, "needs more memory than a worker may use "
                         f"({bound.worker_memory // (1024 * 1024)} MB, --max-memory)", len(item.raw),
                         time.perf_counter() - started)


def _process(item: WorkItem, extractor: str | Callable[..., Any]) -> Outcome:
    try:
        if item.line_no is not None:
            from chainatlas.ingest.readers.jsonl import parse_line

            record = parse_line(item.line_no, item.raw, where=item.path)
            doc = prepare_record(record, path=Path(item.path))
        else:
            doc = prepare_bytes(item.raw, name=Path(item.path).name, path=item.path)
    except RejectedInput as exc:
        return Rejection(exc.where or item.where, exc.code, exc.message, exc.size if exc.size is not None
                         else len(item.raw))
    except MemoryError:
        raise
    except Exception as exc:  # a reader bug must not stop the run: report the file and go on
        return Rejection(item.where, "E499", f"unexpected error while reading: {type(exc).__name__}: {exc}",
                         len(item.raw))
    try:
        extraction = _extractor(extractor)(doc)
    except MemoryError:
        raise
    except Exception as exc:
        tb = traceback.format_exc(limit=3).strip().splitlines()[-1]
        return Rejection(item.where, EXTRACT_FAILED, f"extraction failed: {type(exc).__name__}: {exc} ({tb})",
                         len(item.raw))
    return Prepared(item.where, doc, extraction, body_signature(doc.body_text()))


def process_batch(items: list[WorkItem], extractor: str | Callable[..., Any]) -> list[Outcome]:
    return [process(item, extractor) for item in items]
