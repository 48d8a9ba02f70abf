"""Everything a chain report reads, fetched with a fixed number of set-based queries.

The number of statements does not grow with the number of chain nodes or organizations:
local organizations come from one range scan on ``organization.region_adcode``, their
relations from the two relation indexes, the national denominator from one GROUP BY over
``organization_node``. Every analysis module then works in memory on ``ChainData``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from sqlalchemy import Integer, bindparam, case, func, select, text, union
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, aliased

from chainatlas.analyse.scope import Scope, any_of
from chainatlas.store.models import (
    ChainNode,
    Document,
    EvidenceSpan,
    Mention,
    NodeInput,
    Organization,
    OrganizationNode,
    Relation,
    Tier,
    YearlyFigure,
)

# Governments, associations and parks appear in the registry but supply nothing on a chain.
NON_SUPPLY_KINDS = ("government", "association", "park")
CHAIN_RELATIONS = ("supplier_of", "customer_of")
TIER_COLS = (Tier.organization_id, Tier.label, Tier.year_granted, Tier.expires, Tier.issuer, Tier.source)


@dataclass(frozen=True)
class NodeInfo:
    id: str
    name: str
    subchain: str
    stage: str
    parent_id: str | None
    order: int


@dataclass(frozen=True)
class TierInfo:
    label: str
    year_granted: int | None
    expires: int | None
    issuer: str | None
    source: str | None

    def valid_in(self, year: int) -> bool:
        return (self.year_granted is None or self.year_granted <= year) and (
            self.expires is None or self.expires >= year)


@dataclass(slots=True)
class OrgInfo:
    id: int
    name: str
    kind: str
    region_adcode: str | None
    park_id: int | None
    local: bool
    is_candidate: bool = False
    nodes: set[str] = field(default_factory=set)
    revenue: dict[int, float] = field(default_factory=dict)  # year → 万元
    tiers: list[TierInfo] = field(default_factory=list)
    node_evidence: dict[str, list[dict]] = field(default_factory=dict)
    mentions: int = 0  # times the news names the organization
    subsidiaries: int = 0  # subsidiary_of relations pointing to it (a group's member firms)
    subsidiary_refs: list[dict] = field(default_factory=list)  # the first few, for the evidence
    leader_evidence: list[dict] = field(default_factory=list)  # sentences calling it 龙头/领军/链主
    _key: tuple[str, ...] | None = field(default=None, repr=False, compare=False)
    _labels: dict | None = field(default=None, repr=False, compare=False)

    @property
    def node_key(self) -> tuple[str, ...]:
        """The organization's nodes as a hashable key (for grouping relations; set after loading)."""
        if self._key is None:
            self._key = tuple(sorted(self.nodes))
        return self._key

    def latest_revenue(self, year: int | None = None) -> tuple[int | None, float | None]:
        years = [y for y in self.revenue if year is None or y <= year]
        if not years:
            return None, None
        y = max(years)
        return y, self.revenue[y]

    def tier_labels(self, year: int | None = None) -> list[str]:
        """Labels valid in ``year`` (a fresh list; memoized per year once tiers are loaded)."""
        memo = self._labels
        if memo is None:
            memo = self._labels = {}
        hit = memo.get(year)
        if hit is None or hit[0] != len(self.tiers):  # tiers of far firms arrive late
            hit = memo[year] = (len(self.tiers),
                                sorted({t.label for t in self.tiers if year is None or t.valid_in(year)}))
        return list(hit[1])


class RelInfo(NamedTuple):
    """A chain link normalized to supplier → customer, whichever way it was recorded.
    (A named tuple: a big city reads 10^5 of them, and tuples build ~3× faster.)"""

    id: int
    supplier_id: int
    customer_id: int
    type: str


@dataclass
class ChainData:
    scope: Scope
    year: int | None
    nodes: dict[str, NodeInfo]
    inputs: list[tuple[str, str]]  # (from_node feeds to_node)
    orgs: dict[int, OrgInfo]
    relations: list[RelInfo]
    national: dict[str, int]  # node → organizations placed on it nationally
    peers: dict[str, int] | None = None
    peer_scopes: list[Scope] = field(default_factory=list)
    _subtree: dict[str, set[str]] | None = field(default=None, repr=False)
    _links: dict[int, list[RelInfo]] | None = field(default=None, repr=False)
    _by_supplier_node: dict[str, list[RelInfo]] | None = field(default=None, repr=False)
    _external_on_node: dict[str, set[int]] | None = field(default=None, repr=False)
    cache: dict[str, dict] = field(default_factory=dict, repr=False)  # per-report memo tables

    _local: tuple[int, list[OrgInfo]] | None = field(default=None, repr=False)

    @property
    def local(self) -> list[OrgInfo]:
        """The scope's own organizations (a new list each time; the scan over the 10^5 far
        organizations of a big city is done once, again only if organizations are added)."""
        if self._local is None or self._local[0] != len(self.orgs):
            self._local = (len(self.orgs), [o for o in self.orgs.values() if o.local])
        return list(self._local[1])

    def children(self) -> dict[str, list[str]]:
        kids: dict[str, list[str]] = defaultdict(list)
        for n in self.nodes.values():
            if n.parent_id:
                kids[n.parent_id].append(n.id)
        return kids

    def subtree(self) -> dict[str, set[str]]:
        """node → itself and every node below it, so a parent counts its children's firms."""
        if self._subtree is not None:
            return self._subtree
        kids = self.children()
        out: dict[str, set[str]] = {}

        def walk(nid: str) -> set[str]:
            if nid not in out:
                out[nid] = {nid}
                for k in kids.get(nid, []):
                    out[nid] |= walk(k)
            return out[nid]

        for nid in self.nodes:
            walk(nid)
        self._subtree = out
        return out

    def links_by_org(self) -> dict[int, list[RelInfo]]:
        """organization id → chain relations it takes part in (built once per report)."""
        if self._links is None:
            self._links = defaultdict(list)
            for rel in self.relations:
                self._links[rel.supplier_id].append(rel)
                self._links[rel.customer_id].append(rel)
        return self._links

    def external_on_node(self) -> dict[str, set[int]]:
        """node → outside organizations on it that are linked to the scope (built once)."""
        if self._external_on_node is None:
            self._external_on_node = defaultdict(set)
            for org in self.orgs.values():
                if not org.local:
                    for nid in org.nodes:
                        self._external_on_node[nid].add(org.id)
        return self._external_on_node

    def supplied_into(self, node_ids: set[str]) -> list[RelInfo]:
        """Relations into the scope (local customer) whose supplier sits on one of ``node_ids``,
        in relation-id order (via an index built once)."""
        if self._by_supplier_node is None:
            self._by_supplier_node = defaultdict(list)
            for rel in self.relations:
                sup, cus = self.orgs.get(rel.supplier_id), self.orgs.get(rel.customer_id)
                if sup is not None and cus is not None and cus.local:
                    for nid in sup.nodes:
                        self._by_supplier_node[nid].append(rel)
        if len(node_ids) == 1:
            return self._by_supplier_node.get(next(iter(node_ids)), [])
        found = {r.id: r for nid in node_ids for r in self._by_supplier_node.get(nid, [])}
        return [found[k] for k in sorted(found)]

    def ancestors(self, nid: str) -> list[str]:
        """The node itself, then its parent, up to the root."""
        chain, cur = [], self.nodes.get(nid)
        while cur is not None:
            chain.append(cur.id)
            cur = self.nodes.get(cur.parent_id) if cur.parent_id else None
        return chain


def core(session: Session) -> Connection:
    """The session's connection: Core rows skip the ORM's per-row loading, which costs more than
    the analysis itself for the 10^5 relation rows of a large city."""
    return session.connection()


def tune_session(session: Session) -> None:
    """Per-transaction settings for report queries. PostgreSQL's JIT triggers on the summed
    cost estimate of a many-branch statement (the candidate search) and then spends seconds
    compiling a query that runs in milliseconds, so it is switched off for the transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))


def load_taxonomy_tables(session: Session) -> tuple[dict[str, NodeInfo], list[tuple[str, str]]]:
    nodes = {r.id: NodeInfo(r.id, r.name, r.subchain, r.stage, r.parent_id, r.sort_order)
             for r in core(session).execute(select(ChainNode.id, ChainNode.name, ChainNode.subchain, ChainNode.stage,
                                             ChainNode.parent_id, ChainNode.sort_order))}
    inputs = [(a, b) for a, b in core(session).execute(select(NodeInput.from_node_id, NodeInput.to_node_id))]
    return nodes, sorted(inputs)


_NATIONAL: dict[str, tuple[float, object, dict[str, int]]] = {}
NATIONAL_TTL_S = 60.0


def national_node_counts(session: Session, *, cached: bool = True) -> dict[str, int]:
    """Placements per node over the whole registry (an index-only scan of ix_orgnode_node_org,
    10^6 rows at national scale). The denominator moves slowly, so it is kept per database
    for a minute and recounted at once when ``organization_node`` grows (its max id moves)."""
    key = str(session.get_bind().url)
    stamp = core(session).scalar(select(func.max(OrganizationNode.id)))
    hit = _NATIONAL.get(key)
    if cached and hit is not None and hit[1] == stamp and time.monotonic() - hit[0] < NATIONAL_TTL_S:
        return hit[2]
    stmt = select(OrganizationNode.node_id, func.count()).group_by(OrganizationNode.node_id)
    counts = {nid: int(n) for nid, n in core(session).execute(stmt)}
    _NATIONAL[key] = (time.monotonic(), stamp, counts)
    return counts


def scoped_node_counts(session: Session, scopes: list[Scope]) -> dict[str, int]:
    o = Organization
    stmt = (select(OrganizationNode.node_id, func.count()).join(o, o.id == OrganizationNode.organization_id)
            .where(any_of(scopes, o), o.is_candidate.is_(False)).group_by(OrganizationNode.node_id))
    return {nid: int(n) for nid, n in core(session).execute(stmt)}


def _doc(span_id: int | None, text: str | None, doc_id: int | None, title: str | None,
         url: str | None, published: date | None = None) -> dict | None:
    if span_id is None:
        return None
    return {"evidence_id": span_id, "text": text, "document_id": doc_id, "title": title, "url": url,
            "published_at": published.isoformat() if published else None}


SQLITE_IN_CHUNK = 30000  # under SQLite's 32,766 bound-variable limit


def id_lists(session: Session, ids: list[int]) -> list:
    """Long id lists as IN-able clauses. PostgreSQL gets ONE integer-array parameter (unnest);
    SQLite gets plain IN lists in chunks, the form its planner answers with index lookups
    (a json_each subquery would make it scan the whole table instead)."""
    if not ids:
        return []
    if session.get_bind().dialect.name == "postgresql":
        arr = func.unnest(bindparam("cp_ids", ids, type_=ARRAY(Integer))).table_valued("value").render_derived()
        return [select(arr.c.value)]
    return [ids[k:k + SQLITE_IN_CHUNK] for k in range(0, len(ids), SQLITE_IN_CHUNK)]


def counterpart_ids(scope: Scope):  # type: ignore[no-untyped-def]
    """Subquery: ids of organizations linked by a chain relation to an organization in scope."""
    r, s, t = Relation, aliased(Organization), aliased(Organization)
    into = (select(r.source_id.label("id")).join(t, t.id == r.target_id)
            .where(scope.org_filter(t), r.type.in_(CHAIN_RELATIONS)))
    out = (select(r.target_id.label("id")).join(s, s.id == r.source_id)
           .where(scope.org_filter(s), r.type.in_(CHAIN_RELATIONS)))
    return union(into, out).subquery()


def load_chain_data(session: Session, scope: Scope, *, peers: list[Scope] | None = None,
                    year: int | None = None, national: dict[str, int] | None = None,
                    taxonomy: tuple[dict[str, NodeInfo], list[tuple[str, str]]] | None = None) -> ChainData:
    """Read a scope's organizations, their nodes, figures, tiers and chain relations (with the
    organizations at the other end), and the denominators. ``national``/``taxonomy`` may be
    passed in when several scopes are analysed together (compare, corridors)."""
    tune_session(session)
    nodes, inputs = taxonomy or load_taxonomy_tables(session)
    o, on = Organization, OrganizationNode
    orgs: dict[int, OrgInfo] = {}
    local_where = (scope.org_filter(o), o.is_candidate.is_(False), o.kind.notin_(NON_SUPPLY_KINDS))
    stmt = (select(o.id, o.name, o.kind, o.region_adcode, o.park_id, on.node_id,
                   EvidenceSpan.id, EvidenceSpan.text, Document.id, Document.title, Document.url,
                   Document.published_at)
            .select_from(o).outerjoin(on, on.organization_id == o.id)
            .outerjoin(EvidenceSpan, EvidenceSpan.id == on.evidence_id)
            .outerjoin(Document, Document.id == EvidenceSpan.document_id).where(*local_where))
    for oid, name, kind, adcode, park, nid, sid, stext, did, title, url, pub in core(session).execute(stmt).all():
        org = orgs.get(oid)
        if org is None:
            org = orgs[oid] = OrgInfo(oid, name, kind, adcode, park, True)
        if nid is not None:
            org.nodes.add(nid)
            ev = _doc(sid, stext, did, title, url, pub)
            if ev:
                org.node_evidence.setdefault(nid, []).append(ev)
    f = YearlyFigure
    for oid, y, value in core(session).execute(select(f.organization_id, f.year, f.value).join(o, o.id == f.organization_id)
                                         .where(*local_where, f.kind == "revenue")):
        orgs[oid].revenue[y] = value
    _load_tiers(session, orgs, select(*TIER_COLS).join(o, o.id == Tier.organization_id).where(*local_where))
    if year is None:
        years = [y for org in orgs.values() for y in org.revenue]
        # No local figures: rank candidates elsewhere by the newest year anyone reported.
        year = max(years) if years else core(session).scalar(select(func.max(f.year)).where(f.kind == "revenue"))
    _load_mentions(session, scope, orgs, local_where)
    _load_subsidiaries(session, orgs, local_where)
    relations = _load_relations(session, scope, orgs)
    peer_counts = scoped_node_counts(session, peers) if peers else None
    return ChainData(scope, year, nodes, inputs, orgs, relations,
                     national if national is not None else national_node_counts(session),
                     peer_counts, list(peers or []))


def load_far_details(session: Session, data: ChainData, ids: list[int]) -> None:
    """Revenue (report year) and tiers of outside organizations, for the few whose ranking needs
    them (candidates on gap and thin nodes). A big city links to ~10^5 outside firms; reading
    all their figures would cost more than the rest of the report."""
    ids = sorted(i for i in set(ids) if i in data.orgs and not data.orgs[i].local and not data.orgs[i].tiers
                 and not data.orgs[i].revenue)
    f = YearlyFigure
    for chunk in id_lists(session, ids):
        fig = select(f.organization_id, f.year, f.value).where(f.kind == "revenue", f.organization_id.in_(chunk))
        if data.year is not None:
            fig = fig.where(f.year == data.year)
        for oid, y, value in core(session).execute(fig):
            data.orgs[oid].revenue[y] = value
        _load_tiers(session, data.orgs, select(*TIER_COLS).where(Tier.organization_id.in_(chunk)), local=False)


def _load_tiers(session: Session, orgs: dict[int, OrgInfo], stmt, *, local: bool = True) -> None:  # type: ignore[no-untyped-def]
    for oid, label, granted, expires, issuer, source in core(session).execute(stmt):
        org = orgs.get(oid)
        if org is not None and org.local == local:
            org.tiers.append(TierInfo(label, granted, expires, issuer, source))


LEADER_CUES = ("链主", "龙头", "领军", "头部企业", "旗舰")
CONTEXT, CONTEXT_MENTIONS = 60, 2000


def _load_mentions(session: Session, scope: Scope, orgs: dict[int, OrgInfo], local_where: tuple) -> None:
    """How often the news names each local organization (one GROUP BY), and the sentences that
    call it a chain leader (filtered in SQL, so only those spans travel)."""
    o, m = Organization, Mention
    for oid, n in core(session).execute(select(m.organization_id, func.count()).join(o, o.id == m.organization_id)
                                  .where(*local_where).group_by(m.organization_id)):
        orgs[oid].mentions = int(n)
    # Mention spans hold only the name: read a window of the sentence around it, for the newest
    # mentions only, so the cost stays bounded however much news a city has.
    es = EvidenceSpan
    lo = case((es.start > CONTEXT, es.start - CONTEXT + 1), else_=1)
    window = func.substr(Document.normalized_text, lo, es.end - es.start + 2 * CONTEXT)
    stmt = (select(m.organization_id, es.id, window, Document.id, Document.title, Document.url,
                   Document.published_at)
            .join(o, o.id == m.organization_id).join(es, es.id == m.evidence_id)
            .join(Document, Document.id == m.document_id)
            .where(*local_where).order_by(m.document_id.desc(), m.id.desc()).limit(CONTEXT_MENTIONS))
    for oid, sid, snippet, did, title, url, pub in core(session).execute(stmt):
        sentence = _sentence_around(snippet or "", orgs[oid].name)
        if any(c in sentence for c in LEADER_CUES):
            orgs[oid].leader_evidence.append(_doc(sid, sentence, did, title, url, pub))  # type: ignore[arg-type]


SUBSIDIARY_REFS = 10


def _load_subsidiaries(session: Session, orgs: dict[int, OrgInfo], local_where: tuple) -> None:
    """The organizations recorded as subsidiaries of each local one (subsidiary_of relations
    pointing to it), with the relation that says so: a group's member firms are part of the
    why of a 链主. One query; groups hold tens of members, not thousands."""
    o, r, sub = Organization, Relation, aliased(Organization)
    stmt = (select(r.target_id, r.id, r.source_id, sub.name, sub.region_adcode, r.source, r.evidence)
            .join(o, o.id == r.target_id).join(sub, sub.id == r.source_id)
            .where(*local_where, r.type == "subsidiary_of").order_by(r.target_id, r.id))
    seen: dict[int, set[int]] = defaultdict(set)
    for oid, rid, sid, name, region, source, ev in core(session).execute(stmt):
        org = orgs[oid]
        if sid in seen[oid]:
            continue
        seen[oid].add(sid)
        org.subsidiaries += 1
        if len(org.subsidiary_refs) < SUBSIDIARY_REFS:
            org.subsidiary_refs.append({"relation_id": rid, "id": sid, "name": name, "region_adcode": region,
                                        "source": source, "evidence": ev})


def _sentence_around(window: str, name: str) -> str:
    """The sentence of the window that holds the middle (where the mention is)."""
    mid = len(window) // 2
    start = max(window.rfind(p, 0, mid) for p in "。！？；\n") + 1
    ends = [i for i in (window.find(p, mid) for p in "。！？；\n") if i >= 0]
    return window[start:(min(ends) + 1 if ends else len(window))].strip()


def _load_relations(session: Session, scope: Scope, orgs: dict[int, OrgInfo]) -> list[RelInfo]:
    """Chain relations with an end in scope, lean: ids, type and the far end's organization.
    Sources, sentences and documents are fetched later only for the relations a finding cites
    (``evidence.hydrate``); a city can have 10^5 relations and a report cites a few hundred."""
    r, far = Relation, aliased(Organization)
    near = aliased(Organization)
    seen: dict[int, RelInfo] = {}
    # The far end's chain nodes come with the row, as one "a,b" string from a correlated
    # index-only lookup: a separate query keyed by 10^5 far ids cost more than the relations.
    agg = func.string_agg if session.get_bind().dialect.name == "postgresql" else func.group_concat
    on = aliased(OrganizationNode)
    split_memo: dict[str, tuple[set[str], tuple[str, ...]]] = {}
    for near_col, far_col in ((r.source_id, r.target_id), (r.target_id, r.source_id)):
        far_nodes = select(agg(on.node_id, ",")).where(on.organization_id == far.id).scalar_subquery()
        stmt = (select(r.id, r.source_id, r.target_id, r.type, far.id, far.name, far.kind, far.region_adcode,
                       far.park_id, far.is_candidate, far_nodes)
                .join(near, near.id == near_col).join(far, far.id == far_col)
                .where(scope.org_filter(near), r.type.in_(CHAIN_RELATIONS)))
        for rid, sid, tid, typ, fid, name, kind, reg, park, cand, keys in core(session).execute(stmt).all():
            if rid in seen:
                continue
            if fid not in orgs:
                # Outside the scope, or inside but excluded (a candidate): seen as external.
                org = orgs[fid] = OrgInfo(fid, name, kind, reg, park, False, bool(cand))
                if keys:
                    hit = split_memo.get(keys)
                    if hit is None:
                        nodes = set(keys.split(","))
                        hit = split_memo[keys] = (nodes, tuple(sorted(nodes)))
                    # Far organizations' node sets are read, never changed: equal sets are shared.
                    org.nodes, org._key = hit
            supplier, customer = (sid, tid) if typ == "supplier_of" else (tid, sid)
            seen[rid] = RelInfo(rid, supplier, customer, typ)
    return sorted(seen.values(), key=lambda x: x.id)


def relation_details(session: Session, ids: list[int]) -> dict[int, dict]:
    """Source, sentence, date and document of the given relations (one query per 5,000 ids)."""
    out: dict[int, dict] = {}
    r = Relation
    for k in range(0, len(ids), 5000):
        chunk = ids[k:k + 5000]
        stmt = (select(r.id, r.source, r.evidence, r.evidence_id, r.date, EvidenceSpan.text, Document.id,
                       Document.title, Document.url, Document.published_at)
                .outerjoin(EvidenceSpan, EvidenceSpan.id == r.evidence_id)
                .outerjoin(Document, Document.id == EvidenceSpan.document_id).where(r.id.in_(chunk)))
        for rid, src, ev, ev_id, d, stext, did, title, url, pub in core(session).execute(stmt):
            out[rid] = {"source": src, "evidence": ev, "evidence_id": ev_id, "date": d.isoformat() if d else None,
                        "document": _doc(ev_id, stext, did, title, url, pub)}
    return out
