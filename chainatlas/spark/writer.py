"""What runs on the executors: skip content already stored, prepare → extract → sign (the
single-machine worker's ``process``), and write batches of documents with their facts into
PostgreSQL, one transaction per batch.

Resolving organizations is the one order-dependent step (a candidate is made by the first
document that names it, renamed when a fuller name appears): it runs first, in input order,
in one task (``link_partition``), planning every document's links and placements
(``resolve.persist.plan_document``) under the writers' turn (``ingest.pipeline.take_turn``,
the row the single-machine writers bump too, so a Spark job and an ``ingest`` at the same time
take turns). The documents and their facts, the bulk of the writing, are then written by every
executor in parallel from those plans (``write_planned``). A persister without a plan/write
split (a test's fake) is run whole, in input order, by one task (``write_partition``).
The expensive part — reading and extraction — runs in parallel before all of this."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import delete, select

from chainatlas.extract.types import Extraction
from chainatlas.ingest.pipeline import Turns, document_row
from chainatlas.ingest.worker import Prepared, Rejection, WorkItem, process, resolve_callable
from chainatlas.resolve.linker import ResolveCache
from chainatlas.spark.inputs import OrderKey
from chainatlas.store import Store
from chainatlas.store.models import Document, IngestIssue

KNOWN_BATCH = 500
T = TypeVar("T")

_stores: dict[str, Store] = {}


def store_for(url: str) -> Store:
    """One engine per Python worker process (Spark reuses workers across tasks)."""
    if url not in _stores:
        _stores[url] = Store(url)
    return _stores[url]


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


@dataclass
class Done:
    """A prepared document or a rejection, as it travels between stages (pickled once)."""

    key: OrderKey
    content_hash: str | None
    signature: list[int] | None
    size: int
    payload: bytes  # pickled Prepared or Rejection

    def outcome(self) -> Prepared | Rejection:
        return pickle.loads(self.payload)


def _known(store: Store, hashes: list[str]) -> set[str]:
    if not hashes:
        return set()
    with store.session() as s:
        return set(s.scalars(select(Document.content_hash).where(Document.content_hash.in_(hashes))))


def prepare_partition(rows: Iterable[tuple[OrderKey, WorkItem | Rejection]], url: str,
                      extractor: str) -> Iterator[Done]:
    """Stage one: every work item not already stored, prepared and extracted."""
    store = store_for(url)

    def flush(batch: list[tuple[OrderKey, WorkItem]]) -> Iterator[Done]:
        known = _known(store, [w.content_hash for _, w in batch])
        for key, item in batch:
            if item.content_hash in known:
                yield Done(key, item.content_hash, None, len(item.raw), b"")  # already stored: unchanged
                continue
            outcome = process(item, extractor)
            if isinstance(outcome, Prepared):
                yield Done(key, item.content_hash, outcome.signature, len(item.raw), pickle.dumps(outcome))
            else:
                yield Done(key, None, None, len(item.raw), pickle.dumps(outcome))

    batch: list[tuple[OrderKey, WorkItem]] = []
    for key, item in rows:
        if isinstance(item, Rejection):
            yield Done(key, None, None, item.size or 0, pickle.dumps(item))
            continue
        batch.append((key, item))
        if len(batch) >= KNOWN_BATCH:
            yield from flush(batch)
            batch = []
    if batch:
        yield from flush(batch)


def planned_persister(spec: str) -> tuple[Callable[..., Any], Callable[..., Any]] | None:
    """The (plan, write) halves of a persister that has them (``persist.plan_write``)."""
    halves = getattr(resolve_callable(spec), "plan_write", None)
    return halves if isinstance(halves, tuple) else None


def link_input(d: Done) -> tuple[OrderKey, bytes]:
    """What planning a document needs (its organizations, region and nodes, and its key for the
    candidates' source), without its text."""
    out = d.outcome()
    assert isinstance(out, Prepared)
    ex = out.extraction
    lite = Extraction(organizations=ex.organizations, node_ids=ex.node_ids, region=ex.region)
    return d.key, pickle.dumps((lite, f"news:{out.document.doc_key}"))


def link_partition(rows: Iterable[tuple[OrderKey, bytes]], url: str, persister: str,
                   batch_size: int) -> Iterator[tuple[OrderKey, bytes]]:
    """Plan every document, in the order given (the driver sorts them into one partition):
    candidates and aliases are written here, one transaction per batch, in the writers' turn."""
    halves = planned_persister(persister)
    assert halves is not None
    plan = halves[0]
    store = store_for(url)
    cache = ResolveCache()
    placed: dict[int, set[str]] = {}
    turns = Turns()
    for batch in _batches(rows, batch_size):
        out = []
        try:
            with store.session() as s:
                if turns.take(s):  # another writer wrote since this task's last batch
                    cache.invalidate()
                    placed.clear()
                for key, raw in batch:
                    extraction, source = pickle.loads(raw)
                    out.append((key, pickle.dumps(plan(s, extraction, cache, source, placed))))
        except BaseException:
            placed.clear()  # the cache drops itself on rollback
            raise
        yield from out


def write_planned(rows: Iterable[tuple[OrderKey, tuple[Done, bytes]]], url: str, persister: str,
                  batch_size: int) -> Iterator[tuple[int, int, int]]:
    """Store planned documents, one transaction per batch, alongside the other executors: no
    turn to wait for (each placement was planned for one document; one already made by a
    concurrent single-machine writer is kept)."""
    halves = planned_persister(persister)
    assert halves is not None
    write = halves[1]
    store = store_for(url)
    stored = unchanged = 0
    for batch in _batches((pair for _, pair in rows), batch_size):
        with store.session() as s:
            known = set(s.scalars(select(Document.content_hash).where(
                Document.content_hash.in_([d.content_hash for d, _ in batch]))))
            wheres = []
            for d, raw in sorted(batch, key=lambda x: x[0].key):
                if d.content_hash in known:
                    unchanged += 1
                    continue
                out = d.outcome()
                assert isinstance(out, Prepared)
                row = document_row(out.document, out.signature, None)
                s.add(row)
                s.flush()
                write(s, row, out.document, out.extraction, pickle.loads(raw), racing=True)
                known.add(d.content_hash)
                wheres.append(out.item_where)
                stored += 1
            if wheres:  # an input rejected by an earlier run has since been fixed
                s.execute(delete(IngestIssue).where(IngestIssue.path.in_(wheres)))
    yield stored, unchanged, 0


class _Persister:
    """A task's persister and its place in the writers' turns."""

    def __init__(self, spec: str) -> None:
        fn = resolve_callable(spec)
        factory = getattr(fn, "per_run", None)
        self.persist: Callable[..., Any] = factory() if callable(factory) else fn
        self.turns = Turns()

    def take_turn(self, s: Any) -> None:
        if self.turns.take(s) and callable(stale := getattr(self.persist, "stale", None)):
            stale()


def write_partition(done: Iterable[Done], url: str, persister: str, batch_size: int,
                    links: dict[OrderKey, tuple[int, object]], hashes_of_links: dict[OrderKey, str]) -> Iterator[
                        tuple[int, int, int]]:
    """Stage two (and three): store documents in batches; yields (stored, unchanged,
    near-duplicates) once per partition. ``links`` maps a near-duplicate's order key to what it
    duplicates: (0, stored id) or (1, order key of a document of this run, whose content hash
    is in ``hashes_of_links``)."""
    store = store_for(url)
    persist = _Persister(persister)
    totals = [0, 0, 0]
    for batch in _batches(done, batch_size):
        for i, n in enumerate(_write_batch(store, batch, persist, links, hashes_of_links)):
            totals[i] += n
    yield (totals[0], totals[1], totals[2])


def _write_batch(store: Store, batch: list[Done], persister: _Persister,
                 links: dict[OrderKey, tuple[int, object]], hashes_of_links: dict[OrderKey, str]) -> tuple[
                     int, int, int]:
    stored = dups = 0
    with store.session() as s:
        persister.take_turn(s)
        # Inside the turn: what an earlier attempt of this task, or another run, stored meanwhile.
        known = set(s.scalars(select(Document.content_hash).where(
            Document.content_hash.in_([d.content_hash for d in batch]))))
        targets: dict[str, int] = {}
        wanted = [hashes_of_links[link[1]] for d in batch  # type: ignore[index]
                  if (link := links.get(d.key)) is not None and link[0] == 1]
        if wanted:
            targets = dict(s.execute(select(Document.content_hash, Document.id)
                                     .where(Document.content_hash.in_(wanted))).all())
        wheres = []
        for d in sorted(batch, key=lambda d: d.key):
            if d.content_hash in known:
                continue
            out = d.outcome()
            assert isinstance(out, Prepared)
            doc = out.document
            link = links.get(d.key)
            dup_of: int | None = None
            if link is not None:
                dup_of = link[1] if link[0] == 0 else targets.get(hashes_of_links[link[1]])  # type: ignore[assignment,index]
                if dup_of is None:
                    raise RuntimeError(f"{out.item_where}: the document it nearly duplicates is not stored yet")
            row = document_row(doc, out.signature, dup_of)
            s.add(row)
            s.flush()
            if dup_of is None:
                persister.persist(s, row, doc, out.extraction)
            else:
                dups += 1
            known.add(doc.content_hash)
            wheres.append(out.item_where)
            stored += 1
        if wheres:  # an input rejected by an earlier run has since been fixed
            s.execute(delete(IngestIssue).where(IngestIssue.path.in_(wheres)))
    return stored, len(batch) - stored, dups


def write_rejections(store: Store, rejections: list[Rejection]) -> None:
    """One issue row per input (a rerun replaces it), all in one transaction."""
    if not rejections:
        return
    with store.session() as s:
        s.execute(delete(IngestIssue).where(IngestIssue.path.in_([r.where for r in rejections])))
        s.add_all(IngestIssue(path=r.where, code=r.code, reason=r.reason[:2000], size=r.size) for r in rejections)
