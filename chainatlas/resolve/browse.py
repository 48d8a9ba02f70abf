"""Read a stored document back with its organizations, figures and events, each with its
evidence span (normalized and original offsets) — what ``chainatlas docs show`` prints."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainatlas.store.models import Document, Event, EvidenceSpan, Mention, Metric, Organization, Park


def find_document(session: Session, ref: str) -> Document | None:
    if ref.isdigit():
        doc = session.get(Document, int(ref))
        if doc is not None:
            return doc
    return session.scalars(select(Document).where(Document.doc_key == ref).order_by(Document.id)).first()


def _evidence(ev: EvidenceSpan) -> dict[str, Any]:
    return {"start": ev.start, "end": ev.end, "orig_start": ev.orig_start, "orig_end": ev.orig_end, "text": ev.text}


def document_facts(session: Session, ref: str) -> dict[str, Any] | None:
    doc = find_document(session, ref)
    if doc is None:
        return None
    evidence = {e.id: e for e in session.scalars(select(EvidenceSpan).where(EvidenceSpan.document_id == doc.id))}
    orgs: list[dict[str, Any]] = []
    for m in session.scalars(select(Mention).where(Mention.document_id == doc.id).order_by(Mention.id)):
        if m.park_id is not None:
            park = session.get(Park, m.park_id)
            link = f"park #{m.park_id} {park.name if park else ''}"
        elif m.organization_id is not None:
            org = session.get(Organization, m.organization_id)
            link = f"{'candidate' if org and org.is_candidate else 'registry'} #{m.organization_id} " \
                   f"{org.name if org else ''}"
        else:
            link = "-"
        orgs.append({"surface": m.surface, "kind": m.kind, "segment": m.segment, "region": m.region,
                     "organization_id": m.organization_id, "park_id": m.park_id, "link": link,
                     "evidence": _evidence(evidence[m.evidence_id])})
    metrics = [
        {"subject": m.subject, "value": m.value, "unit": m.unit, "year": m.year, "text": m.text,
         "qualifier": m.qualifier, "organization_id": m.organization_id, "evidence": _evidence(evidence[m.evidence_id])}
        for m in session.scalars(select(Metric).where(Metric.document_id == doc.id).order_by(Metric.id))
    ]
    events = [
        {"type": e.type, "subject": e.subject, "organization_id": e.organization_id, "date_text": e.date_text,
         "date": e.date.isoformat() if e.date else None, "amount": e.amount, "text": e.text,
         "evidence": _evidence(evidence[e.evidence_id])}
        for e in session.scalars(select(Event).where(Event.document_id == doc.id).order_by(Event.id))
    ]
    return {
        "document": {"id": doc.id, "doc_key": doc.doc_key, "title": doc.title, "url": doc.url,
                     "published_at": doc.published_at.isoformat() if doc.published_at else None,
                     "region_adcode": doc.region_adcode, "node_ids": doc.node_ids},
        "organizations": orgs, "metrics": metrics, "events": events,
    }
