"""Drill-down on one chain node in a region: its local organizations (paged, with revenue,
tiers and the evidence that placed them on the node), its suppliers and customers, and for a
gap or a thin node the ranked candidates from elsewhere."""

from __future__ import annotations

from sqlalchemy.orm import Session

from chainatlas.analyse.candidates import national_candidates, rank_candidates, related_candidates
from chainatlas.analyse.coverage import coverage
from chainatlas.analyse.data import load_chain_data, load_far_details
from chainatlas.analyse.evidence import evidence, hydrate, org_ref, rel_ref
from chainatlas.analyse.report import node_row, region_index
from chainatlas.analyse.scope import resolve_scope
from chainatlas.errors import AnalyseError


def node_detail(session: Session, region: str, node_id: str, *, limit: int = 50, offset: int = 0,
                year: int | None = None) -> dict:
    scope = resolve_scope(session, region, region_index(session))
    data = load_chain_data(session, scope, year=year)
    if node_id not in data.nodes:
        raise AnalyseError(f"no chain node {node_id!r}", code="E604")
    nc = next(n for n in coverage(data) if n.id == node_id)
    subtree = data.subtree()[node_id]
    orgs = sorted(nc.orgs, key=lambda o: (-(o.latest_revenue(data.year)[1] or 0), o.name))
    items = []
    for o in orgs[offset:offset + limit]:
        ref = org_ref(o, data.year)
        rels = data.rels.infos(data.links_of(o.id))
        ref.update(nodes=sorted(o.nodes), suppliers=sum(1 for r in rels if r.customer_id == o.id),
                   customers=sum(1 for r in rels if r.supplier_id == o.id),
                   evidence=evidence(data, orgs=[o], relations=rels, nodes=subtree))
        items.append(ref)
    inbound = data.supplied_into(subtree)
    candidates: list[dict] = []
    if nc.count <= 2 or nc.status in ("gap", "weak"):
        load_far_details(session, data, data.external_ids_on(subtree).tolist())
        candidates = rank_candidates(related_candidates(data, subtree, limit=20),
                                     national_candidates(session, data, [node_id], k=20).get(node_id, []), limit=20)
    row = node_row(nc, data)
    row.pop("top_organizations")
    out = {
        "region": scope.as_dict(), "year": data.year, "node": row,
        "organizations": {"total": len(orgs), "limit": limit, "offset": offset, "items": items},
        "suppliers_into_region": [rel_ref(r, data) for r in inbound[:50]],
        "candidates": candidates,
    }
    return hydrate(session, out, data)  # type: ignore[return-value]
