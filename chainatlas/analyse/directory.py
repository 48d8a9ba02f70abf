"""The national organization directory: every organization's region, park, kind and chain
nodes as compact arrays, kept per process and per data version.

A city report reads ~10^5 relations whose far ends are ~10^5 distinct firms all over the
country. Looking each far firm up in ``organization`` and ``organization_node`` costs two
index probes per firm (~1 s on PostgreSQL at national scale), on every report. Those
attributes do not depend on the region asked about, so they are read once — two GROUP BY
statements that ship one JSON array of ids per (region, park, kind) and per node set — and
the report looks its far firms up with a binary search. Names are not kept (the report
names only the few hundred firms it cites, fetched then).

Validity: the directory carries the fingerprint of ``organization`` and
``organization_node`` (``table_version``) read *before* it was built, and is
rebuilt when the fingerprint moves. A transaction that has itself written (uncommitted rows
another session must not see) never shares a directory: it builds a private one.
The national placements per node (the location quotient's denominator) come with it.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from chainatlas.analyse.version import _stat
from chainatlas.store.models import Organization, OrganizationNode

NO_KEY: tuple[str, ...] = ()
MAX_DIRECTORIES = 4  # databases kept per process (tests open many small ones)


@dataclass
class Directory:
    ids: np.ndarray  # int64, sorted
    key: np.ndarray  # int32 → keys (the organization's chain nodes, sorted tuple)
    region: np.ndarray  # int32 → regions (adcode or None)
    park: np.ndarray  # int64, -1 for none
    kind: np.ndarray  # int16 → kinds
    candidate: np.ndarray  # bool
    keys: list[tuple[str, ...]]
    regions: list[str | None]
    kinds: list[str]
    node_counts: dict[str, int]  # placements per node over the whole registry
    key_nodes: list[set[str]] = field(default_factory=list)  # shared node sets, one per key
    _key_ix: dict[tuple[str, ...], int] | None = field(default=None, repr=False)
    _region_ix: dict[str | None, int] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.key_nodes:
            self.key_nodes = [set(k) for k in self.keys]

    def key_index(self) -> dict[tuple[str, ...], int]:
        if self._key_ix is None:
            self._key_ix = {k: i for i, k in enumerate(self.keys)}
        return self._key_ix

    def region_index(self) -> dict[str | None, int]:
        if self._region_ix is None:
            self._region_ix = {r: i for i, r in enumerate(self.regions)}
        return self._region_ix

    def positions(self, ids: np.ndarray) -> np.ndarray:
        """Row of each id in the directory, -1 for an id it does not hold."""
        if not len(self.ids):
            return np.full(len(ids), -1, dtype=np.int64)
        pos = np.searchsorted(self.ids, ids).clip(0, len(self.ids) - 1)
        return np.where(self.ids[pos] == ids, pos, -1)


def table_version(session: Session, models: tuple) -> tuple:
    """``version.data_version`` restricted to some tables: their max ids; on PostgreSQL their
    change counters; on SQLite the database file and its WAL."""
    conn = session.connection()
    maxima = conn.execute(select(*(select(func.max(m.id)).scalar_subquery() for m in models))).one()
    extra: tuple = ()
    if conn.dialect.name == "postgresql":
        row = conn.execute(text(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables "
            "WHERE relname = ANY(:names)"), {"names": [m.__tablename__ for m in models]}).one()
        extra = (int(row[0]),)
    elif conn.dialect.name == "sqlite":
        path = conn.engine.url.database
        if path and path != ":memory:":
            extra = tuple(_stat(p) for p in (path, path + "-wal"))
    return (*maxima, *extra)


_CACHE: dict[str, tuple[tuple, Directory]] = {}
_LOCK = threading.Lock()


def _has_written(session: Session) -> bool:
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        return conn.execute(text("SELECT txid_current_if_assigned()")).scalar() is not None
    if conn.dialect.name == "sqlite":
        return bool(getattr(conn.connection.dbapi_connection, "in_transaction", True))
    return True


def directory(session: Session) -> Directory:
    """The directory for the session's database (shared when it is current, see above)."""
    if _has_written(session):
        return build_directory(session)
    key = str(session.get_bind().url)
    version = table_version(session, (Organization, OrganizationNode))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]
    built = build_directory(session, parallel=True)
    with _LOCK:
        if len(_CACHE) >= MAX_DIRECTORIES and key not in _CACHE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = (version, built)
    return built


def _ids(value: object) -> np.ndarray:
    """An aggregated id list: big-endian int64 bytes (PostgreSQL) or a JSON array (SQLite)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return np.frombuffer(value, dtype=">i8").astype(np.int64)
    return np.asarray(json.loads(value) if isinstance(value, str) else list(value or []),  # type: ignore[arg-type]
                      dtype=np.int64)


_ORG_SQL = ("SELECT region_adcode, park_id, kind, is_candidate, {ids} FROM organization "
            "GROUP BY region_adcode, park_id, kind, is_candidate")
_NODE_SQL = "SELECT node_id, {ids} FROM organization_node GROUP BY node_id"


def build_directory(session: Session, *, parallel: bool = False) -> Directory:
    """Read the directory (two GROUP BY statements over the whole registry). ``parallel``:
    on PostgreSQL, run them at once on two pooled connections (only for a transaction that
    has written nothing, which the shared directory requires anyway)."""
    conn = session.connection()
    pg = conn.dialect.name == "postgresql"
    # PostgreSQL ships each id list as one bytea of big-endian int64s (no number parsing).
    agg = "string_agg(int8send({col}), ''::bytea)" if pg else "json_group_array({col})"
    if pg and parallel:
        from chainatlas.analyse.data import background

        engine = session.get_bind()

        def read(sql: str) -> list:
            with engine.connect() as c:  # type: ignore[union-attr]
                return c.execute(text(sql)).all()

        jobs = [background().submit(read, sql) for sql in (_ORG_SQL.format(ids=agg.format(col="id")),
                                                           _NODE_SQL.format(ids=agg.format(col="organization_id")))]
        org_rows, node_rows = (f.result() for f in jobs)
    else:
        org_rows = conn.execute(text(_ORG_SQL.format(ids=agg.format(col="id")))).all()
        node_rows = conn.execute(text(_NODE_SQL.format(ids=agg.format(col="organization_id")))).all()
    id_parts, reg_parts, park_parts, kind_parts, cand_parts = [], [], [], [], []
    regions: list[str | None] = [None]
    region_ix: dict[str | None, int] = {None: 0}
    kinds: list[str] = []
    kind_ix: dict[str, int] = {}
    for adcode, park, kind, cand, ids in org_rows:
        arr = _ids(ids)
        ri = region_ix.setdefault(adcode, len(regions))
        if ri == len(regions):
            regions.append(adcode)
        ki = kind_ix.setdefault(kind, len(kinds))
        if ki == len(kinds):
            kinds.append(kind)
        id_parts.append(arr)
        reg_parts.append(np.full(len(arr), ri, dtype=np.int32))
        park_parts.append(np.full(len(arr), -1 if park is None else park, dtype=np.int64))
        kind_parts.append(np.full(len(arr), ki, dtype=np.int16))
        cand_parts.append(np.full(len(arr), bool(cand), dtype=bool))
    ids_all = np.concatenate(id_parts) if id_parts else np.zeros(0, dtype=np.int64)
    order = np.argsort(ids_all, kind="stable")
    ids_sorted = ids_all[order]

    def cat(parts: list, dtype) -> np.ndarray:  # type: ignore[no-untyped-def]
        return (np.concatenate(parts) if parts else np.zeros(0, dtype=dtype))[order]

    # Node sets per organization without a row per organization: one id array per node, then
    # each organization's set is identified by two order-free hashes of its nodes (a sum and
    # an xor of random 64-bit codes), checked exact below.
    node_names: list[str] = []
    pair_org, pair_node = [], []
    for nid, ids in node_rows:
        arr = _ids(ids)
        pair_org.append(arr)
        pair_node.append(np.full(len(arr), len(node_names), dtype=np.int32))
        node_names.append(nid)
    key = np.zeros(len(ids_sorted), dtype=np.int32)  # 0 = no node
    keys: list[tuple[str, ...]] = [NO_KEY]
    counts = {nid: len(a) for nid, a in zip(node_names, pair_org, strict=True)}
    if pair_org:
        orgs = np.concatenate(pair_org)
        nodes = np.concatenate(pair_node)
        order2 = np.argsort(orgs, kind="stable")  # by organization (the hashes ignore node order)
        orgs, nodes = orgs[order2], nodes[order2]
        rng = np.random.default_rng(20261122)
        c1 = rng.integers(1, 2**63, size=len(node_names), dtype=np.int64).astype(np.uint64)
        c2 = rng.integers(1, 2**63, size=len(node_names), dtype=np.int64).astype(np.uint64)
        starts = np.flatnonzero(np.r_[True, orgs[1:] != orgs[:-1]])
        uorg = orgs[starts]
        with np.errstate(over="ignore"):
            h1 = np.add.reduceat(c1[nodes], starts)
        h2 = np.bitwise_xor.reduceat(c2[nodes], starts)
        size = np.diff(np.r_[starts, len(orgs)])
        uniq, first, inv = np.unique(h1, return_index=True, return_inverse=True)
        if np.any(h2 != h2[first][inv]) or np.any(size != size[first][inv]):  # a collision: exact path
            by_org: dict[int, list[str]] = defaultdict(list)
            for o, n in zip(orgs.tolist(), nodes.tolist(), strict=True):
                by_org[o].append(node_names[n])
            key_ix: dict[tuple[str, ...], int] = {NO_KEY: 0}
            ukey = np.empty(len(uorg), dtype=np.int32)
            for i, o in enumerate(uorg.tolist()):
                k = tuple(sorted(by_org[o]))
                ukey[i] = key_ix.setdefault(k, len(keys))
                if ukey[i] == len(keys):
                    keys.append(k)
        else:
            for s0, n0 in zip(starts[first].tolist(), size[first].tolist(), strict=True):
                keys.append(tuple(sorted(node_names[n] for n in nodes[s0:s0 + n0].tolist())))
            ukey = (inv + 1).astype(np.int32)
        if len(ids_sorted):
            pos = np.searchsorted(ids_sorted, uorg).clip(0, len(ids_sorted) - 1)
            ok = ids_sorted[pos] == uorg
            key[pos[ok]] = ukey[ok]
    return Directory(ids_sorted, key, cat(reg_parts, np.int32), cat(park_parts, np.int64),
                     cat(kind_parts, np.int16), cat(cand_parts, bool), keys, regions, kinds, dict(counts))


def clear() -> None:
    with _LOCK:
        _CACHE.clear()
