"""Write one document's extraction into the store: evidence spans, mentions linked to registry
organizations / parks / new candidates, figures, events, chain nodes.

Re-persisting a document replaces its previous facts (idempotent); organizations and
candidates are shared across documents and never duplicated.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from chainatlas.extract.text import DocumentView
from chainatlas.extract.types import Extraction, Span
from chainatlas.store.models import (
    ChainNode,
    Document,
    Event,
    EvidenceSpan,
    Mention,
    Metric,
    OrganizationNode,
    Region,
)

from .linker import Linker


class _Regions:
    """Region name (泰州, 泰州市, 武汉) → adcode, most general division first."""

    def __init__(self, session: Session) -> None:
        from chainatlas.regions.lookup import LEVEL_RANK, short_name

        self.by_name: dict[str, tuple[int, str]] = {}
        for r in session.scalars(select(Region)):
            for key in {r.name, r.short_name or short_name(r.name)}:
                cand = (LEVEL_RANK.get(r.level, 3), r.adcode)
                if key not in self.by_name or cand < self.by_name[key]:
                    self.by_name[key] = cand

    def adcode(self, name: str | None) -> str | None:
        if not name:
            return None
        hit = self.by_name.get(name)
        return hit[1] if hit else None


def _evidence(session: Session, document: Document, view: DocumentView, span: Span) -> EvidenceSpan:
    o1, o2 = span.orig_start, span.orig_end
    if o1 is None or o2 is None:
        o1, o2 = view.to_original(span.start, span.end)
    ev = EvidenceSpan(document_id=document.id, start=span.start, end=span.end,
                      orig_start=o1 if o1 is not None else span.start,
                      orig_end=o2 if o2 is not None else span.end, text=span.text)
    session.add(ev)
    return ev


def clear_document(session: Session, document: Document) -> None:
    """Drop the facts of a previous extraction of this document."""
    for model in (Mention, Metric, Event):
        session.execute(delete(model).where(model.document_id == document.id))
    session.execute(delete(OrganizationNode).where(OrganizationNode.evidence_id.in_(
        select(EvidenceSpan.id).where(EvidenceSpan.document_id == document.id))).where(
        OrganizationNode.source == "news"))
    session.execute(delete(EvidenceSpan).where(EvidenceSpan.document_id == document.id))


def _iso_date(value: str | None) -> date | None:
    if not value or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def persist(session: Session, document_row: Document, prepared: Any, extraction: Extraction) -> None:
    """Store ``extraction`` of ``prepared`` under ``document_row`` (which must have an id)."""
    if document_row.id is None:
        session.add(document_row)
        session.flush()
    clear_document(session, document_row)
    view = DocumentView(prepared)
    regions = _Regions(session)
    linker = Linker(session)
    known_nodes = set(session.scalars(select(ChainNode.id)))
    source = f"news:{document_row.doc_key}"

    org_ids: dict[str, int] = {}
    for org in extraction.organizations:
        adcode = regions.adcode(org.region)
        link = linker.link(org, region_adcode=adcode, source=source)
        first_ev: EvidenceSpan | None = None
        for mention in org.mentions:
            ev = _evidence(session, document_row, view, mention.span)
            session.flush()
            first_ev = first_ev or ev
            session.add(Mention(
                document_id=document_row.id,
                organization_id=link.organization.id if link.organization else None,
                park_id=link.park.id if link.park else None,
                surface=(mention.span.orig_text or mention.span.text)[:200], kind=org.kind,
                segment=(org.segment or None) and org.segment[:32], region=(org.region or None) and org.region[:64],
                evidence_id=ev.id,
            ))
        if link.organization is not None:
            for alias in org.surfaces():
                org_ids[alias] = link.organization.id
            _place(session, link.organization.id, org.node_ids, known_nodes, org.confidence, first_ev)

    for metric in extraction.metrics:
        ev = _evidence(session, document_row, view, metric.span)
        session.flush()
        session.add(Metric(
            document_id=document_row.id, subject=metric.subject, value=metric.value, unit=metric.unit[:16],
            year=metric.year, text=metric.text[:64], qualifier=(metric.qualifier or None) and metric.qualifier[:8],
            organization_id=org_ids.get(metric.organization or ""),
            region_adcode=regions.adcode(extraction.region), evidence_id=ev.id,
        ))

    for event in extraction.events:
        ev = _evidence(session, document_row, view, event.span)
        session.flush()
        session.add(Event(
            document_id=document_row.id, type=event.type, subject=event.subject,
            organization_id=org_ids.get(event.subject or ""),
            date_text=(event.date_text or None) and event.date_text[:32], date=_iso_date(event.date),
            amount=event.amount, text=event.text, region_adcode=regions.adcode(extraction.region),
            evidence_id=ev.id,
        ))

    document_row.node_ids = [n for n in extraction.node_ids if n in known_nodes] or None
    document_row.region_adcode = document_row.region_adcode or regions.adcode(extraction.region)
    session.flush()


def _place(session: Session, organization_id: int, node_ids: list[str], known: set[str], confidence: float,
           evidence: EvidenceSpan | None) -> None:
    """OrganizationNode rows from news; an existing placement (registry or manual) is kept."""
    if not node_ids:
        return
    have = set(session.scalars(select(OrganizationNode.node_id).where(
        OrganizationNode.organization_id == organization_id)))
    for rank, node_id in enumerate(node_ids):
        if node_id in have or node_id not in known:
            continue
        session.add(OrganizationNode(
            organization_id=organization_id, node_id=node_id, source="news",
            confidence=round(max(0.1, confidence - 0.15 * rank) * 0.8, 3),
            evidence_id=evidence.id if evidence else None,
        ))
        have.add(node_id)
