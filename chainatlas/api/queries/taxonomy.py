"""The chain taxonomy as the pages need it: sub-chains, nodes, inputs, keywords, codes."""

from __future__ import annotations

import time
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainatlas.store.models import ChainNode, NodeCode, NodeInput, NodeKeyword, OfficialCode

STAGE_ORDER = {"upstream": 0, "midstream": 1, "downstream": 2}


@lru_cache(maxsize=1)
def subchain_names() -> dict[str, str]:
    """Sub-chain id → display name, read from the taxonomy data files (not stored as rows)."""
    try:
        from chainatlas.taxonomy.load import read_taxonomy

        return dict(read_taxonomy().subchains)
    except Exception:  # a broken data file must not take the web UI down; ids still show
        return {}


_cache: dict[tuple[str, str], tuple[float, object]] = {}
TTL = 300.0


def _cached(session: Session, name: str, build):  # type: ignore[no-untyped-def]
    """The taxonomy is reference data reloaded only by ``chainatlas db init``: every page
    draws it, so it is read once per database every few minutes instead of per request."""
    key = (str(session.get_bind().url), name)
    hit = _cache.get(key)
    if hit is None or time.monotonic() - hit[0] > TTL:
        hit = _cache[key] = (time.monotonic(), build())
    return hit[1]


def list_nodes(session: Session, *, subchain: str | None = None) -> list[dict]:
    rows = _cached(session, "nodes", lambda: _list_nodes(session))
    return [n for n in rows if n["subchain"] == subchain] if subchain else list(rows)


def _list_nodes(session: Session, *, subchain: str | None = None) -> list[dict]:
    stmt = select(ChainNode).order_by(ChainNode.subchain, ChainNode.sort_order, ChainNode.id)
    if subchain:
        stmt = stmt.where(ChainNode.subchain == subchain)
    names = subchain_names()
    return [
        {"id": n.id, "name": n.name, "subchain": n.subchain, "subchain_name": names.get(n.subchain, n.subchain),
         "stage": n.stage, "parent_id": n.parent_id}
        for n in session.scalars(stmt)
    ]


def list_subchains(session: Session) -> list[dict]:
    names = subchain_names()
    ids = sorted({n["subchain"] for n in list_nodes(session)})
    return [{"id": i, "name": names.get(i, i)} for i in ids]


def list_inputs(session: Session) -> list[dict]:
    return _cached(session, "inputs", lambda: [
        {"from": a, "to": b, "note": note}
        for a, b, note in session.execute(select(NodeInput.from_node_id, NodeInput.to_node_id, NodeInput.note))])


def node_detail(session: Session, node_id: str) -> dict | None:
    n = session.get(ChainNode, node_id)
    if n is None:
        return None
    codes = session.execute(
        select(OfficialCode.id, OfficialCode.code, OfficialCode.name, OfficialCode.scheme, NodeCode.correspondence)
        .join(NodeCode, NodeCode.code_id == OfficialCode.id).where(NodeCode.node_id == node_id)
    ).all()
    return {
        "id": n.id, "name": n.name, "subchain": n.subchain,
        "subchain_name": subchain_names().get(n.subchain, n.subchain), "stage": n.stage,
        "parent_id": n.parent_id, "description": n.description,
        "keywords": list(session.scalars(select(NodeKeyword.keyword).where(NodeKeyword.node_id == node_id))),
        "codes": [{"id": c.id, "code": c.code, "name": c.name, "scheme": c.scheme, "correspondence": c.correspondence}
                  for c in codes],
        "inputs": list(session.scalars(select(NodeInput.from_node_id).where(NodeInput.to_node_id == node_id))),
        "feeds": list(session.scalars(select(NodeInput.to_node_id).where(NodeInput.from_node_id == node_id))),
    }


def node_names(session: Session) -> dict[str, str]:
    return {n["id"]: n["name"] for n in list_nodes(session)}
