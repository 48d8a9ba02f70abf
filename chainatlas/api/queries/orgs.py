"""Organization list (filters, sort, pagination) and profile."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from chainatlas.api.queries.regions import in_region, region_index, resolve_region
from chainatlas.store.models import (
    NON_SUPPLY_KINDS,
    ChainNode,
    Document,
    Event,
    EvidenceSpan,
    Mention,
    Organization,
    OrganizationAlias,
    OrganizationNode,
    Park,
    Relation,
    Tier,
    YearlyFigure,
)

SORTS = ("revenue", "name", "-revenue", "id")


@dataclass(frozen=True)
class OrgFilter:
    region: str | None = None
    node: str | None = None
    tier: str | None = None
    park: int | None = None
    kind: str | None = None
    q: str | None = None
    sort: str = "revenue"

    def as_params(self) -> dict[str, str]:
        """Query-string form, so pages and exports link to exactly the same list."""
        return {k: str(v) for k, v in self.__dict__.items() if v not in (None, "")}


def latest_revenue():  # type: ignore[no-untyped-def]
    """Correlated scalar: the organization's most recent 营业收入 (万元). Per-row index
    lookups stay cheap because the region/node filters cut the set first."""
    yf = aliased(YearlyFigure)
    return (
        select(yf.value).where(yf.organization_id == Organization.id, yf.kind == "revenue")
        # A dated figure first; one of unknown year (年度未知) only when the organization has no other.
        .order_by(yf.year.desc().nulls_last()).limit(1).correlate(Organization).scalar_subquery()
    )


def _filtered(session: Session, f: OrgFilter) -> Select:
    stmt = select(Organization.id)
    if f.region:
        stmt = stmt.where(in_region(Organization.region_adcode, resolve_region(session, f.region)))
    if f.node:
        # A node includes its children (化学药 → 原料药, 制剂 …) as the chain map draws them.
        child_ids = [f.node, *session.scalars(select(ChainNode.id).where(ChainNode.parent_id == f.node))]
        stmt = stmt.where(exists().where(OrganizationNode.organization_id == Organization.id,
                                         OrganizationNode.node_id.in_(child_ids)),
                          Organization.kind.notin_(NON_SUPPLY_KINDS))  # as the chain map counts
    if f.tier:
        stmt = stmt.where(exists().where(Tier.organization_id == Organization.id, Tier.label == f.tier))
    if f.park:
        stmt = stmt.where(Organization.park_id == f.park)
    if f.kind:
        stmt = stmt.where(Organization.kind == f.kind)
    if f.q:
        like = f"%{f.q.strip()}%"
        stmt = stmt.where(or_(Organization.name.like(like), Organization.uscc == f.q.strip(),
                              exists().where(OrganizationAlias.organization_id == Organization.id,
                                             OrganizationAlias.alias.like(like))))
    return stmt


def list_orgs(session: Session, f: OrgFilter, *, limit: int = 50, offset: int = 0,
              with_total: bool = True) -> tuple[list[dict], int | None]:
    base = _filtered(session, f)
    total = session.scalar(select(func.count()).select_from(base.subquery())) if with_total else None
    rev = latest_revenue().label("revenue")
    stmt = (base.add_columns(Organization.name, Organization.uscc, Organization.kind, Organization.region_adcode,
                             Organization.park_id, Organization.is_candidate, Organization.synthetic, rev))
    if f.sort == "name":
        stmt = stmt.order_by(Organization.name, Organization.id)
    elif f.sort == "id":
        stmt = stmt.order_by(Organization.id)
    elif f.sort == "-revenue":
        stmt = stmt.order_by(rev.asc().nulls_first(), Organization.id)
    else:
        stmt = stmt.order_by(rev.desc().nulls_last(), Organization.id)
    rows = session.execute(stmt.limit(limit).offset(offset)).all()
    return decorate(session, rows), total


def decorate(session: Session, rows: list) -> list[dict]:
    """Tiers, nodes and park names for one page of rows in three batched queries."""
    ids = [r.id for r in rows]
    tiers: dict[int, list[str]] = {}
    nodes: dict[int, list[dict]] = {}
    if ids:
        for oid, label in session.execute(select(Tier.organization_id, Tier.label).where(Tier.organization_id.in_(ids))
                                          .order_by(Tier.organization_id, Tier.label)):
            if label not in tiers.setdefault(oid, []):
                tiers[oid].append(label)
        for oid, nid, name in session.execute(
            select(OrganizationNode.organization_id, ChainNode.id, ChainNode.name)
            .join(ChainNode, ChainNode.id == OrganizationNode.node_id).where(OrganizationNode.organization_id.in_(ids))
        ):
            nodes.setdefault(oid, []).append({"id": nid, "name": name})
    # Whose shown revenue has no year: every revenue figure of theirs is 年度未知.
    undated: set[int] = set()
    if ids:
        undated = set(session.scalars(
            select(YearlyFigure.organization_id).where(YearlyFigure.organization_id.in_(ids),
                                                       YearlyFigure.kind == "revenue")
            .group_by(YearlyFigure.organization_id).having(func.max(YearlyFigure.year).is_(None))))
    park_ids = {r.park_id for r in rows if r.park_id}
    parks = dict(session.execute(select(Park.id, Park.name).where(Park.id.in_(park_ids))).all()) if park_ids else {}
    idx = region_index(session)
    out = []
    for r in rows:
        reg = idx.by_code.get(r.region_adcode) if r.region_adcode else None
        out.append({
            "id": r.id, "name": r.name, "uscc": r.uscc, "kind": r.kind, "region_adcode": r.region_adcode,
            "region_name": reg.name if reg else None, "park_id": r.park_id, "park_name": parks.get(r.park_id),
            "revenue_wan": r.revenue, "revenue_undated": r.id in undated,
            "tiers": tiers.get(r.id, []), "nodes": nodes.get(r.id, []),
            "is_candidate": bool(r.is_candidate), "synthetic": bool(r.synthetic),
        })
    return out


def org_profile(session: Session, org_id: int, *, mention_limit: int = 100) -> dict | None:
    o = session.get(Organization, org_id)
    if o is None:
        return None
    idx = region_index(session)
    region_chain = [{"adcode": r.adcode, "name": r.name} for r in idx.parents(o.region_adcode)] if o.region_adcode else []
    park = session.get(Park, o.park_id) if o.park_id else None
    other = aliased(Organization)
    relations = []
    for rel, oid, oname, direction in [
        *[(r, i, n, "out") for r, i, n in session.execute(
            select(Relation, other.id, other.name).join(other, other.id == Relation.target_id)
            .where(Relation.source_id == org_id).limit(200))],
        *[(r, i, n, "in") for r, i, n in session.execute(
            select(Relation, other.id, other.name).join(other, other.id == Relation.source_id)
            .where(Relation.target_id == org_id).limit(200))],
    ]:
        relations.append({"type": rel.type, "direction": direction, "other_id": oid, "other_name": oname,
                          "source": rel.source, "evidence": rel.evidence, "weight": rel.weight,
                          "date": rel.date.isoformat() if rel.date else None})
    nodes = [{"id": n.id, "name": n.name, "subchain": n.subchain, "stage": n.stage, "source": on.source,
              "confidence": on.confidence, "basis": on.basis}
             for on, n in session.execute(select(OrganizationNode, ChainNode)
                                          .join(ChainNode, ChainNode.id == OrganizationNode.node_id)
                                          .where(OrganizationNode.organization_id == org_id)
                                          .order_by(OrganizationNode.confidence.desc(), ChainNode.id))]
    events = [{"id": e.id, "type": e.type, "date": e.date.isoformat() if e.date else e.date_text, "amount": e.amount,
               "date_text": e.date_text, "text": e.text, "document_id": e.document_id}
              for e in session.scalars(select(Event).where(Event.organization_id == org_id)
                                       .order_by(Event.date.desc().nulls_last()).limit(100))]
    mentions = [{"document_id": d_id, "title": title, "published_at": pub.isoformat() if pub else None,
                 "surface": surface, "sentence": sentence_around(text_, start, end), "start": start, "end": end}
                for d_id, title, pub, surface, text_, start, end in session.execute(
                    select(Document.id, Document.title, Document.published_at, Mention.surface,
                           Document.normalized_text, EvidenceSpan.start, EvidenceSpan.end)
                    .join(Mention, Mention.document_id == Document.id)
                    .join(EvidenceSpan, EvidenceSpan.id == Mention.evidence_id)
                    .where(Mention.organization_id == org_id)
                    .order_by(Document.published_at.desc().nulls_last(), Document.id).limit(mention_limit))]
    return {
        "id": o.id, "name": o.name, "uscc": o.uscc, "kind": o.kind, "region_adcode": o.region_adcode,
        "region": region_chain, "park": {"id": park.id, "name": park.name} if park else None,
        "founded": o.founded.isoformat() if o.founded else None, "listing_code": o.listing_code,
        "industry_code": o.industry_code, "is_candidate": o.is_candidate, "synthetic": o.synthetic, "source": o.source,
        "aliases": [a.alias for a in o.aliases],
        "tiers": [{"label": t.label, "issuer": t.issuer, "year": t.year_granted, "expires": t.expires,
                   "source": t.source} for t in sorted(o.tiers, key=lambda t: (t.year_granted or 0, t.label))],
        "figures": [{"year": f.year, "kind": f.kind, "value": f.value, "unit": f.unit, "source": f.source,
                     "undated": f.year is None}
                    for f in sorted(o.figures, key=lambda f: (f.kind, f.year is None, f.year or 0))],
        "nodes": nodes, "relations": relations, "events": events, "mentions": mentions,
    }


_STOPS = "。！？!?；;\n"


def sentence_around(text: str, start: int, end: int, *, limit: int = 160) -> dict:
    """The sentence holding [start, end) split in three parts (before, match, after) so the
    template can mark the match while escaping every part."""
    s = start
    while s > 0 and text[s - 1] not in _STOPS and start - s < limit:
        s -= 1
    e = end
    while e < len(text) and text[e - 1:e] not in _STOPS and e - end < limit:
        e += 1
    return {"before": text[s:start], "match": text[start:end], "after": text[end:e]}

