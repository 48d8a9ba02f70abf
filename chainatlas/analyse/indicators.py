"""Indicators against targets (e.g. 规上企业数量 and 营业收入「双倍增」), per year.

Actual values come from the registry: an enterprise is 规上 in a year when it holds a 规上
tier valid that year or reports revenue at or above the 2000 万元 line that year. Targets
are ``indicator_target`` rows; indicators ending in ``_multiple`` are relative ("double
the baseline year"), their baseline taken from the registry itself.

The registry rarely holds a whole city, so each indicator also carries the figures the
region's own news states for it (规上企业30家, with the sentence's document) and says how much
of them the registry covers. A relative target whose baseline the registry cannot give reads
无基期数据, never a target of 0.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainatlas.analyse.data import ChainData, OrgInfo
from chainatlas.analyse.evidence import evidence
from chainatlas.analyse.ladder import GUISHANG_LINE
from chainatlas.store.models import Document, IndicatorTarget, Metric
from chainatlas.units import fmt_count, fmt_wan_report

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


# What a news figure must say to stand for an indicator: 规上/规模以上 firms counted, or their
# revenue; shares, rates and coverage ratios of them are other measures.
_GUISHANG = re.compile(r"规上|规模以上")
_REVENUE = re.compile(r"营业收入|营收|主营业务收入|产值")
_NOT_A_LEVEL = re.compile(r"率|占|比重|增长|增速|同比")
REPORTED_UNITS = {"guishang_count": ("count",), "guishang_revenue": ("CNY",), "revenue": ("CNY",),
                  "enterprise_count": ("count",)}


def reported_figures(session: Session, data: ChainData, indicator: str, limit: int = 3) -> list[dict]:
    """Figures the region's news states for ``indicator``, newest first, each with its document."""
    units = REPORTED_UNITS.get(indicator)
    if not units:
        return []
    rows = session.execute(
        select(Metric.subject, Metric.value, Metric.unit, Metric.year, Metric.text, Document.id, Document.title,
               Document.published_at)
        .join(Document, Document.id == Metric.document_id)
        .where(data.scope.region_filter(Metric.region_adcode), Metric.unit.in_(units),
               Document.near_duplicate_of.is_(None))
        .order_by(Document.published_at.desc().nulls_last(), Metric.id)).all()
    out = []
    for subject, value, unit, year, text, did, title, pub in rows:
        subject = subject or ""
        if _NOT_A_LEVEL.search(subject):
            continue
        guishang = bool(_GUISHANG.search(subject))
        wanted = {"guishang_count": guishang, "guishang_revenue": guishang and bool(_REVENUE.search(subject)),
                  "revenue": bool(_REVENUE.search(subject)) and not guishang,
                  "enterprise_count": "企业" in subject and not guishang}[indicator]
        if not wanted:
            continue
        # Stored in the indicator's unit: counts as they are, money from 元 to 万元.
        out.append({"subject": subject, "value": value / 1e4 if unit == "CNY" else value, "year": year,
                    "text": text, "document_id": did, "title": title,
                    "published_at": pub.isoformat() if pub else None})
        if len(out) >= limit:
            break
    return out


def _amount(value: float, unit: str) -> str:
    return fmt_wan_report(value) if unit == "万元" else fmt_count(value, unit)


def coverage_text(label: str, unit: str, registry_value: float, reported: list[dict]) -> str:
    """'本库登记 0家；新闻报道 30家（…）' — the registry's figure beside the stated one."""
    text = f"本库登记{label} {_amount(registry_value, unit)}" if registry_value else f"本库无{label}登记数据"
    if reported:
        r = reported[0]
        when = f"{r['year']}年，" if r["year"] else (f"{r['published_at'][:10]}报道，" if r["published_at"] else "")
        text += f"；新闻报道 {_amount(r['value'], unit)}（{when}《{r['title'] or r['document_id']}》）"
        if r["value"]:
            text += f"，本库覆盖其中 {min(1.0, registry_value / r['value']):.0%}"
    elif not registry_value:
        text += "；本库与本地新闻都没有这项数据，请导入规上名单或营业收入"
    return text


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
        baseline: float | None
        target: float | None
        if relative:
            # Twice nothing is no target: without a baseline the multiple cannot become a number.
            baseline, target = (registry_base, registry_base * t.target) if registry_base else (None, None)
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
            if baseline is None or target is None:
                expected = None
            else:
                expected = baseline + (target - baseline) * (y - start) / span if span > 0 else target
            # Growth is compared, not levels: an official city-wide target and the registry's
            # partial count differ in coverage but should grow at the same pace.
            growth = value / registry_base if registry_base else None
            path = expected / baseline if baseline and expected is not None else None
            progress.append({"year": y, "actual": value, "growth": growth, "expected_growth": path,
                             "on_track": (growth >= path - 1e-9) if growth is not None and path else None})
        reported = reported_figures(session, data, base_ind)
        latest = progress[-1]["actual"] if progress else 0.0
        has_data = bool(latest or registry_base)
        note = ("目标为基期的倍数，基期值取自本库登记企业" if relative else
                "目标为全口径官方数字；本库登记企业仅覆盖其中一部分（见数据覆盖）；按增速（倍数）比较进度")
        if relative and baseline is None:
            note = f"无基期数据：本库没有 {start} 年的{label}，倍增目标无法换算成数值"
        if not t.baseline_year:
            note += "；来源未写明基期年，取本库最早有数据的年份"
        out.append({
            "indicator": t.indicator, "label": label + ("（倍增）" if relative else ""), "unit": unit,
            "target_year": t.year, "target": target, "target_multiple": t.target if relative else None,
            "baseline_year": start, "baseline": baseline, "baseline_missing": relative and baseline is None,
            "registry_baseline": registry_base,
            "registry_coverage": (registry_base / baseline) if baseline and not relative else None,
            "has_registry_data": has_data, "reported": reported,
            "coverage": coverage_text(label, unit, latest, reported),
            "source": t.source, "progress": progress,
            "baseline_year_stated": t.baseline_year is not None,
            "note": note,
            "evidence": evidence(data, orgs=last_orgs, documents=[
                {"evidence_id": None, "document_id": r["document_id"], "title": r["title"], "text": r["text"],
                 "published_at": r["published_at"]} for r in reported]),
        })
    return out
