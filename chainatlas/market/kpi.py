"""The operator's KPIs: needs posted, matched, 对接率, median first response, completed deals."""

from __future__ import annotations

from collections import defaultdict
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainatlas.market.vocab import vocabulary
from chainatlas.store.models import MarketMatch, MarketNeed

ENGAGED = ("accepted", "in_progress", "completed", "failed")


def _province(region: str) -> str:
    for cut in ("省", "自治区", "市"):
        if cut in region:
            return region[: region.index(cut) + len(cut)]
    return region or "未填"


def kpis(session: Session) -> dict:
    vocab = vocabulary()
    needs = [n for n in session.scalars(select(MarketNeed)) if n.status not in ("rejected", "pending_review")]
    matches = list(session.scalars(select(MarketMatch)))
    by_need: dict[int, list[MarketMatch]] = defaultdict(list)
    for m in matches:
        by_need[m.need_id].append(m)

    def figures(group: list[MarketNeed]) -> dict:
        ms = [m for n in group for m in by_need.get(n.id, [])]
        matched = sum(1 for n in group if by_need.get(n.id))
        engaged = sum(1 for n in group if any(m.state in ENGAGED for m in by_need.get(n.id, [])))
        hours = []
        for m in ms:
            if m.first_response_at is not None:
                start = m.created_at if m.created_at.tzinfo else m.created_at.replace(tzinfo=m.first_response_at.tzinfo)
                first = m.first_response_at if m.first_response_at.tzinfo else m.first_response_at.replace(
                    tzinfo=start.tzinfo)
                hours.append((first - start).total_seconds() / 3600)
        done = [m for m in ms if m.state == "completed"]
        return {"needs": len(group), "matched": matched,
                "docking_rate": round(engaged / len(group), 4) if group else None,
                "median_first_response_hours": round(median(hours), 2) if hours else None,
                "completed": len(done), "amount_wan": round(sum(m.amount_wan or 0 for m in done), 2)}

    out = {"total": figures(needs), "by_region": {}, "by_service": {}, "by_period": {}}
    groups: dict[str, dict[str, list[MarketNeed]]] = {"by_region": defaultdict(list),
                                                      "by_service": defaultdict(list),
                                                      "by_period": defaultdict(list)}
    for n in needs:
        groups["by_region"][_province(n.region)].append(n)
        for s in n.services or ["未识别"]:
            groups["by_service"][vocab.services[s].name if s in vocab.services else s].append(n)
        groups["by_period"][n.posted.strftime("%Y-%m")].append(n)
    for key, grouped in groups.items():
        out[key] = {k: figures(v) for k, v in sorted(grouped.items())}
    return out
