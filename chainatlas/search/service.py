"""Index maintenance and the search query with facets and highlight pieces."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from chainatlas.search.backend import backend_for
from chainatlas.search.tokenize import highlight_pieces, index_tokens, query_terms
from chainatlas.store.models import (
    ChainNode,
    Document,
    Organization,
    OrganizationAlias,
    OrganizationNode,
    Region,
    SearchPending,
)

KINDS = ("document", "organization")
BATCH = 500
MATCH_CAP = 2000  # facets are counted over at most this many best matches
_lock = threading.Lock()


@dataclass
class SearchHit:
    kind: str
    id: int
    title: str
    url: str
    score: float
    region_adcode: str | None = None
    region_name: str | None = None
    date: str | None = None
    nodes: list[dict] = field(default_factory=list)
    snippet: list[tuple[str, bool]] = field(default_factory=list)
    title_pieces: list[tuple[str, bool]] = field(default_factory=list)


@dataclass
class SearchResult:
    query: str
    terms: list[str]
    total: int
    hits: list[SearchHit]
    facets: dict[str, list[dict]]
    # Chain nodes the query names (GLP 毒理 → GLP实验室), shown above the hits.
    nodes: list[dict] = field(default_factory=list)
    # What to try when nothing matched: each term alone, the nodes' names.
    suggestions: list[str] = field(default_factory=list)


def chain_nodes_for(query: str, limit: int = 6) -> list[dict]:
    """Chain nodes named by the query or by any of its space-separated words, best first."""
    from chainatlas.taxonomy.index import TaxonomyIndex

    idx = TaxonomyIndex.load()
    best: dict[str, tuple[float, str]] = {}
    for part in dict.fromkeys([query.strip(), *query.split()]):
        for m in idx.find(part, limit=limit) if part else []:
            if m.how == "part_of" and m.score < 0.35:
                continue  # 毒 inside 病毒学: a fragment is no reason to show a node
            if m.node_id not in best or m.score > best[m.node_id][0]:
                best[m.node_id] = (m.score, m.keyword)
    ranked = sorted(best.items(), key=lambda kv: -kv[1][0])[:limit]
    return [{"id": nid, "name": idx.node(nid).name, "subchain": idx.node(nid).subchain,
             "stage": idx.node(nid).stage, "matched": kw, "url": f"/orgs?node={nid}"} for nid, (_, kw) in ranked]


def organizations_containing(s: Session, query: str, limit: int = 50) -> list[int]:
    """Organizations whose name or an alias contains the typed text: a short or stock name
    (泰邦, 奥浦迈) may tokenize differently alone than inside the full name."""
    text = "".join(query.split())
    if not 2 <= len(text) <= 40:
        return []
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    by_name = select(Organization.id).where(Organization.name.like(pattern, escape="\\"))
    by_alias = select(OrganizationAlias.organization_id).where(OrganizationAlias.alias.like(pattern, escape="\\"))
    return list(dict.fromkeys(s.scalars(by_name.limit(limit)).all() + s.scalars(by_alias.limit(limit)).all()))


def _body(doc: Document) -> str:
    """Title and article body only: sidebars and spam must not make a page match."""
    text = doc.normalized_text or ""
    segs = [sg for sg in (doc.segments or []) if len(sg) >= 3 and sg[2] == "body"]
    body = "\n".join(text[sg[0]:sg[1]] for sg in segs) if segs else text
    return f"{doc.title or ''}\n{body}"


def _org_rows(s: Session, ids: list[int]) -> list[tuple[str, int, list[str]]]:
    aliases: dict[int, list[str]] = {}
    for oid, alias in s.execute(select(OrganizationAlias.organization_id, OrganizationAlias.alias)
                                .where(OrganizationAlias.organization_id.in_(ids))):
        aliases.setdefault(oid, []).append(alias)
    nodes: dict[int, list[str]] = {}
    for oid, name in s.execute(select(OrganizationNode.organization_id, ChainNode.name)
                               .join(ChainNode, ChainNode.id == OrganizationNode.node_id)
                               .where(OrganizationNode.organization_id.in_(ids))):
        nodes.setdefault(oid, []).append(name)
    rows = []
    for oid, name, uscc, region_name in s.execute(
            select(Organization.id, Organization.name, Organization.uscc, Region.name)
            .outerjoin(Region, Region.adcode == Organization.region_adcode).where(Organization.id.in_(ids))):
        text = " ".join([name, *aliases.get(oid, []), region_name or "", *nodes.get(oid, [])])
        rows.append(("organization", oid, index_tokens(text) + ([uscc.lower()] if uscc else [])))
    return rows


def _rows(s: Session, kind: str, ids: list[int]) -> list[tuple[str, int, list[str]]]:
    if kind == "document":
        return [("document", d.id, index_tokens(_body(d))) for d in s.scalars(select(Document).where(Document.id.in_(ids)))]
    return _org_rows(s, ids)


def ensure_index(s: Session) -> dict[str, int]:
    """Bring the index up to date with the store; cheap (one query) when it is.

    Every change to a document or organization is queued in ``search_pending`` by a trigger
    in the changing transaction itself (migration 0006), so whatever order transactions
    commit in, none is missed. The first call on a store builds the whole index; later ones
    re-read just the queued rows (replaced, or removed when the row is gone)."""
    backend = backend_for(s)
    added = {"document": 0, "organization": 0}
    with _lock:
        backend.setup(s)
        built = backend.watermark(s, "built")
        if built and s.scalar(select(SearchPending.id).limit(1)) is None:
            return added
        backend.lock(s)
        if not backend.watermark(s, "built"):
            # The queue as it is before the full read: all of it is covered by that read.
            queued = list(s.scalars(select(SearchPending.id)))
            backend.clear(s)
            for kind, model in (("document", Document), ("organization", Organization)):
                mark = 0
                while True:
                    ids = list(s.scalars(select(model.id).where(model.id > mark).order_by(model.id).limit(BATCH)))
                    if not ids:
                        break
                    rows = _rows(s, kind, ids)
                    backend.add(s, rows)
                    added[kind] += len(rows)
                    mark = ids[-1]
            for start in range(0, len(queued), BATCH):
                s.execute(delete(SearchPending).where(SearchPending.id.in_(queued[start:start + BATCH])))
            backend.set_watermark(s, "built", 1)
        while True:
            batch = s.execute(select(SearchPending.id, SearchPending.kind, SearchPending.ref_id)
                              .order_by(SearchPending.id).limit(BATCH)).all()
            if not batch:
                break
            for kind in KINDS:
                ids = sorted({ref for _, k, ref in batch if k == kind})
                if ids:
                    backend.remove(s, kind, ids)
                    rows = _rows(s, kind, ids)
                    backend.add(s, rows)
                    added[kind] += len(rows)
            s.execute(delete(SearchPending).where(SearchPending.id.in_([row_id for row_id, _, _ in batch])))
    return added


def reindex_organization(s: Session, org_id: int) -> None:
    """After an edit: bring the organization's entry up to date (the edit queued it)."""
    ensure_index(s)


MUNICIPALITIES = ("11", "12", "31", "50")  # 北京 天津 上海 重庆: the province is the city


def _region_key(adcode: str | None) -> str | None:
    # Facet at prefecture level: a city is what a user filters by; counties roll up.
    if not adcode:
        return None
    return f"{adcode[:2]}0000" if adcode[:2] in MUNICIPALITIES else f"{adcode[:4]}00"


def search(s: Session, query: str, *, kind: str | None = None, region: str | None = None, node: str | None = None,
           year: int | None = None, limit: int = 20, offset: int = 0) -> SearchResult:
    """``region`` is an adcode (any level); filters narrow the hits, facets show the counts
    of every other value so a user can switch filters without losing the whole picture."""
    terms = query_terms(query)
    if not terms:
        return SearchResult(query, [], 0, [], {})
    ensure_index(s)
    matches = backend_for(s).match(s, terms, MATCH_CAP)
    if kind in (None, "organization"):
        found = {r for k, r, _ in matches if k == "organization"}
        top = max((sc for _, _, sc in matches), default=1.0)
        # A name that contains the typed text is the strongest organization hit there is.
        matches = [("organization", oid, top + 1.0) for oid in organizations_containing(s, query)
                   if oid not in found] + list(matches)
    doc_ids = [r for k, r, _ in matches if k == "document"]
    org_ids = [r for k, r, _ in matches if k == "organization"]
    meta: dict[tuple[str, int], dict] = {}
    node_names = dict(s.execute(select(ChainNode.id, ChainNode.name)).all())
    for d in s.execute(select(Document.id, Document.title, Document.doc_key, Document.region_adcode,
                              Document.node_ids, Document.published_at).where(Document.id.in_(doc_ids))):
        meta[("document", d.id)] = {"title": d.title or d.doc_key, "region": d.region_adcode,
                                    "nodes": list(d.node_ids or []), "date": d.published_at}
    org_nodes: dict[int, list[str]] = {}
    for oid, nid in s.execute(select(OrganizationNode.organization_id, OrganizationNode.node_id)
                              .where(OrganizationNode.organization_id.in_(org_ids))):
        org_nodes.setdefault(oid, []).append(nid)
    for o in s.execute(select(Organization.id, Organization.name, Organization.region_adcode)
                       .where(Organization.id.in_(org_ids))):
        meta[("organization", o.id)] = {"title": o.name, "region": o.region_adcode, "nodes": org_nodes.get(o.id, []),
                                        "date": None}
    # GB/T 2260 nesting: 320000 covers 32xxxx, 321200 covers 3212xx.
    lo = (region[:2] if region.endswith("0000") else region[:4] if region.endswith("00") else region) if region else None

    def keep(k: str, r: int, skip: str | None = None) -> bool:
        m = meta.get((k, r))
        if m is None:
            return False
        if skip != "kind" and kind and k != kind:
            return False
        if skip != "region" and lo and not (m["region"] or "").startswith(lo):
            return False
        if skip != "node" and node and node not in m["nodes"]:
            return False
        return not (skip != "year" and year and (m["date"] is None or m["date"].year != year))

    facets: dict[str, Counter] = {"kind": Counter(), "region": Counter(), "node": Counter(), "year": Counter()}
    for k, r, _ in matches:
        m = meta.get((k, r))
        if m is None:
            continue
        if keep(k, r, "kind"):
            facets["kind"][k] += 1
        if keep(k, r, "region") and m["region"]:
            facets["region"][_region_key(m["region"])] += 1
        if keep(k, r, "node"):
            facets["node"].update(set(m["nodes"]))
        if keep(k, r, "year") and m["date"] is not None:
            facets["year"][m["date"].year] += 1
    kept = [(k, r, sc) for k, r, sc in matches if keep(k, r)]
    region_names = dict(s.execute(select(Region.adcode, Region.name).where(
        Region.adcode.in_([c for c in facets["region"]] + [meta[(k, r)]["region"] for k, r, _ in kept[offset:offset + limit]
                                                          if meta[(k, r)]["region"]]))).all())
    hits = []
    for k, r, sc in kept[offset:offset + limit]:
        m = meta[(k, r)]
        body = ""
        if k == "document":
            doc = s.get(Document, r)
            body = _body(doc).split("\n", 1)[-1] if doc else ""
        hits.append(SearchHit(
            kind=k, id=r, title=m["title"], url=f"/documents/{r}" if k == "document" else f"/orgs/{r}", score=sc,
            region_adcode=m["region"], region_name=region_names.get(m["region"]),
            date=m["date"].isoformat() if m["date"] else None,
            nodes=[{"id": n, "name": node_names.get(n, n)} for n in m["nodes"][:6]],
            snippet=highlight_pieces(body, terms) if body else [],
            title_pieces=highlight_pieces(m["title"], terms, width=200),
        ))
    out_facets = {
        "kind": [{"value": v, "count": n} for v, n in facets["kind"].most_common()],
        "region": [{"value": v, "label": region_names.get(v, v), "count": n}
                   for v, n in facets["region"].most_common(15)],
        "node": [{"value": v, "label": node_names.get(v, v), "count": n} for v, n in facets["node"].most_common(15)],
        "year": [{"value": v, "count": n} for v, n in sorted(facets["year"].items(), reverse=True)],
    }
    nodes = chain_nodes_for(query)
    suggestions: list[str] = []
    if not kept:
        suggestions = [n["name"] for n in nodes] + (terms if len(terms) > 1 else [])
    return SearchResult(query, terms, len(kept), hits, out_facets, nodes=nodes, suggestions=suggestions[:8])
