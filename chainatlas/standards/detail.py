"""One standard with everything its page and ``GET /api/standards/{id}`` show: fields, the
replacement chain (every edition linked by 代替 / 被代替, oldest first), adoptions, dated changes,
linked chain nodes, enterprises on those nodes and news citing its number."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from chainatlas.standards.numbers import find_numbers, parse
from chainatlas.store.models import (
    ChainNode,
    Document,
    Organization,
    OrganizationNode,
    Standard,
    StandardAdoption,
    StandardChange,
    StandardNode,
    StandardReplacement,
)

FIELDS = ("number", "title", "title_en", "status", "kind", "year", "ccs", "ics", "published_on", "effective_on",
          "withdrawn_on", "authority", "committee", "domain", "area", "subarea", "source", "synthetic")


def _iso(v: object) -> object:
    return v.isoformat() if hasattr(v, "isoformat") else v


def replacement_chain(s: Session, key: str, *, limit: int = 30) -> list[dict]:
    """Walk 代替 links both ways from ``key``; each edition with its status and dates when catalogued."""
    seen = {key}
    frontier = [key]
    edges: list[StandardReplacement] = []
    while frontier and len(seen) < limit:
        rows = list(s.scalars(select(StandardReplacement).where(or_(StandardReplacement.old_key.in_(frontier),
                                                                    StandardReplacement.new_key.in_(frontier)))))
        frontier = []
        for r in rows:
            if r not in edges:
                edges.append(r)
            for k in (r.old_key, r.new_key):
                if k not in seen:
                    seen.add(k)
                    frontier.append(k)
    numbers = {r.old_key: r.old_number for r in edges} | {r.new_key: r.new_number for r in edges}
    numbers.setdefault(key, key)
    known = {st.key: st for st in s.scalars(select(Standard).where(Standard.key.in_(list(seen))))}
    out = []
    for k in seen:
        st = known.get(k)
        year = st.year if st else (parse(numbers[k]).year if numbers.get(k) else None)
        out.append({"key": k, "number": st.number if st else numbers.get(k, k), "id": st.id if st else None,
                    "status": st.status if st else None, "year": year, "current": k == key,
                    "published_on": _iso(st.published_on) if st else None,
                    "effective_on": _iso(st.effective_on) if st else None,
                    "withdrawn_on": _iso(st.withdrawn_on) if st else None,
                    "replaces": [r.old_number for r in edges if r.new_key == k],
                    "replaced_by": [r.new_number for r in edges if r.old_key == k]})
    out.sort(key=lambda e: (e["year"] or 0, e["number"]))
    return out


def citing_documents(s: Session, st: Standard, *, limit: int = 10) -> list[dict]:
    """News whose text cites this standard's number (any edition of it)."""
    out = []
    code = st.code.split(".")[0]
    for doc_id, title, text, published in s.execute(
            select(Document.id, Document.title, Document.normalized_text, Document.published_at)
            .where(Document.normalized_text.like(f"%{code}%")).limit(300)):
        if any(n.base_key == st.base_key for _, _, n in find_numbers(text or "")):
            out.append({"id": doc_id, "title": title or f"#{doc_id}", "published_at": _iso(published)})
            if len(out) >= limit:
                break
    return out


def standard_detail(s: Session, standard_id: int) -> dict | None:
    st = s.get(Standard, standard_id)
    if st is None:
        return None
    nodes = s.execute(select(ChainNode.id, ChainNode.name, ChainNode.subchain, StandardNode.via)
                      .join(StandardNode, StandardNode.node_id == ChainNode.id)
                      .where(StandardNode.standard_id == st.id).order_by(ChainNode.sort_order)).all()
    node_ids = [n.id for n in nodes]
    orgs = []
    if node_ids:
        orgs = s.execute(select(Organization.id, Organization.name).join(
            OrganizationNode, OrganizationNode.organization_id == Organization.id)
            .where(OrganizationNode.node_id.in_(node_ids)).distinct().order_by(Organization.name).limit(20)).all()
    changes = s.scalars(select(StandardChange).where(StandardChange.standard_id == st.id)
                        .order_by(StandardChange.id.desc()).limit(20))
    return {
        "id": st.id, **{f: _iso(getattr(st, f)) for f in FIELDS}, "key": st.key, "base_key": st.base_key,
        "chain": replacement_chain(s, st.key),
        "adoptions": [{"number": a.intl_number, "degree": a.degree, "title_en": a.title_en}
                      for a in s.scalars(select(StandardAdoption).where(StandardAdoption.standard_id == st.id))],
        "changes": [{"change": c.change, "old": c.old_value, "new": c.new_value, "on": _iso(c.changed_on)}
                    for c in changes],
        "nodes": [{"id": n.id, "name": n.name, "subchain": n.subchain, "via": n.via} for n in nodes],
        "organizations": [{"id": o.id, "name": o.name} for o in orgs],
        "documents": citing_documents(s, st),
    }
