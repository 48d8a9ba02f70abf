"""Write one document's extraction into the store: evidence spans, mentions linked to registry
organizations / parks / new candidates, figures, events, chain nodes.

Re-persisting a document replaces its previous facts (idempotent); organizations and
candidates are shared across documents and never duplicated.

Cost: lookups go to a ``ResolveCache`` (registry keys, parks, regions, chain nodes) read
once per ingest run — ``persist.per_run()`` gives the pipeline a persister bound to one —
and rows are written in two batched flushes (evidence spans, then the facts pointing at
them), so a document costs a handful of statements whatever its number of mentions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.orm import Session

from chainatlas.extract.text import DocumentView
from chainatlas.extract.types import Extraction, Span
from chainatlas.store.models import (
    NON_SUPPLY_KINDS,
    Document,
    Event,
    EvidenceSpan,
    Mention,
    Metric,
    OrganizationNode,
)

from .linker import Link, Linker, ResolveCache


def _evidence(document: Document, view: DocumentView, span: Span) -> dict[str, Any]:
    o1, o2 = span.orig_start, span.orig_end
    if o1 is None or o2 is None:
        o1, o2 = view.to_original(span.start, span.end)
    return {"document_id": document.id, "start": span.start, "end": span.end,
            "orig_start": o1 if o1 is not None else span.start,
            "orig_end": o2 if o2 is not None else span.end, "text": span.text}


# Every fact persist writes carries an evidence span of its document: none, nothing to clear.
_HAS_EVIDENCE = select(EvidenceSpan.id).where(EvidenceSpan.document_id == bindparam("doc")).limit(1)
# One multi-row INSERT … RETURNING. Rows come back in no guaranteed order (asking for parameter
# order makes SQLite insert row by row), so ids are matched on the span itself: two spans with
# the same offsets in one document are the same evidence, either id fits either.
_INSERT_EVIDENCE = insert(EvidenceSpan).returning(EvidenceSpan.id, EvidenceSpan.start, EvidenceSpan.end,
                                                  EvidenceSpan.orig_start, EvidenceSpan.orig_end)


def clear_document(session: Session, document: Document) -> None:
    """Drop the facts of a previous extraction of this document (one query when there are none)."""
    if session.scalar(_HAS_EVIDENCE, {"doc": document.id}) is None:
        return
    for model in (Mention, Metric, Event):
        session.execute(delete(model).where(model.document_id == document.id))
    session.execute(delete(OrganizationNode).where(OrganizationNode.evidence_id.in_(
        select(EvidenceSpan.id).where(EvidenceSpan.document_id == document.id))).where(
        OrganizationNode.source == "news"))
    session.execute(delete(EvidenceSpan).where(EvidenceSpan.document_id == document.id))


def _iso_date(value: str | None) -> date | None:
    """The event's resolved date on the timeline: a day, or the first day of a stated month
    (去年9月 → 2023-09-01); a half, quarter or bare year is too vague to place and stays null
    (``date_text`` keeps what the page says)."""
    from chainatlas.extract.dates import first_day

    if not value or not re.fullmatch(r"\d{4}-\d{2}(?:-\d{2})?", value):
        return None
    return first_day(value)


@dataclass
class DocumentPlan:
    """What resolving one document's extraction decided, before any of its rows are written:
    the organization (or park) of each extracted organization, the chain nodes each newly takes
    (a placement is made by the first document that finds it), the document's region and nodes.
    Made in input order under the writers' turn; the rows it implies can be written later, by
    any writer, in any order (the Spark path writes them in parallel)."""

    links: list[Link]
    places: list[list[tuple[str, float]]]  # per organization: (node id, confidence)
    region_adcode: str | None
    node_ids: list[str] | None


def plan_document(session: Session, extraction: Extraction, cache: ResolveCache, source: str,
                  placed: dict[int, set[str]] | None = None) -> DocumentPlan:
    """Link every organization of ``extraction`` (making candidates and aliases as needed) and
    decide its new placements. ``placed``: the nodes each organization has so far, read from the
    store for the organizations not in it and updated with this plan's placements (a caller that
    plans many documents before writing them keeps one dict across them)."""
    placed = {} if placed is None else placed
    linker = Linker(session, cache)
    lookups = linker.cache
    links = [linker.link(org, region_adcode=lookups.adcode(org.region), source=source)
             for org in extraction.organizations]
    linked = {link.organization_id for link in links if link.organization_id is not None}
    unread = [oid for oid in linked if oid not in placed]
    if unread and any(org.node_ids for org in extraction.organizations):
        for oid in unread:
            placed[oid] = set()
        for oid, node_id in session.execute(select(OrganizationNode.organization_id, OrganizationNode.node_id)
                                            .where(OrganizationNode.organization_id.in_(unread))):
            placed[oid].add(node_id)
    places: list[list[tuple[str, float]]] = []
    for org, link in zip(extraction.organizations, links, strict=True):
        oid = link.organization_id
        # A bureau that announces a 原料药 plan is not a 原料药 firm: only suppliers take chain nodes.
        if oid is None or org.kind in NON_SUPPLY_KINDS or not org.node_ids:
            places.append([])
            continue
        places.append(_place(org.node_ids, lookups.nodes, org.confidence, placed.setdefault(oid, set())))
    return DocumentPlan(links, places, lookups.adcode(extraction.region),
                        [n for n in extraction.node_ids if n in lookups.nodes] or None)


def persist(session: Session, document_row: Document, prepared: Any, extraction: Extraction, *,
            cache: ResolveCache | None = None) -> None:
    """Store ``extraction`` of ``prepared`` under ``document_row`` (which must have an id).

    ``cache``: lookups shared across the documents of one run (see ``per_run``); without
    one they are read afresh for this call."""
    if document_row.id is None:
        session.add(document_row)
        session.flush()
    clear_document(session, document_row)  # before planning: its old placements are not "already there"
    plan = plan_document(session, extraction, cache if cache is not None else ResolveCache(),
                         f"news:{document_row.doc_key}")
    write_document(session, document_row, prepared, extraction, plan)


def write_document(session: Session, document_row: Document, prepared: Any, extraction: Extraction,
                   plan: DocumentPlan, *, racing: bool = False) -> None:
    """The rows of a planned document: evidence spans, mentions, placements, figures, events.
    ``racing``: other writers may place the same organization at once (a placement already
    there is then kept instead of failing the transaction). A document re-persisted is cleared first (``persist``)."""
    view = DocumentView(prepared)
    links = plan.links

    # 1. All evidence spans in one batched insert.
    mention_ev = [[_evidence(document_row, view, m.span) for m in org.mentions] for org in extraction.organizations]
    metric_ev = [_evidence(document_row, view, m.span) for m in extraction.metrics]
    event_ev = [_evidence(document_row, view, e.span) for e in extraction.events]
    spans = [ev for evs in mention_ev for ev in evs] + metric_ev + event_ev
    if spans:
        returned: dict[tuple[int, int, int, int], list[int]] = {}
        for ev_id, *key in session.execute(_INSERT_EVIDENCE, spans):
            returned.setdefault(tuple(key), []).append(ev_id)  # type: ignore[arg-type]
        for ev in spans:
            ev["id"] = returned[(ev["start"], ev["end"], ev["orig_start"], ev["orig_end"])].pop()

    # 2. The facts pointing at them, one batched insert per table.
    mentions: list[dict[str, Any]] = []
    nodes: list[dict[str, Any]] = []
    org_ids: dict[str, int] = {}
    for org, link, evs, places in zip(extraction.organizations, links, mention_ev, plan.places, strict=True):
        for mention, ev in zip(org.mentions, evs, strict=True):
            mentions.append({
                "document_id": document_row.id, "organization_id": link.organization_id, "park_id": link.park_id,
                "surface": (mention.span.orig_text or mention.span.text)[:200], "kind": org.kind,
                "segment": (org.segment or None) and org.segment[:32],
                "region": (org.region or None) and org.region[:64], "evidence_id": ev["id"],
            })
        if link.organization_id is not None:
            for alias in org.surfaces():
                org_ids[alias] = link.organization_id
        nodes += [{"organization_id": link.organization_id, "node_id": node_id, "source": "news",
                   "confidence": confidence, "evidence_id": evs[0]["id"] if evs else None}
                  for node_id, confidence in places]

    region_adcode = plan.region_adcode
    metrics = [{
        "document_id": document_row.id, "subject": metric.subject, "value": metric.value, "unit": metric.unit[:16],
        "year": metric.year, "text": metric.text[:64], "qualifier": (metric.qualifier or None) and metric.qualifier[:8],
        "organization_id": org_ids.get(metric.organization or ""), "region_adcode": region_adcode,
        "evidence_id": ev["id"],
    } for metric, ev in zip(extraction.metrics, metric_ev, strict=True)]

    events = [{
        "document_id": document_row.id, "type": e.type, "subject": e.subject,
        "organization_id": org_ids.get(e.subject or ""),
        "date_text": (e.date_text or None) and e.date_text[:32], "date": _iso_date(e.date),
        "amount": e.amount, "text": e.text, "region_adcode": region_adcode, "evidence_id": ev["id"],
    } for e, ev in zip(extraction.events, event_ev, strict=True)]

    for model, values in ((Mention, mentions), (Metric, metrics), (Event, events)):
        if values:
            session.execute(insert(model), values)
    if nodes:
        session.execute(_insert_placements(session, racing), nodes)
    document_row.node_ids = plan.node_ids
    document_row.region_adcode = document_row.region_adcode or region_adcode
    session.flush()


def _insert_placements(session: Session, racing: bool) -> Any:
    if not racing:
        return insert(OrganizationNode)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(OrganizationNode).on_conflict_do_nothing(index_elements=["organization_id", "node_id"])
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(OrganizationNode).on_conflict_do_nothing(index_elements=["organization_id", "node_id"])


class RunPersister:
    """``persist`` bound to one run's ``ResolveCache``; ``stale()`` drops the cache when
    another writer changed the store (the ingest writer calls it in its turn)."""

    def __init__(self) -> None:
        self.cache = ResolveCache()

    def __call__(self, session: Session, document_row: Document, prepared: Any, extraction: Extraction) -> None:
        persist(session, document_row, prepared, extraction, cache=self.cache)

    def stale(self) -> None:
        self.cache.invalidate()


def per_run() -> Callable[[Session, Document, Any, Extraction], None]:
    """A persister for one ingest run: the registry, parks, regions and chain nodes are read
    once and kept current with the run's own writes (``ingest_paths`` calls this)."""
    return RunPersister()


persist.per_run = per_run  # type: ignore[attr-defined]
persist.plan_write = (plan_document, write_document)  # type: ignore[attr-defined]  # the Spark path plans in order, writes in parallel


def _place(node_ids: list[str], known: set[str], confidence: float, have: set[str]) -> list[tuple[str, float]]:
    """New placements from news as (node id, confidence); an existing placement (registry,
    manual or an earlier document's) is kept. ``have``: the organization's nodes so far (updated)."""
    rows: list[tuple[str, float]] = []
    for rank, node_id in enumerate(node_ids or []):
        if node_id in have or node_id not in known:
            continue
        rows.append((node_id, round(max(0.1, confidence - 0.15 * rank) * 0.8, 3)))
        have.add(node_id)
    return rows
