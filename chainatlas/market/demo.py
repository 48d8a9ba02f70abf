"""The demo marketplace: a few fictional posts (flagged 虚构示例 in the data and the UI), reviewed and
matched, one of them carried through to a completed deal so the KPI page has something to show."""

from __future__ import annotations

from sqlalchemy import select

from chainatlas.market.bulk import import_posts
from chainatlas.market.service import act, propose
from chainatlas.market.vocab import MARKET_DIR
from chainatlas.store import Store
from chainatlas.store.models import MarketMatch, MarketNeed


def load_market_demo(store: Store) -> str:
    offers, offer_errors = import_posts(store, MARKET_DIR / "demo_offers.jsonl", "offers", fictional=True,
                                        actor="demo")
    needs, need_errors = import_posts(store, MARKET_DIR / "demo_needs.jsonl", "needs", fictional=True, actor="demo")
    with store.session() as s:
        for need in s.scalars(select(MarketNeed).where(MarketNeed.fictional.is_(True), MarketNeed.status == "open")):
            propose(s, need, actor="demo")
        first = s.scalars(select(MarketNeed).where(MarketNeed.external_id == "DEMO-N1")).first()
        m = s.scalars(select(MarketMatch).where(MarketMatch.need_id == first.id).order_by(MarketMatch.rank)).first() \
            if first else None
        if m is not None and m.state == "proposed":
            for step in ("interest", "accept", "start"):
                act(s, m, step, actor="demo", org_id=None, is_operator=True,
                    as_side="requester" if step == "interest" else "provider")
            act(s, m, "complete", actor="demo", org_id=None, is_operator=True, amount_wan=1150)
    return f"{offers} offers, {needs} needs (fictional), {len(offer_errors) + len(need_errors)} errors"
