"""Standards ↔ chain nodes, enterprises and news.

A standard applies to the nodes whose product keywords its title names, or whose keywords its
catalogue technical area names (the taxonomy's ``match_text``). An enterprise sees the standards
of its nodes; a news document those of its nodes and every standard number its text cites.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from chainatlas.standards.numbers import find_numbers
from chainatlas.store.models import ChainNode, Document, OrganizationNode, Standard, StandardNode

STATUS_ORDER = {"现行": 0, "即将实施": 1, "废止": 2}


def nodes_for(title: str, area: str | None, subarea: str | None) -> dict[str, str]:
    """node id → why (``标题:keyword`` or ``领域:keyword``)."""
    from chainatlas.taxonomy.index import TaxonomyIndex

    index = TaxonomyIndex.load()
    out: dict[str, str] = {}
    for hit in index.match_text(title):
        out.setdefault(hit.node_id, f"标题:{hit.keyword}")
    for text in (area, subarea):
        if text:
            for hit in index.match_text(text):
                out.setdefault(hit.node_id, f"领域:{hit.keyword}")
    return out


def link_standards(s: Session, standards: list[Standard]) -> int:
    if not standards:
        return 0
    s.flush()
    known = set(s.scalars(select(ChainNode.id)))
    ids = [st.id for st in standards]
    for i in range(0, len(ids), 500):
        s.execute(delete(StandardNode).where(StandardNode.standard_id.in_(ids[i:i + 500])))
    rows = []
    for st in standards:
        for node_id, via in nodes_for(st.title, st.area, st.subarea).items():
            if node_id in known:
                rows.append(StandardNode(standard_id=st.id, node_id=node_id, via=via[:64]))
    s.add_all(rows)
    s.flush()
    return len(rows)




def standards_for_nodes(s: Session, node_ids: list[str], *, limit: int = 20) -> tuple[int, list[Standard]]:
    """Current standards first, then upcoming, then withdrawn; newest first within each."""
    if not node_ids:
        return 0, []
    ids = list(dict.fromkeys(s.scalars(select(StandardNode.standard_id).where(StandardNode.node_id.in_(node_ids)))))
    if not ids:
        return 0, []
    rows: list[Standard] = []
    for i in range(0, len(ids), 500):
        rows.extend(s.scalars(select(Standard).where(Standard.id.in_(ids[i:i + 500]))))
    rows.sort(key=lambda st: (STATUS_ORDER.get(st.status, 3), -(st.year or 0), st.number))
    return len(rows), rows[:limit]


def standards_for_org(s: Session, org_id: int, *, limit: int = 20) -> tuple[int, list[Standard]]:
    nodes = list(s.scalars(select(OrganizationNode.node_id).where(OrganizationNode.organization_id == org_id)))
    return standards_for_nodes(s, nodes, limit=limit)


def cited_standards(s: Session, text: str) -> list[tuple[str, Standard | None]]:
    """Every standard number cited in ``text`` (as written) with the catalogue entry it names, if any."""
    out: list[tuple[str, Standard | None]] = []
    seen: set[str] = set()
    for start, end, num in find_numbers(text):
        if num.key in seen:
            continue
        seen.add(num.key)
        st = s.scalar(select(Standard).where(Standard.key == num.key)) if num.year else None
        if st is None:
            st = s.scalars(select(Standard).where(Standard.base_key == num.base_key)
                           .order_by(Standard.year.desc())).first()
        out.append((text[start:end], st))
    return out


def standards_for_document(s: Session, doc_id: int, *, limit: int = 10) -> dict[str, object]:
    doc = s.get(Document, doc_id)
    if doc is None:
        return {"cited": [], "total": 0, "applicable": []}
    cited = cited_standards(s, doc.normalized_text or "")
    total, applicable = standards_for_nodes(s, list(doc.node_ids or []), limit=limit)
    return {"cited": cited, "total": total, "applicable": applicable}
