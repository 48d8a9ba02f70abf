"""The standards search index: tantivy, beside the store, kept in step with it.

Why tantivy: measured at 10^6 titles (bench/standards.py, ../shared/notes/search-and-scale.md),
SQLite FTS5 with bm25 and facet GROUP BYs misses a 20 ms p95, PostgreSQL GIN + ts_rank more so;
tantivy answers ranked, filtered, faceted queries in a few ms. It has no Python tokenizer hook,
so titles are cut by jieba here and indexed as whitespace-separated tokens (``words``), next to
character bigrams (``grams``, with positions) that make any query word an exact-substring phrase.

Consistency with the store: every import bumps the catalogue revision (``standard_import.id``)
and stamps the rows it touched. ``state.json`` in the index directory records the revision and
row count the index holds; ``sync`` re-indexes the stamped rows after an import, and anything
it cannot account for (a missing or damaged index, a store that moved backwards) is rebuilt
into a fresh directory that replaces the old one by rename — a kill at any point leaves either
the old index with its old state (synced again on next use) or none (rebuilt).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import tantivy
from sqlalchemy import func, select
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session

from chainatlas.standards.text import GAP, bigrams, index_tokens
from chainatlas.store import Store
from chainatlas.store.models import Standard, StandardImport

log = logging.getLogger(__name__)

SCHEMA_VERSION = 4  # bump when tokens or fields change: indexes are rebuilt
# The status again as a number: a numeric fast field is read for a page of hits without loading them.
STATUS_RANK = {"现行": 2, "即将实施": 1, "废止": 0}
_EPOCH = date(1970, 1, 1)
_lock = threading.Lock()
_open: dict[str, tuple[int, tantivy.Index]] = {}


def index_dir(store: Store) -> Path:
    """``chainatlas.db`` → ``chainatlas.db.standards-index``; a PostgreSQL store gets a directory
    under ``CHAINATLAS_INDEX_DIR`` (default ``./chainatlas-index``) named after its URL."""
    base = os.environ.get("CHAINATLAS_INDEX_DIR")
    url = make_url(store.url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:" and not base:
        return Path(url.database).resolve().with_name(Path(url.database).name + ".standards-index")
    digest = hashlib.sha1(url.render_as_string(hide_password=True).encode()).hexdigest()[:16]
    return Path(base or "chainatlas-index") / f"standards-{digest}"


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    sb.add_text_field("ref", tokenizer_name="raw", index_option="basic")  # str(id): the delete-by-term key
    sb.add_text_field("words", tokenizer_name="ws", index_option="freq")
    sb.add_text_field("grams", tokenizer_name="ws", index_option="position")
    for name in ("status", "kind", "area"):
        sb.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    sb.add_unsigned_field("year", indexed=True, fast=True)
    sb.add_unsigned_field("rank", fast=True)  # STATUS_RANK
    sb.add_integer_field("day", fast=True)  # effective (else published) date, days since 1970
    return sb.build()


SCHEMA = _schema()


def _register(index: tantivy.Index) -> tantivy.Index:
    # tantivy keeps tokenizers per process: register on every open, or queries on "ws" fields fail.
    index.register_tokenizer("ws", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
    return index


@dataclass
class IndexState:
    revision: int
    stamp: str  # when that import ran: a store rebuilt from scratch to the same revision differs here
    count: int
    schema: int = SCHEMA_VERSION


def read_state(directory: Path) -> IndexState | None:
    try:
        raw = json.loads((directory / "state.json").read_text())
        return IndexState(int(raw["revision"]), str(raw["stamp"]), int(raw["count"]), int(raw.get("schema", 0)))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_state(directory: Path, state: IndexState) -> None:
    tmp = directory / "state.json.tmp"
    tmp.write_text(json.dumps(state.__dict__))
    os.replace(tmp, directory / "state.json")


_REVISION = select(StandardImport.__table__.c.id, StandardImport.__table__.c.imported_at).order_by(
    StandardImport.__table__.c.id.desc()).limit(1)


def store_revision(s: Session | Connection) -> tuple[int, str]:
    """The latest import (a primary-key lookup: this runs before every search)."""
    row = s.execute(_REVISION).first()
    if not row:
        return 0, ""
    stamp = row[1] if isinstance(row[1], str) else row[1].isoformat(sep=" ")
    return row[0], stamp[:19]


def _count(s: Session) -> int:
    return s.scalar(select(func.count()).select_from(Standard)) or 0


def _doc(row: tuple) -> tantivy.Document:
    sid, title, title_en, status, kind, area, year, effective, published = row
    text = f"{title} {title_en or ''}"
    grams = bigrams(text)
    if grams and grams[-1] == GAP:
        grams.pop()
    day = effective or published
    doc = tantivy.Document()
    doc.add_unsigned("id", sid)
    doc.add_text("ref", str(sid))
    doc.add_text("words", " ".join(index_tokens(text)))
    doc.add_text("grams", " ".join(grams))
    doc.add_text("status", status)
    doc.add_text("kind", kind)
    doc.add_text("area", area or "-")
    doc.add_unsigned("year", year or 0)
    doc.add_unsigned("rank", STATUS_RANK.get(status, 0))
    doc.add_integer("day", (day - _EPOCH).days if day else 0)
    return doc


_COLUMNS = (Standard.id, Standard.title, Standard.title_en, Standard.status, Standard.kind, Standard.area,
            Standard.year, Standard.effective_on, Standard.published_on)


def _rows(s: Session, where: object | None = None, batch: int = 5000) -> Iterable[tuple]:
    last = 0
    while True:
        q = select(*_COLUMNS).where(Standard.id > last)
        if where is not None:
            q = q.where(where)
        rows = s.execute(q.order_by(Standard.id).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def rebuild(store: Store, *, progress: Callable[[int], None] | None = None) -> IndexState:
    """Build the whole index in a fresh directory and swap it in."""
    target = index_dir(store)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.building-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    index = _register(tantivy.Index(SCHEMA, path=str(tmp)))
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    with store.session() as s:
        rev, stamp = store_revision(s)
        n = 0
        for row in _rows(s):
            writer.add_document(_doc(row))
            n += 1
            if progress and n % 10000 == 0:
                progress(n)
        if progress:
            progress(n)
    writer.commit()
    writer.wait_merging_threads()
    _write_state(tmp, IndexState(rev, stamp, n))
    old = target.with_name(f"{target.name}.old-{os.getpid()}")
    with _lock:
        if target.exists():
            os.replace(target, old)
        os.replace(tmp, target)
        _open.pop(str(target), None)
    shutil.rmtree(old, ignore_errors=True)
    return IndexState(rev, stamp, n)


def sync(store: Store) -> IndexState:
    """Bring the index up to the store: re-index rows stamped after the index's revision,
    rebuild when that cannot account for the difference."""
    directory = index_dir(store)
    state = read_state(directory)
    with store.session() as s:
        rev, stamp = store_revision(s)
        if state is not None and state.schema == SCHEMA_VERSION and state.revision == rev and state.stamp == stamp:
            return state
        if state is None or state.schema != SCHEMA_VERSION or state.revision >= rev:
            return rebuild(store)
        index = _register(tantivy.Index.open(str(directory)))
        try:
            writer = index.writer(heap_size=64_000_000, num_threads=1)
        except ValueError:  # another process holds the writer (an import is syncing): read what is there
            log.info("standards index busy; serving revision %s", state.revision)
            return state
        for row in _rows(s, Standard.revision > state.revision):
            writer.delete_documents_by_term("ref", str(row[0]))
            writer.add_document(_doc(row))
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        n = index.searcher().num_docs
        count = _count(s)
    if n != count:
        log.warning("standards index holds %s documents, the store %s: rebuilding", n, count)
        return rebuild(store)
    new = IndexState(rev, stamp, n)
    _write_state(directory, new)
    with _lock:
        _open.pop(str(directory), None)
    return new


def open_index(store: Store, conn: Connection | None = None) -> tantivy.Index:
    """The index for searching, synced first; cached per process while its state is unchanged.
    ``conn``: check the store's revision on this connection (one indexed lookup) before anything else."""
    directory = index_dir(store)
    key = str(directory)
    if conn is not None:
        rev = store_revision(conn)[0]
        with _lock:
            cached = _open.get(key)
        on_disk = read_state(directory)  # a small file: a deleted or damaged index is noticed at once
        if cached is not None and cached[0] == rev and on_disk is not None and on_disk.revision == rev:
            return cached[1]
    state = sync(store)
    with _lock:
        cached = _open.get(key)
        if cached is not None and cached[0] == state.revision:
            return cached[1]
    index = _register(tantivy.Index.open(key))
    with _lock:
        _open[key] = (state.revision, index)
    return index


def drop(store: Store) -> None:
    """Remove the index (``standards reindex`` rebuilds it)."""
    directory = index_dir(store)
    with _lock:
        _open.pop(str(directory), None)
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(directory)
