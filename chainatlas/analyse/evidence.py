"""The ``evidence`` block every finding carries: organizations, relations, documents.

A chart drills down from a finding to these firms and then to the sentence behind a claim,
so each entry keeps its stable id. Long lists are cut to ``limit`` with the full count kept.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from chainatlas.analyse.data import ChainData, OrgInfo, RelInfo, relation_details

EVIDENCE_LIMIT = 20


def org_ref(org: OrgInfo, year: int | None = None) -> dict:
    y, rev = org.latest_revenue(year)
    return {"id": org.id, "name": org.name, "region_adcode": org.region_adcode, "local": org.local,
            "revenue": rev, "revenue_year": y, "tiers": org.tier_labels(year)}


def rel_ref(rel: RelInfo, data: ChainData) -> dict:
    """A relation as cited; ``hydrate`` fills source, sentence, date and document afterwards."""
    sup, cus = data.orgs.get(rel.supplier_id), data.orgs.get(rel.customer_id)
    ref = {"id": rel.id, "type": rel.type, "supplier_id": rel.supplier_id,
           "supplier": sup.name if sup else None, "customer_id": rel.customer_id,
           "customer": cus.name if cus else None, "source": None, "evidence": None,
           "evidence_id": None, "date": None, "document": None}
    for key, org in (("supplier", sup), ("customer", cus)):
        if org is not None and org.name is None:  # a far firm: named in one query at the end
            data.name_later(ref, key, org.id)
    data.rel_refs.append(ref)
    return ref


def _relation_refs(obj: object, found: list[dict]) -> None:
    if isinstance(obj, dict):
        if "supplier_id" in obj and "customer_id" in obj and "evidence_id" in obj:
            found.append(obj)
            return
        for v in obj.values():
            _relation_refs(v, found)
    elif isinstance(obj, list):
        for v in obj:
            _relation_refs(v, found)


def hydrate(session: Session, report: object, *datasets: ChainData) -> object:
    """Fill every cited relation's source, sentence and document with one batched lookup, and
    the names of the far organizations the findings cite. With the ``datasets`` the report was
    built from, their recorded citations are used instead of walking the whole report."""
    refs: list[dict] = []
    for data in datasets:
        data.fill_names()
        refs.extend(data.rel_refs)
    if not datasets:
        _relation_refs(report, refs)
    details = relation_details(session, sorted({r["id"] for r in refs}))
    for ref in refs:
        ref.update(details.get(ref["id"], {}))
    return report


def evidence(data: ChainData, *, orgs: Iterable[OrgInfo] = (), relations: Iterable[RelInfo] = (),
             documents: Iterable[dict] = (), nodes: Iterable[str] = (), limit: int = EVIDENCE_LIMIT,
             relation_count: int | None = None) -> dict:
    """Assemble an evidence block; documents behind node placements and relations are added.
    ``relation_count``: the relations were already cut (unique, id order) from that many."""
    org_list = list({o.id: o for o in orgs}.values())  # first-seen order (an id is one object)
    rel_list = _unique(relations, key=lambda r: r.id)
    node_set = set(nodes)
    docs = list(documents)
    for o in org_list:
        if o.node_evidence:
            for nid, evs in o.node_evidence.items():
                if not node_set or nid in node_set:
                    docs.extend(evs)
    doc_list = _unique(docs, key=lambda d: d.get("evidence_id"))
    org_refs = []
    for o in org_list[:limit]:
        ref = org_ref(o, data.year)
        if ref["name"] is None and not o.local:
            data.name_later(ref, "name", o.id)
        org_refs.append(ref)
    return {
        "organizations": org_refs,
        "organization_count": len(org_list),
        "relations": [rel_ref(r, data) for r in rel_list[:limit]],
        "relation_count": len(rel_list) if relation_count is None else relation_count,
        "documents": doc_list[:limit],
        "document_count": len(doc_list),
    }


def _unique(items: Iterable, key) -> list:  # type: ignore[no-untyped-def]
    seen: set = set()
    out = []
    for it in items:
        k = key(it)
        if k not in seen:
            seen.add(k)
            out.append(it)
    return out
