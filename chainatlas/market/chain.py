"""The marketplace in the chain report: an open need is evidence of a 堵点 on the nodes its services
serve, and a gap lists the open offers whose services serve its node."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainatlas.analyse.scope import Scope
from chainatlas.store.models import MarketNeed, MarketOffer

OPEN_NEED = ("open", "matched")


def need_voices(session: Session, scope: Scope) -> dict[str, list[dict]]:
    """Open needs posted from inside the scope, by the chain node their services serve."""
    out: dict[str, list[dict]] = defaultdict(list)
    for n in session.scalars(select(MarketNeed).where(MarketNeed.status.in_(OPEN_NEED))):
        if scope.park_id is not None or scope.name not in (n.region or ""):
            continue
        for node in n.chain_nodes or []:
            out[node].append({"need_id": n.id, "title": n.title, "requester": n.requester, "url": f"/market/needs/{n.id}",
                              "deadline": n.deadline.isoformat() if n.deadline else None, "fictional": n.fictional})
    return out


def offers_for_nodes(session: Session, node_ids: set[str], limit: int = 5) -> dict[str, list[dict]]:
    """Open offers (anywhere) whose services serve each node."""
    from chainatlas.market.vocab import vocabulary

    vocab = vocabulary()
    out: dict[str, list[dict]] = defaultdict(list)
    for o in session.scalars(select(MarketOffer).where(MarketOffer.status == "open").order_by(MarketOffer.id)):
        nodes = {nid for s in o.services if s in vocab.services for nid in vocab.services[s].nodes}
        for nid in nodes & node_ids:
            if len(out[nid]) < limit:
                out[nid].append({"offer_id": o.id, "title": o.title, "provider": o.provider, "region": o.region,
                                 "url": f"/market/offers/{o.id}", "fictional": o.fictional})
    return out
