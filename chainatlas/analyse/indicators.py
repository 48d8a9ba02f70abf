"""Indicators against targets (e.g. 规上企业数量 and 营业收入「双倍增」), per year.

Actual values come from the registry: an enterprise is 规上 in a year when it holds a 规上
tier valid that year or reports revenue at or above the 2000 万元 line that year. Targets
are ``indicator_target`` rows; indicators ending in ``_multiple`` are relative ("double
the baseline year"), their baseline taken from the registry itself.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainatlas.analyse.data import ChainData, OrgInfo
from chainatlas.analyse.evidence import evidence
from chainatlas.analyse.ladder import GUISHANG_LINE
from chainatlas.store.models import IndicatorTarget

INDICATORS = {
    "guishang_count": ("规上企业数量", "家"),
    "guishang_revenue": ("规上企业营业收入", "万元"),
    "revenue": ("营业收入合计", "万元"),
    "enterprise_count": ("企业数量", "家"),
}


def is_guishang(o: OrgInfo, year: int) -> bool:
    if any(t.label == "规上" and t.year_granted is not None and t.valid_in(year) for t in o.tiers):
        return True
    rev = o.revenue.get(year)
    return rev is not None and rev >= GUISHANG_LINE


def actual(data: ChainData, indicator: str, year: int) -> tuple[float, list[OrgInfo]]:
    firms = [o for o in data.local if o.kind == "enterprise"]
    if indicator == "guishang_count":
        orgs = [o for o in firms if is_guishang(o, year)]
        return float(len(orgs)), orgs
    if indicator == "guishang_revenue":
        orgs = [o for o in firms if is_guishang(o, year) and year in o.revenue]
        return sum(o.revenue[year] for o in orgs), orgs
    if indicator == "revenue":
        orgs = [o for o in firms if year in o.revenue]
        return sum(o.revenue[year] for o in orgs), orgs
    if indicator == "enterprise_count":
        return float(len(firms)), firms
    raise KeyError(indicator)


def indicators(session: Session, data: ChainData) -> list[dict]:
    rows = session.scalars(select(IndicatorTarget).where(IndicatorTarget.region_adcode == data.scope.adcode)
                           .order_by(IndicatorTarget.indicator, IndicatorTarget.year)).all()
    years_seen = sorted({y for o in data.local for y in o.revenue})
    out = []
    for t in rows:
        relative = t.indicator.endswith("_multiple")
        base_ind = t.indicator.removesuffix("_multiple")
        if base_ind not in INDICATORS:
            continue
        label, unit = INDICATORS[base_ind]
        # An unstated base year: start from the first year the registry has figures for
        # (at most the target year), so progress still reads year by year.
        start = t.baseline_year or min([*(y for y in years_seen if y <= t.year), t.year])
        registry_base, _ = actual(data, base_ind, start)
        if relative:
            baseline, target = registry_base, registry_base * t.target
        else:
            baseline, target = (t.baseline if t.baseline is not None else t.target / 2), t.target
        progress = []
        last_orgs: list[OrgInfo] = []
        for y in range(start, t.year + 1):
            if y not in years_seen and y != start:
                continue
            value, orgs = actual(data, base_ind, y)
            last_orgs = orgs
            span = t.year - start
            expected = baseline + (target - baseline) * (y - start) / span if span > 0 else target
            # Growth is compared, not levels: an official city-wide target and the registry's
            # partial count differ in coverage but should grow at the same pace.
            growth = value / registry_base if registry_base else None
            path = expected / baseline if baseline else None
            progress.append({"year": y, "actual": value, "growth": growth, "expected_growth": path,
                             "on_track": (growth >= path - 1e-9) if growth is not None and path else None})
        out.append({
            "indicator": t.indicator, "label": label + ("（倍增）" if relative else ""), "unit": unit,
            "target_year": t.year, "target": target, "baseline_year": start, "baseline": baseline,
            "registry_baseline": registry_base,
            "registry_coverage": (registry_base / baseline) if baseline and not relative else None,
            "source": t.source, "progress": progress,
            "baseline_year_stated": t.baseline_year is not None,
            "note": ("目标为基期的倍数，基期值取自本库登记企业" if relative else
                     "目标为全口径官方数字；本库登记企业仅覆盖其中一部分，见 registry_coverage；"
                     "按增速（倍数）比较进度") + ("" if t.baseline_year else "；来源未写明基期年，取本库最早有数据的年份"),
            "evidence": evidence(data, orgs=last_orgs),
        })
    return out
