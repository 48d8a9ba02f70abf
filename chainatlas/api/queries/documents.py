"""Documents (news feed, reader) and events."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chainatlas.api.queries.regions import in_region, region_index, resolve_region
from chainatlas.store.models import ChainNode, Document, Event, EvidenceSpan, Mention, Metric, Organization

EXCERPT = 120


def _excerpt(doc: Document) -> str:
    """The start of the article body (first 'body' segment), not the site navigation."""
    text = doc.normalized_text or ""
    for seg in doc.segments or []:
        if len(seg) >= 3 and seg[2] == "body":
            return text[seg[0]:seg[0] + EXCERPT].strip()
    return text[:EXCERPT].strip()


def list_documents(session: Session, *, region: str | None = None, node: str | None = None,
                   subchain: str | None = None, limit: int = 20, offset: int = 0) -> tuple[list[dict], int]:
    stmt = select(Document).where(Document.near_duplicate_of.is_(None))
    if region:
        stmt = stmt.where(in_region(Document.region_adcode, resolve_region(session, region)))
    docs_for_nodes: list[str] = []
    if subchain:
        docs_for_nodes = list(session.scalars(select(ChainNode.id).where(ChainNode.subchain == subchain)))
    if node:
        docs_for_nodes = [node]
    if docs_for_nodes:
        # node_ids is a JSON list; documents carry few nodes, so filtering the (region-cut,
        # date-ordered) rows in Python keeps one code path for SQLite and PostgreSQL.
        rows = [d for d in session.scalars(stmt.order_by(Document.published_at.desc().nulls_last(), Document.id.desc()))
                if set(d.node_ids or []) & set(docs_for_nodes)]
        total, page = len(rows), rows[offset:offset + limit]
    else:
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        page = list(session.scalars(stmt.order_by(Document.published_at.desc().nulls_last(), Document.id.desc())
                                    .limit(limit).offset(offset)))
    idx = region_index(session)
    names = dict(session.execute(select(ChainNode.id, ChainNode.name)).all())
    return [{
        "id": d.id, "title": d.title or d.doc_key, "url": d.url, "published_at": d.published_at.isoformat()
        if d.published_at else None, "region_adcode": d.region_adcode,
        "region_name": idx.by_code[d.region_adcode].name if d.region_adcode in idx.by_code else None,
        "nodes": [{"id": n, "name": names.get(n, n)} for n in (d.node_ids or [])],
        "excerpt": _excerpt(d),
    } for d in page], total


def document_detail(session: Session, doc_id: int) -> dict | None:
    d = session.get(Document, doc_id)
    if d is None:
        return None
    spans: list[dict] = []
    for m, ev, org_name in session.execute(
        select(Mention, EvidenceSpan, Organization.name).join(EvidenceSpan, EvidenceSpan.id == Mention.evidence_id)
        .outerjoin(Organization, Organization.id == Mention.organization_id).where(Mention.document_id == doc_id)
    ):
        spans.append({"kind": "org", "start": ev.start, "end": ev.end, "orig_start": ev.orig_start,
                      "orig_end": ev.orig_end, "organization_id": m.organization_id,
                      "title": org_name or m.surface, "surface": m.surface})
    for mt, ev in session.execute(select(Metric, EvidenceSpan).join(EvidenceSpan, EvidenceSpan.id == Metric.evidence_id)
                                  .where(Metric.document_id == doc_id)):
        spans.append({"kind": "figure", "start": ev.start, "end": ev.end, "orig_start": ev.orig_start,
                      "orig_end": ev.orig_end, "title": f"{mt.subject}: {mt.text}" + (f" ({mt.year})" if mt.year else ""),
                      "value": mt.value, "unit": mt.unit, "year": mt.year, "subject": mt.subject,
                      "organization_id": mt.organization_id})
    for e, ev in session.execute(select(Event, EvidenceSpan).join(EvidenceSpan, EvidenceSpan.id == Event.evidence_id)
                                 .where(Event.document_id == doc_id)):
        spans.append({"kind": "event", "start": ev.start, "end": ev.end, "orig_start": ev.orig_start,
                      "orig_end": ev.orig_end, "title": f"{e.type} {e.date or e.date_text or ''}".strip(),
                      "type": e.type, "date": e.date.isoformat() if e.date else e.date_text, "amount": e.amount,
                      "date_text": e.date_text,
                      "organization_id": e.organization_id, "event_id": e.id})
    idx = region_index(session)
    return {
        "id": d.id, "title": d.title or d.doc_key, "url": d.url, "path": d.path,
        "published_at": d.published_at.isoformat() if d.published_at else None, "encoding": d.encoding,
        "region_adcode": d.region_adcode,
        "region_name": idx.by_code[d.region_adcode].name if d.region_adcode in idx.by_code else None,
        "node_ids": d.node_ids or [], "near_duplicate_of": d.near_duplicate_of,
        "normalized_text": d.normalized_text, "original_text": d.original_text,
        "segments": d.segments or [], "spans": sorted(spans, key=lambda s: (s["start"], -s["end"])),
    }


def list_events(session: Session, *, region: str | None = None, type: str | None = None,
                organization_id: int | None = None, limit: int = 20, offset: int = 0) -> tuple[list[dict], int]:
    stmt = select(Event, Organization.name, Document.title).join(Document, Document.id == Event.document_id) \
        .outerjoin(Organization, Organization.id == Event.organization_id)
    if region:
        stmt = stmt.where(in_region(Event.region_adcode, resolve_region(session, region)))
    if type:
        stmt = stmt.where(Event.type == type)
    if organization_id:
        stmt = stmt.where(Event.organization_id == organization_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(stmt.order_by(Event.date.desc().nulls_last(), Event.id.desc()).limit(limit).offset(offset))
    idx = region_index(session)
    return [{
        "id": e.id, "type": e.type, "subject": e.subject, "organization_id": e.organization_id,
        "organization_name": org_name, "date": e.date.isoformat() if e.date else e.date_text,
        "amount": e.amount, "text": e.text, "document_id": e.document_id, "document_title": title,
        "region_adcode": e.region_adcode,
        "region_name": idx.by_code[e.region_adcode].name if e.region_adcode in idx.by_code else None,
        "node_id": e.node_id,
    } for e, org_name, title in rows], total
