"""Chain map of a region (click a node → organizations, evidence, candidate suppliers) and
side-by-side region compare."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from chainatlas.api.deps import SessionDep
from chainatlas.api.queries.orgs import OrgFilter, decorate, latest_revenue, list_orgs
from chainatlas.api.queries.regions import adcode_range, in_region, region_index, resolve_region
from chainatlas.api.queries.taxonomy import list_subchains, node_detail, node_names
from chainatlas.regions import split_region_list
from chainatlas.standards.links import standards_for_nodes
from chainatlas.store.models import ChainNode, Document, EvidenceSpan, Organization, OrganizationNode
from chainatlas.web import chain_view as cv
from chainatlas.web.views.base import lang_of, render, vocab_label

router = APIRouter(include_in_schema=False)


def _node_evidence(session: SessionDep, node_ids: list[str], region_info, limit: int = 8) -> list[dict]:  # type: ignore[no-untyped-def]
    """Sentences that placed local organizations on the node (news evidence spans)."""
    rows = session.execute(
        select(Organization.id, Organization.name, EvidenceSpan.text, Document.id, Document.title)
        .join(OrganizationNode, OrganizationNode.organization_id == Organization.id)
        .join(EvidenceSpan, EvidenceSpan.id == OrganizationNode.evidence_id)
        .join(Document, Document.id == EvidenceSpan.document_id)
        .where(OrganizationNode.node_id.in_(node_ids), in_region(Organization.region_adcode, region_info))
        .limit(limit)).all()
    return [{"org_id": r[0], "org_name": r[1], "text": r[2], "document_id": r[3], "title": r[4]} for r in rows]


def _candidates(session: SessionDep, node_ids: list[str], region_info, limit: int = 10) -> list[dict]:  # type: ignore[no-untyped-def]
    """Organizations on the node outside the region, biggest first: whom to attract or buy from."""
    lo, hi = adcode_range(region_info)
    rev = latest_revenue().label("revenue")
    rows = session.execute(
        select(Organization.id, Organization.name, Organization.uscc, Organization.kind, Organization.region_adcode,
               Organization.park_id, Organization.is_candidate, Organization.synthetic, rev)
        .where(Organization.id.in_(select(OrganizationNode.organization_id)
                                   .where(OrganizationNode.node_id.in_(node_ids))))
        .where((Organization.region_adcode < lo) | (Organization.region_adcode > hi))
        .where(Organization.is_candidate.is_(False))
        .order_by(rev.desc().nulls_last(), Organization.id).limit(limit)).all()
    return decorate(session, rows)


@router.get("/chain/{region}")
def chain_map(region: str, request: Request, session: SessionDep, node: str | None = None,
              subchain: str | None = None) -> Response:
    info = resolve_region(session, region)
    report = cv.region_report(session, info.adcode)
    names = node_names(session)
    data = cv.map_data(session, report, info.adcode)
    if subchain:
        # One sub-chain and the nodes that feed it from other sub-chains: readable at a glance.
        own = {n["id"] for n in data["nodes"] if n["subchain"] == subchain}
        feeders = {link["from"] for link in data["links"] if link["to"] in own}
        data["nodes"] = [n for n in data["nodes"] if n["id"] in own or n["id"] in feeders]
    data["selected"], data["subchain"] = node, subchain
    lang = lang_of(request)
    for n in data["nodes"]:  # the drawing's sub-chain headings in the page's language
        n["subchain_name"] = vocab_label(lang, "subchain", n["subchain"], n.get("subchain_name"))
    panel = None
    if node and node in names:
        ids = [node, *session.scalars(select(ChainNode.id).where(ChainNode.parent_id == node))]
        orgs, total = list_orgs(session, OrgFilter(region=info.adcode, node=node), limit=15)
        found = [(key, f) for key in ("gaps", "choke_points", "bottlenecks")
                 for f in cv.findings(report, key, names, 1000) if f["node_id"] == node]
        finding = found[0][1] if found else None
        # A gap the region also voices as a need (堵点) shows both: why it is needed, and who said so.
        voiced = next((f for key, f in found[1:] if key == "bottlenecks"), None)
        idx = region_index(session)
        candidates = [{**c, "region_name": c.get("region_name") or (idx.by_code[c["region_adcode"]].name
                       if c.get("region_adcode") in idx.by_code else None),
                       "revenue_wan": c.get("revenue_wan", c.get("revenue"))}
                      for c in ((finding or {}).get("candidates") or _candidates(session, ids, info))]
        status = cv.node_status(report)
        detail = node_detail(session, node)
        # What feeds this node and what it feeds, each with its status here: for 疫苗 this is
        # the answer to "what is missing in our vaccine chain" at a glance.
        links = {key: [{"id": i, "name": names.get(i, i), "status": status.get(i, "absent")}
                       for i in (detail or {}).get(key, [])] for key in ("inputs", "feeds")}
        panel = {
            "node": detail, "status": status.get(node, "absent"), "links": links,
            "orgs": orgs, "total": total, "finding": finding,
            "voiced": voiced,
            "evidence": _node_evidence(session, ids, info),
            # The analysis ranks candidates with reasons (relations to local firms first);
            # a plain same-node ranking by revenue stands in when it has none for this node.
            "candidates": candidates,
            "standards": standards_for_nodes(session, ids, limit=8),  # 标准云享站: (total, rows)
        }
    by_sub: dict[str, list[dict]] = {}
    for n in data["nodes"]:
        by_sub.setdefault(n["subchain"], []).append(n)
    return render(request, "chain_map.html", region=info, map_data=data, panel=panel, subchain=subchain,
                  subchains=list_subchains(session), by_sub=by_sub,
                  gaps=cv.findings(report, "gaps", names, 50), chokes=cv.findings(report, "choke_points", names, 50),
                  bottlenecks=cv.findings(report, "bottlenecks", names, 50))


@router.get("/compare")
def compare(request: Request, session: SessionDep, regions: str = "泰州,泰安", subchain: str | None = None,
            all_nodes: bool = False) -> Response:
    infos = []
    for name in split_region_list(regions)[:4]:
        infos.append(resolve_region(session, name))
    columns = []
    for info in infos:
        report = cv.region_report(session, info.adcode)
        status = cv.node_status(report)
        counts = {n["id"]: n for n in cv.map_data(session, report, info.adcode)["nodes"]}
        columns.append({"region": info, "status": status, "nodes": counts, "ladder": cv.ladder(report),
                        "gaps": len(report.get("gaps") or []), "chokes": len(report.get("choke_points") or [])})
    nodes = cv.map_data(session, {"nodes": []}, "")["nodes"]
    if subchain:
        nodes = [n for n in nodes if n["subchain"] == subchain]
    hidden = 0
    if not all_nodes:
        # 158 rows is a scroll, not a comparison: keep the nodes where some region has firms or a finding.
        shown = [n for n in nodes if any(c["status"].get(n["id"], "absent") != "absent" for c in columns)]
        hidden, nodes = len(nodes) - len(shown), shown
    return render(request, "compare.html", regions_param=regions, columns=columns, nodes=nodes, subchain=subchain,
                  subchains=list_subchains(session), all_nodes=all_nodes, hidden=hidden)
