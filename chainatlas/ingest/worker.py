"""What runs in a worker process: prepare (read, decode, normalize, segment), extract and
sign one work item. Everything here is CPU-bound and touches no database; results go
back to the parent, which alone writes (one transaction per document)."""

from __future__ import annotations

import importlib
import os
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chainatlas.ingest.dedupe import body_signature
from chainatlas.ingest.errors import EXTRACT_FAILED, RejectedInput
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


@dataclass
class Prepared:
    item_where: str
    document: PreparedDocument
    extraction: Any
    signature: list[int] | None


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


def warm_up(extractor: str | Callable[..., Any], parent_pid: int | None = None) -> None:
    """Pool initializer: import the extractor (and its lexicons) once per worker, and exit
    with the ingest process: a worker waits for work forever, so after a ``kill -9`` of its
    parent it would linger holding its memory (it is a child of the forkserver, not of the
    killed process, so nothing else tells it)."""
    _extractor(extractor)
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


def process(item: WorkItem, extractor: str | Callable[..., Any]) -> Outcome:
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
    except Exception as exc:  # a reader bug must not stop the run: report the file and go on
        return Rejection(item.where, "E499", f"unexpected error while reading: {type(exc).__name__}: {exc}",
                         len(item.raw))
    try:
        extraction = _extractor(extractor)(doc)
    except Exception as exc:
        tb = traceback.format_exc(limit=3).strip().splitlines()[-1]
        return Rejection(item.where, EXTRACT_FAILED, f"extraction failed: {type(exc).__name__}: {exc} ({tb})",
                         len(item.raw))
    return Prepared(item.where, doc, extraction, body_signature(doc.body_text()))


def process_batch(items: list[WorkItem], extractor: str | Callable[..., Any]) -> list[Outcome]:
    return [process(item, extractor) for item in items]
