"""Everything a chain report reads, fetched with a fixed number of set-based queries.

The number of statements does not grow with the number of chain nodes or organizations:
local organizations come from one range scan on ``organization.region_adcode`` (their
figures, tiers and news then by their ids), their relations from the two covering relation
indexes in one statement, shipped as arrays. The far ends of those relations (~10^5 firms
for a big city) are not read per report: their nodes and regions come from the national
directory (``analyse.directory``, kept per data version), which also gives the national
denominator. Far firms become ``OrgInfo`` only when a finding cites one, and are named in
one query at the end (``ChainData.fill_names``).

The analyses work in memory on ``ChainData``: local organizations as objects, relations as
numpy arrays (``Rels``) over an organization table (``OrgTable``), grouped with numpy where a
walk over 10^5 relations would cost seconds.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import numpy as np
from sqlalchemy import Integer, bindparam, case, func, literal_column, select, text, union_all
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, aliased

from chainatlas.analyse.scope import Scope, any_of
from chainatlas.store.models import (
    NON_SUPPLY_KINDS,
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
    _rev: tuple | None = field(default=None, repr=False, compare=False)

    @property
    def node_key(self) -> tuple[str, ...]:
        """The organization's nodes as a hashable key (for grouping relations; set after loading)."""
        if self._key is None:
            self._key = tuple(sorted(self.nodes))
        return self._key

    def latest_revenue(self, year: int | None = None) -> tuple[int | None, float | None]:
        """The newest figure up to ``year``: (year, 万元). Which year is memoized per ``year``
        while the set of reported years stays the same (a report asks ~10^5 times)."""
        rev = self.revenue
        memo = self._rev
        if memo is None or memo[0] is not rev or memo[1] != len(rev):
            memo = self._rev = (rev, len(rev), {})
        y = memo[2].get(year, -1)
        if y == -1:
            years = [y for y in rev if year is None or y <= year]
            y = memo[2][year] = max(years) if years else None
        return (None, None) if y is None else (y, rev[y])

    def tier_labels(self, year: int | None = None) -> list[str]:
        """Labels valid in ``year`` (a fresh list; memoized per year once tiers are loaded)."""
        return list(self.labels_view(year))

    def labels_view(self, year: int | None = None) -> list[str]:
        """``tier_labels`` without the copy, for reading only."""
        memo = self._labels
        if memo is None:
            memo = self._labels = {}
        hit = memo.get(year)
        if hit is None or hit[0] != len(self.tiers):  # tiers of far firms arrive late
            hit = memo[year] = (len(self.tiers),
                                sorted({t.label for t in self.tiers if year is None or t.valid_in(year)}))
        return hit[1]  # type: ignore[no-any-return]


class RelInfo(NamedTuple):
    """A chain link normalized to supplier → customer, whichever way it was recorded."""

    id: int
    supplier_id: int
    customer_id: int
    type: str


class Rels:
    """A scope's chain relations as parallel arrays in relation-id order: a big city has 10^5
    of them, and the analyses group them with numpy instead of walking them one by one."""

    __slots__ = ("id", "sup", "cus", "sup_of")

    def __init__(self, ids: np.ndarray, sup: np.ndarray, cus: np.ndarray, sup_of: np.ndarray) -> None:
        self.id, self.sup, self.cus, self.sup_of = ids, sup, cus, sup_of

    @classmethod
    def of(cls, rels: Iterable[RelInfo]) -> Rels:
        items = sorted(rels, key=lambda r: r.id)
        return cls(np.array([r.id for r in items], dtype=np.int64),
                   np.array([r.supplier_id for r in items], dtype=np.int64),
                   np.array([r.customer_id for r in items], dtype=np.int64),
                   np.array([r.type == "supplier_of" for r in items], dtype=bool))

    def __len__(self) -> int:
        return len(self.id)

    def infos(self, idx: np.ndarray | list[int]) -> list[RelInfo]:
        """The relations at the given positions, as ``RelInfo``."""
        idx = np.asarray(idx, dtype=np.int64)
        return [RelInfo(i, s, c, "supplier_of" if t else "customer_of") for i, s, c, t in zip(
            self.id[idx].tolist(), self.sup[idx].tolist(), self.cus[idx].tolist(), self.sup_of[idx].tolist(),
            strict=True)]

    def positions(self, ids: Iterable[int]) -> np.ndarray:
        """Positions of the given relation ids (ids the scope does not have are dropped)."""
        arr = np.fromiter(ids, dtype=np.int64)
        if not len(self.id) or not len(arr):
            return np.zeros(0, dtype=np.int64)
        pos = np.searchsorted(self.id, arr).clip(0, len(self.id) - 1)
        return pos[self.id[pos] == arr]


class OrgTable:
    """Every organization a ``ChainData`` knows (local ones and the far ends of its relations),
    as arrays sorted by id: node-set key, local flag, region."""

    __slots__ = ("ids", "key", "local", "region", "keys", "regions", "key_nodes", "nonempty")

    def __init__(self, ids: np.ndarray, key: np.ndarray, local: np.ndarray, region: np.ndarray,
                 keys: list[tuple[str, ...]], regions: list[str | None],
                 key_nodes: list[set[str]] | None = None) -> None:
        order = np.argsort(ids, kind="stable")
        self.ids, self.key, self.local, self.region = ids[order], key[order], local[order], region[order]
        self.keys, self.regions = keys, regions
        self.key_nodes = key_nodes if key_nodes is not None else [set(k) for k in keys]
        self.nonempty = np.array([bool(k) for k in keys], dtype=bool)

    @classmethod
    def of(cls, orgs: Iterable[OrgInfo]) -> OrgTable:
        keys: dict[tuple[str, ...], int] = {}
        regions: dict[str | None, int] = {}
        ids, key, local, region = [], [], [], []
        for o in orgs:
            ids.append(o.id)
            key.append(keys.setdefault(o.node_key, len(keys)))
            local.append(o.local)
            region.append(regions.setdefault(o.region_adcode, len(regions)))
        return cls(np.array(ids, dtype=np.int64), np.array(key, dtype=np.int32), np.array(local, dtype=bool),
                   np.array(region, dtype=np.int32), list(keys), list(regions))

    def pos(self, ids: np.ndarray) -> np.ndarray:
        """Row of each id, -1 for organizations the table does not hold."""
        if not len(self.ids):
            return np.full(len(ids), -1, dtype=np.int64)
        p = np.searchsorted(self.ids, ids).clip(0, len(self.ids) - 1)
        return np.where(self.ids[p] == ids, p, -1)


class OrgMap(Mapping[int, OrgInfo]):
    """The organizations of a scope's report: the local ones, and the far ends of its relations
    made into ``OrgInfo`` only when an analysis looks one up (a big city links to ~10^5 far
    firms and a report cites a few hundred)."""

    def __init__(self, local: dict[int, OrgInfo], far_ids: np.ndarray, make: Callable[[int, int], OrgInfo]) -> None:
        self.local_orgs = local
        self.far_ids = far_ids  # sorted, none of them local
        self.made: dict[int, OrgInfo] = {}
        self._make = make

    def _far(self, oid: int) -> OrgInfo | None:
        oid = int(oid)
        o = self.made.get(oid)
        if o is None and len(self.far_ids):
            p = int(np.searchsorted(self.far_ids, oid))
            if p < len(self.far_ids) and self.far_ids[p] == oid:
                o = self.made[oid] = self._make(oid, p)
        return o

    def __getitem__(self, oid: int) -> OrgInfo:
        o = self.local_orgs.get(oid)
        if o is None:
            o = self._far(oid)
            if o is None:
                raise KeyError(oid)
        return o

    def get(self, oid: int, default: OrgInfo | None = None) -> OrgInfo | None:  # type: ignore[override]
        o = self.local_orgs.get(oid)
        if o is None:
            o = self._far(oid)
        return default if o is None else o

    def __contains__(self, oid: object) -> bool:
        return oid in self.local_orgs or (isinstance(oid, (int, np.integer)) and self._far(int(oid)) is not None)

    def __iter__(self) -> Iterator[int]:
        yield from self.local_orgs
        yield from self.far_ids.tolist()

    def __len__(self) -> int:
        return len(self.local_orgs) + len(self.far_ids)


_FLAT: dict[int, tuple[list, np.ndarray, np.ndarray, np.ndarray]] = {}


def _flatten(key_lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lengths, items, offsets) of a list of lists, kept for the last few lists seen."""
    hit = _FLAT.get(id(key_lists))
    if hit is None or hit[0] is not key_lists:
        lens = np.fromiter((len(x) for x in key_lists), dtype=np.int64, count=len(key_lists))
        flat = np.fromiter((n for x in key_lists for n in x), dtype=np.int64, count=int(lens.sum()))
        if len(_FLAT) >= 8:
            _FLAT.pop(next(iter(_FLAT)))
        hit = _FLAT[id(key_lists)] = (key_lists, lens, flat, np.cumsum(lens) - lens)
    return hit[1], hit[2], hit[3]


def _expand(row_keys: np.ndarray, key_lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """One (row, item) pair per item of ``key_lists[row_keys[row]]``, rows in order."""
    lens, flat, off = _flatten(key_lists)
    rl = lens[row_keys]
    rows = np.repeat(np.arange(len(row_keys)), rl)
    within = np.arange(len(rows)) - np.repeat(np.cumsum(rl) - rl, rl)
    return rows, flat[np.repeat(off[row_keys], rl) + within]


class ChainData:
    """What a chain report reads for one scope. ``orgs`` maps id → ``OrgInfo`` (local and far);
    ``rels`` holds the chain relations with an end in scope as arrays (``relations`` gives
    them as ``RelInfo`` in id order). Built by ``load_chain_data``, or in memory from a dict of
    organizations and a list of relations (tests)."""

    def __init__(self, scope: Scope, year: int | None, nodes: dict[str, NodeInfo], inputs: list[tuple[str, str]],
                 orgs: Mapping[int, OrgInfo], relations: list[RelInfo] | Rels, national: dict[str, int],
                 peers: dict[str, int] | None = None, peer_scopes: list[Scope] | None = None, *,
                 table: OrgTable | None = None, names: Callable[[list[int]], dict[int, str]] | None = None) -> None:
        self.scope, self.year, self.nodes, self.inputs = scope, year, nodes, inputs
        self.orgs = orgs
        self.national, self.peers, self.peer_scopes = national, peers, list(peer_scopes or [])
        self.rels = relations if isinstance(relations, Rels) else Rels.of(relations)
        self._relations: list[RelInfo] | None = None
        if isinstance(orgs, OrgMap):
            self._local_list = list(orgs.local_orgs.values())
        else:
            self._local_list = [o for o in orgs.values() if o.local]
        self.table = table if table is not None else OrgTable.of(orgs.values())
        self.si = self.table.pos(self.rels.sup)  # supplier's row in the table, -1 if not known
        self.ci = self.table.pos(self.rels.cus)
        self._names = names
        self._pending: list[tuple[dict, str, int]] = []
        self.rel_refs: list[dict] = []  # every relation a finding cites (filled by ``evidence.hydrate``)
        self.cache: dict[str, object] = {}  # per-report memo tables
        self._subtree: dict[str, set[str]] | None = None

    # -- organizations ---------------------------------------------------------------------

    @property
    def local(self) -> list[OrgInfo]:
        """The scope's own organizations (a new list each time)."""
        return list(self._local_list)

    @property
    def relations(self) -> list[RelInfo]:
        """All chain relations with an end in scope, in id order (built on first use)."""
        if self._relations is None:
            self._relations = self.rels.infos(np.arange(len(self.rels)))
        return self._relations

    def name_later(self, ref: dict, key: str, oid: int) -> None:
        """``ref[key]`` gets the name of far organization ``oid`` when ``fill_names`` runs."""
        self._pending.append((ref, key, oid))

    def ensure_names(self, ids: Iterable[int]) -> None:
        """Read the names of far organizations that do not have one yet (one query)."""
        missing = sorted({i for i in ids if (o := self.orgs.get(i)) is not None and o.name is None})
        if missing and self._names is not None:
            for oid, name in self._names(missing).items():
                self.orgs[oid].name = name

    def fill_names(self) -> None:
        if not self._pending:
            return
        self.ensure_names(oid for _, _, oid in self._pending)
        for ref, key, oid in self._pending:
            ref[key] = self.orgs[oid].name
        self._pending.clear()

    # -- taxonomy --------------------------------------------------------------------------

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

    def ancestors(self, nid: str) -> list[str]:
        """The node itself, then its parent, up to the root."""
        chain, cur = [], self.nodes.get(nid)
        while cur is not None:
            chain.append(cur.id)
            cur = self.nodes.get(cur.parent_id) if cur.parent_id else None
        return chain

    # -- relations, grouped ----------------------------------------------------------------

    def node_codes(self) -> tuple[list[str], list[list[int]]]:
        """A code per node id appearing in any key, and each key's nodes as codes."""
        hit = self.cache.get("node_codes")
        if hit is None:
            names: dict[str, int] = {}
            per_key = [[names.setdefault(n, len(names)) for n in k] for k in self.table.keys]
            hit = self.cache["node_codes"] = (list(names), per_key)
        return hit  # type: ignore[return-value]

    def _links(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Relation positions grouped by organization id (each relation under both its ends)."""
        hit = self.cache.get("links")
        if hit is None:
            n = len(self.rels)
            ends = np.concatenate([self.rels.sup, self.rels.cus])
            pos = np.concatenate([np.arange(n), np.arange(n)])
            order = np.lexsort((pos, ends))
            ends, pos = ends[order], pos[order]
            starts = np.flatnonzero(np.r_[True, ends[1:] != ends[:-1]]) if len(ends) else np.zeros(0, dtype=np.int64)
            hit = self.cache["links"] = (ends[starts], np.r_[starts, len(ends)], pos)
        return hit  # type: ignore[return-value]

    def links_of(self, oid: int) -> np.ndarray:
        """Positions of the relations ``oid`` takes part in, id order (twice for a self-link)."""
        uniq, bounds, pos = self._links()
        k = int(np.searchsorted(uniq, oid))
        if k >= len(uniq) or uniq[k] != oid:
            return np.zeros(0, dtype=np.int64)
        return pos[bounds[k]:bounds[k + 1]]

    def link_counts(self, ids: np.ndarray) -> np.ndarray:
        """How many relations each organization takes part in."""
        uniq, bounds, _ = self._links()
        if not len(uniq):
            return np.zeros(len(ids), dtype=np.int64)
        k = np.searchsorted(uniq, ids).clip(0, len(uniq) - 1)
        return np.where(uniq[k] == ids, bounds[k + 1] - bounds[k], 0)

    def links_by_org(self) -> dict[int, list[RelInfo]]:
        """organization id → chain relations it takes part in (all of them: for small data)."""
        out: dict[int, list[RelInfo]] = defaultdict(list)
        for rel in self.relations:
            out[rel.supplier_id].append(rel)
            out[rel.customer_id].append(rel)
        return out

    def external_ids_on(self, node_ids: Iterable[str]) -> np.ndarray:
        """Ids of the outside organizations linked to the scope placed on any of ``node_ids``
        (sorted; per-node lists built once per report)."""
        by_node = self.cache.get("external")
        if by_node is None:
            t = self.table
            ext = np.flatnonzero(~t.local)
            codes, per_key = self.node_codes()
            rows, node = _expand(t.key[ext], per_key)
            by_node = self.cache["external"] = {codes[c]: t.ids[ext[r]] for c, r in zip(*_group(node, rows),
                                                                                         strict=True)}
        parts = [by_node[n] for n in set(node_ids) if n in by_node]  # type: ignore[operator]
        if not parts:
            return np.zeros(0, dtype=np.int64)
        return parts[0] if len(parts) == 1 else sorted_unique(np.concatenate(parts))

    def external_on_node(self) -> dict[str, set[int]]:
        """node → outside organizations on it that are linked to the scope."""
        t = self.table
        out: dict[str, set[int]] = defaultdict(set)
        ext = ~t.local
        for k, ids in zip(*_group(t.key[ext], t.ids[ext]), strict=True):
            for nid in t.keys[k]:
                out[nid].update(ids.tolist())
        return out

    def supplied_ix(self, node_ids: set[str]) -> np.ndarray:
        """Positions of relations into the scope (local customer) whose supplier — local or
        not, known to the report — sits on one of ``node_ids``; id order."""
        by_node = self.cache.get("supplied")
        if by_node is None:
            t = self.table
            m = np.flatnonzero((self.ci >= 0) & (self.si >= 0))
            m = m[t.local[self.ci[m]]]
            codes, per_key = self.node_codes()
            rows, nodes = _expand(t.key[self.si[m]], per_key)
            order = np.lexsort((rows, nodes))
            by_node = self.cache["supplied"] = {codes[c]: m[r] for c, r in zip(*_group(nodes[order], rows[order]),
                                                                             strict=True)}
        parts = [by_node[n] for n in node_ids if n in by_node]  # type: ignore[operator]
        if not parts:
            return np.zeros(0, dtype=np.int64)
        return parts[0] if len(parts) == 1 else sorted_unique(np.concatenate(parts))

    def supplied_into(self, node_ids: set[str]) -> list[RelInfo]:
        return self.rels.infos(self.supplied_ix(node_ids))


def sorted_unique(x: np.ndarray) -> np.ndarray:
    """``np.unique`` by sorting (numpy 2's hash-based unique is ~10x slower on int64)."""
    x = np.sort(x)
    return x[np.r_[True, x[1:] != x[:-1]]] if len(x) else x


def _group(keys: np.ndarray, values: np.ndarray) -> tuple[list[int], list[np.ndarray]]:
    """Split ``values`` by runs of equal ``keys`` (sorted first, stably)."""
    if not len(keys):
        return [], []
    order = np.argsort(keys, kind="stable")
    keys, values = keys[order], values[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return keys[starts].tolist(), np.split(values, starts[1:])


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


def national_node_counts(session: Session, *, cached: bool = True) -> dict[str, int]:
    """Placements per node over the whole registry (the directory's, see ``directory``)."""
    from chainatlas.analyse.directory import build_directory, directory

    return (directory(session) if cached else build_directory(session)).node_counts


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


def load_chain_data(session: Session, scope: Scope, *, peers: list[Scope] | None = None,
                    year: int | None = None, national: dict[str, int] | None = None,
                    taxonomy: tuple[dict[str, NodeInfo], list[tuple[str, str]]] | None = None) -> ChainData:
    """Read a scope's organizations, their nodes, figures, tiers and chain relations (with the
    organizations at the other end), and the denominators. ``national``/``taxonomy`` may be
    passed in when several scopes are analysed together (compare, corridors)."""
    tune_session(session)
    relations_later = _relations_in_background(session, scope)
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
    only_local = _LocalOnly(session, orgs, local_where)
    # 年度未知 figures (year NULL) are no year's revenue: they never enter a year's total or a growth rate.
    for oid, y, value in core(session).execute(only_local(select(f.organization_id, f.year, f.value), f.organization_id)
                                               .where(f.kind == "revenue", f.year.is_not(None))).all():
        orgs[oid].revenue[y] = value
    _load_tiers(session, orgs, only_local(select(*TIER_COLS), Tier.organization_id))
    if year is None:
        years = [y for org in orgs.values() for y in org.revenue]
        # No local figures: rank candidates elsewhere by the newest year anyone reported.
        year = max(years) if years else core(session).scalar(select(func.max(f.year)).where(f.kind == "revenue"))
    _load_mentions(session, scope, orgs, only_local)
    _load_subsidiaries(session, orgs, only_local)
    rels, far_ids = _load_relations(session, scope, orgs, relations_later)
    peer_counts = scoped_node_counts(session, peers) if peers else None
    from chainatlas.analyse.directory import directory

    dirx = directory(session)
    table, org_map = _far_table(dirx, orgs, far_ids)
    return ChainData(scope, year, nodes, inputs, org_map, rels,
                     national if national is not None else dirx.node_counts,
                     peer_counts, list(peers or []), table=table, names=lambda ids: org_names(session, ids))


def _far_table(dirx, orgs: dict[int, OrgInfo], far_ids: np.ndarray) -> tuple[OrgTable, OrgMap]:  # type: ignore[no-untyped-def]
    """The report's organization table (local rows from ``orgs``, far rows from the directory)
    and the lazy map that makes far ``OrgInfo`` on demand."""
    dpos = dirx.positions(far_ids)
    keys, regions = dirx.keys, dirx.regions
    key_ix, region_ix = dirx.key_index(), dirx.region_index()
    local_key, local_region = [], []
    for o in orgs.values():
        k = key_ix.get(o.node_key)
        if k is None:  # placed after the directory was read: extend a copy
            if keys is dirx.keys:
                keys, key_ix = list(keys), dict(key_ix)
            k = key_ix[o.node_key] = len(keys)
            keys.append(o.node_key)
        r = region_ix.get(o.region_adcode)
        if r is None:
            if regions is dirx.regions:
                regions, region_ix = list(regions), dict(region_ix)
            r = region_ix[o.region_adcode] = len(regions)
            regions.append(o.region_adcode)
        local_key.append(k)
        local_region.append(r)
    found = dpos >= 0
    far_key = np.where(found, dirx.key[dpos], 0).astype(np.int32)
    far_region = np.where(found, dirx.region[dpos], 0).astype(np.int32)
    n_local = len(orgs)
    table = OrgTable(np.concatenate([np.fromiter(orgs, dtype=np.int64, count=n_local), far_ids]),
                     np.concatenate([np.array(local_key, dtype=np.int32), far_key]),
                     np.r_[np.ones(n_local, dtype=bool), np.zeros(len(far_ids), dtype=bool)],
                     np.concatenate([np.array(local_region, dtype=np.int32), far_region]), keys, regions,
                     key_nodes=dirx.key_nodes if keys is dirx.keys else None)

    def make(oid: int, p: int) -> OrgInfo:
        row = int(dpos[p])
        if row < 0:  # gone since the directory was read
            return OrgInfo(oid, None, "enterprise", None, None, False)  # type: ignore[arg-type]
        park = int(dirx.park[row])
        org = OrgInfo(oid, None, dirx.kinds[dirx.kind[row]], dirx.regions[dirx.region[row]],  # type: ignore[arg-type]
                      None if park < 0 else park, False, bool(dirx.candidate[row]))
        k = int(dirx.key[row])
        org.nodes, org._key = dirx.key_nodes[k], dirx.keys[k]  # shared, read-only
        return org

    return table, OrgMap(orgs, far_ids, make)


def org_names(session: Session, ids: list[int]) -> dict[int, str]:
    o = Organization
    out: dict[int, str] = {}
    for chunk in id_lists(session, sorted(ids)):
        out.update((i, n) for i, n in core(session).execute(select(o.id, o.name).where(o.id.in_(chunk))).all())
    return out


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
    for oid, label, granted, expires, issuer, source in core(session).execute(stmt).all():
        org = orgs.get(oid)
        if org is not None and org.local == local:
            org.tiers.append(TierInfo(label, granted, expires, issuer, source))


LEADER_CUES = ("链主", "龙头", "领军", "头部企业", "旗舰")
CONTEXT, CONTEXT_MENTIONS = 60, 2000


class _LocalOnly:
    """Restricts a statement to the local organizations. PostgreSQL gets their ids as one array
    parameter: re-reading the scope's organization rows in every statement (a bitmap heap scan
    of ~4,000 pages for a city of 5,000 firms) cost more than the statements themselves.
    SQLite keeps the join (its index range scan is cheap)."""

    def __init__(self, session: Session, orgs: dict[int, OrgInfo], local_where: tuple) -> None:
        self.where = local_where
        self.ids = None
        if orgs and session.get_bind().dialect.name == "postgresql":
            self.ids = id_lists(session, sorted(orgs))[0]

    def __call__(self, stmt, col):  # type: ignore[no-untyped-def]
        if self.ids is not None:
            return stmt.where(col.in_(self.ids))
        o = Organization
        return stmt.join(o, o.id == col).where(*self.where)


def _load_mentions(session: Session, scope: Scope, orgs: dict[int, OrgInfo], only_local: _LocalOnly) -> None:
    """How often the news names each local organization (one GROUP BY), and the sentences that
    call it a chain leader (filtered in SQL, so only those spans travel)."""
    if not orgs:
        return
    m = Mention
    for oid, n in core(session).execute(only_local(select(m.organization_id, func.count()), m.organization_id)
                                        .group_by(m.organization_id)).all():
        orgs[oid].mentions = int(n)
    # Mention spans hold only the name: read a window of the sentence around it, for the newest
    # mentions only, so the cost stays bounded however much news a city has.
    es = EvidenceSpan
    lo = case((es.start > CONTEXT, es.start - CONTEXT + 1), else_=1)
    window = func.substr(Document.normalized_text, lo, es.end - es.start + 2 * CONTEXT)
    stmt = (only_local(select(m.organization_id, es.id, window, Document.id, Document.title, Document.url,
                              Document.published_at), m.organization_id)
            .join(es, es.id == m.evidence_id).join(Document, Document.id == m.document_id)
            .order_by(m.document_id.desc(), m.id.desc()).limit(CONTEXT_MENTIONS))
    for oid, sid, snippet, did, title, url, pub in core(session).execute(stmt).all():
        sentence = _sentence_around(snippet or "", orgs[oid].name)
        if any(c in sentence for c in LEADER_CUES):
            orgs[oid].leader_evidence.append(_doc(sid, sentence, did, title, url, pub))  # type: ignore[arg-type]


SUBSIDIARY_REFS = 10


def _load_subsidiaries(session: Session, orgs: dict[int, OrgInfo], only_local: _LocalOnly) -> None:
    """The organizations recorded as subsidiaries of each local one (subsidiary_of relations
    pointing to it), with the relation that says so: a group's member firms are part of the
    why of a 链主. One query; groups hold tens of members, not thousands."""
    if not orgs:
        return
    r, sub = Relation, aliased(Organization)
    stmt = (only_local(select(r.target_id, r.id, r.source_id, sub.name, sub.region_adcode, r.source, r.evidence),
                       r.target_id)
            .join(sub, sub.id == r.source_id).where(r.type == "subsidiary_of").order_by(r.target_id, r.id))
    seen: dict[int, set[int]] = defaultdict(set)
    for oid, rid, sid, name, region, source, ev in core(session).execute(stmt).all():
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


_POOL: tuple[int, ThreadPoolExecutor] | None = None


def background() -> ThreadPoolExecutor:
    """The process's small thread pool for statements run beside the report's own (made anew
    in a forked child, whose copy of the parent's pool has no threads)."""
    global _POOL
    if _POOL is None or _POOL[0] != os.getpid():
        _POOL = (os.getpid(), ThreadPoolExecutor(max_workers=4, thread_name_prefix="chain-analyse"))
    return _POOL[1]


def _relations_in_background(session: Session, scope: Scope) -> Future | None:
    """On PostgreSQL, start reading the scope's relations on a second connection while this
    one reads the local organizations: the relation statement is the longest (~0.1 s for a
    city of 5,000 firms) and the server runs it while Python builds the organizations. Only
    when this transaction has written nothing (another connection would not see its rows);
    each statement reads its own snapshot under READ COMMITTED either way."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    from chainatlas.analyse.directory import _has_written

    if _has_written(session):
        return None
    engine = session.get_bind()

    def run() -> tuple[np.ndarray, ...]:
        with engine.connect() as conn:  # type: ignore[union-attr]
            return _relation_arrays(conn, scope)

    return background().submit(run)


def _relation_arrays(conn: Connection, scope: Scope) -> tuple[np.ndarray, ...]:
    """(id, source, target, flag) of the chain relations with an end in scope, one row per end
    in scope: flag bit 0 = supplier_of, bit 1 = the scope's end is the target. One statement:
    the scope's organization ids once, then both relation indexes read index-only (the
    covering indexes of migration 0003), shipped as a single aggregate — on PostgreSQL one
    bytea of big-endian int64s, so neither side parses numbers."""
    r, o = Relation, Organization
    near = select(o.id).where(scope.org_filter(o)).cte("near")
    flag = case((r.type == "supplier_of", 1), else_=0)
    sides = [select(r.id.label("id"), r.source_id.label("src"), r.target_id.label("tgt"),
                    (flag + 2 * k).label("flag")).join(near, near.c.id == near_col)
             .where(r.type.in_(CHAIN_RELATIONS)) for k, near_col in enumerate((r.source_id, r.target_id))]
    rows = union_all(*sides).subquery()
    if conn.dialect.name == "postgresql":
        quad = (func.int8send(rows.c.id).op("||")(func.int8send(rows.c.src)).op("||")(func.int8send(rows.c.tgt))
                .op("||")(func.int8send(rows.c.flag)))
        blob = conn.execute(select(func.string_agg(quad, literal_column("''::bytea")))).scalar()
        quads = np.frombuffer(blob or b"", dtype=">i8").astype(np.int64).reshape(-1, 4)
        return tuple(quads[:, k] for k in range(4))
    row = conn.execute(select(*(func.json_group_array(c) for c in rows.c))).one()
    return tuple(np.asarray(json.loads(v) if v else [], dtype=np.int64) for v in row)


def _load_relations(session: Session, scope: Scope, orgs: dict[int, OrgInfo],
                    started: Future | None = None) -> tuple[Rels, np.ndarray]:
    """Chain relations with an end in scope, as arrays, and the ids of the organizations at
    their far ends that are not local. The far ends' nodes and regions come from the
    directory; sources, sentences and documents later, only for the relations a finding cites
    (``evidence.hydrate``)."""
    ids, src, tgt, flags = started.result() if started is not None else _relation_arrays(core(session), scope)
    far = sorted_unique(np.where(flags >= 2, src, tgt))  # the end that is not the scope's
    far = far[~np.isin(far, np.fromiter(orgs, dtype=np.int64, count=len(orgs)))]
    ids, first = np.unique(ids, return_index=True)
    src, tgt, sup_of = src[first], tgt[first], (flags[first] % 2).astype(bool)
    return Rels(ids, np.where(sup_of, src, tgt), np.where(sup_of, tgt, src), sup_of), far


def relation_details(session: Session, ids: list[int]) -> dict[int, dict]:
    """Source, sentence, date and document of the given relations (one query; SQLite: per 30,000)."""
    out: dict[int, dict] = {}
    r = Relation
    for chunk in id_lists(session, ids):
        stmt = (select(r.id, r.source, r.evidence, r.evidence_id, r.date, EvidenceSpan.text, Document.id,
                       Document.title, Document.url, Document.published_at)
                .outerjoin(EvidenceSpan, EvidenceSpan.id == r.evidence_id)
                .outerjoin(Document, Document.id == EvidenceSpan.document_id).where(r.id.in_(chunk)))
        for rid, src, ev, ev_id, d, stext, did, title, url, pub in core(session).execute(stmt).all():
            out[rid] = {"source": src, "evidence": ev, "evidence_id": ev_id, "date": d.isoformat() if d else None,
                        "document": _doc(ev_id, stext, did, title, url, pub)}
    return out


def total_revenue(orgs: Iterable[OrgInfo], year: int | None) -> float | None:
    """The organizations' latest revenues added up (万元); None when none of them reports one,
    so a region without figures reads "no data", not "0元"."""
    figures = [v for v in (o.latest_revenue(year)[1] for o in orgs) if v is not None]
    return sum(figures) if figures else None
