"""/api/taxonomy: sub-chains, nodes, input links."""

from __future__ import annotations

from fastapi import APIRouter

from chainatlas.api.deps import SessionDep
from chainatlas.api.errors import NotFound
from chainatlas.api.queries import taxonomy as q
from chainatlas.api.schemas.common import ERRORS

router = APIRouter(prefix="/taxonomy", tags=["taxonomy"])


@router.get("/subchains", summary="Sub-chains (化学药, 中药, 生物药 …)")
def subchains(session: SessionDep) -> list[dict]:
    return q.list_subchains(session)


@router.get("/nodes", summary="Chain nodes, optionally of one sub-chain")
def nodes(session: SessionDep, subchain: str | None = None) -> list[dict]:
    return q.list_nodes(session, subchain=subchain)


@router.get("/links", summary="Input links: from_node feeds to_node")
def links(session: SessionDep) -> list[dict]:
    return q.list_inputs(session)


@router.get("/nodes/{node_id}", responses=ERRORS, summary="One node: keywords, official codes, inputs")
def node(node_id: str, session: SessionDep) -> dict:
    detail = q.node_detail(session, node_id)
    if detail is None:
        raise NotFound(f"chain node {node_id!r} does not exist: list them at /api/taxonomy/nodes")
    return detail
