"""Pipeline KPIs an investment office is judged on: counts and amounts by stage, 开工率
(signed → started), 投产率 (started → producing) over a period, median days between stages,
and signed projects that never started (签约 more than 12 months without 开工, by name)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from chainatlas.invest.projects import _region_filter
from chainatlas.store.models import PROJECT_STAGES, Park, Project, Region
from chainatlas.units import fmt_amount

STALL_MONTHS = 12


def _first_dates(p: Project) -> dict[str, date]:
    """The first date each funnel stage was reached (竣工 counts as 开工, 达产 as 投产)."""
    out: dict[str, date] = {}
    for st in p.stages:
        if st.planned or st.date is None:
            continue
        stage = {"竣工": "开工", "达产": "投产"}.get(st.stage, st.stage)
        if stage not in out or st.date < out[stage]:
            out[stage] = st.date
    return out


def _rate(num: int, den: int) -> tuple[float | None, str]:
    if not den:
        return None, "—"
    r = num / den
    return r, f"{r:.0%}（{num}/{den}）"


def pipeline_kpis(session: Session, *, region: str | None = None, since: date | None = None,
                  until: date | None = None, today: date | None = None) -> dict:
    today = today or date.today()
    stmt = select(Project).options(selectinload(Project.stages))
    if region:
        stmt = stmt.where(_region_filter(session, region))
    projects = list(session.scalars(stmt))
    reached = {s: i for i, s in enumerate(PROJECT_STAGES)}
    funnel = []
    for stage in PROJECT_STAGES:
        # A project at 开工 has passed 签约: the funnel counts every project that reached the stage.
        at = [p for p in projects if reached[p.stage] >= reached[stage]]
        funnel.append({"stage": stage, "count": len(at), "current": sum(1 for p in projects if p.stage == stage),
                       "amount": sum(p.investment or 0 for p in at) or None,
                       "amount_text": fmt_amount(sum(p.investment or 0 for p in at) or None)})

    def in_period(d: date | None) -> bool:
        return d is not None and (since is None or d >= since) and (until is None or d <= until)

    dates = {p.id: _first_dates(p) for p in projects}
    signed = [p for p in projects if in_period(dates[p.id].get("签约"))]
    started_of_signed = [p for p in signed if "开工" in dates[p.id] or reached[p.stage] >= 2]
    started = [p for p in projects if in_period(dates[p.id].get("开工"))]
    producing = [p for p in started if "投产" in dates[p.id] or p.stage == "投产"]
    start_rate, start_text = _rate(len(started_of_signed), len(signed))
    prod_rate, prod_text = _rate(len(producing), len(started))
    gaps: dict[str, list[int]] = defaultdict(list)
    for d in dates.values():
        for a, b in zip(PROJECT_STAGES, PROJECT_STAGES[1:], strict=False):
            if a in d and b in d and d[b] >= d[a]:
                gaps[f"{a}→{b}"].append((d[b] - d[a]).days)
    stalled = []
    for p in projects:
        d = dates[p.id]
        if p.stage == "签约" and "签约" in d and _months(d["签约"], today) > STALL_MONTHS:
            stalled.append({"id": p.id, "name": p.name, "signed": d["签约"].isoformat(),
                            "months": _months(d["签约"], today), "investment": p.investment,
                            "region_adcode": p.region_adcode})
    stalled.sort(key=lambda x: -x["months"])
    return {
        "period": {"since": since.isoformat() if since else None, "until": until.isoformat() if until else None},
        "projects": len(projects), "funnel": funnel,
        "start_rate": start_rate, "start_rate_text": start_text,
        "production_rate": prod_rate, "production_rate_text": prod_text,
        "median_days": {k: median(v) for k, v in gaps.items()},
        "stalled": stalled,
        "by_region": _group(session, projects, "region"),
        "by_park": _group(session, projects, "park"),
        "by_subchain": _by_subchain(session, projects),
    }


def _months(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def _group(session: Session, projects: list[Project], by: str) -> list[dict]:
    groups: dict[object, list[Project]] = defaultdict(list)
    for p in projects:
        groups[p.region_adcode if by == "region" else p.park_id].append(p)
    if by == "region":
        names = dict(session.execute(select(Region.adcode, Region.name).where(
            Region.adcode.in_([k for k in groups if k]))).all()) if groups else {}
    else:
        names = dict(session.execute(select(Park.id, Park.name).where(
            Park.id.in_([k for k in groups if k]))).all()) if groups else {}
    out = []
    for key, ps in groups.items():
        if key is None:
            continue
        row = {"key": key, "name": names.get(key, str(key)), "count": len(ps),
               "amount": sum(p.investment or 0 for p in ps) or None}
        for stage in PROJECT_STAGES:
            row[stage] = sum(1 for p in ps if p.stage == stage)
        out.append(row)
    out.sort(key=lambda r: (-r["count"], str(r["key"])))
    return out


def _subchain_names() -> dict[str, str]:
    from chainatlas.taxonomy.load import read_taxonomy

    return dict(read_taxonomy().subchains)


def _by_subchain(session: Session, projects: list[Project]) -> list[dict]:
    from chainatlas.store.models import ChainNode

    node_ids = {n for p in projects for n in (p.node_ids or [])}
    sub = dict(session.execute(select(ChainNode.id, ChainNode.subchain).where(ChainNode.id.in_(node_ids))).all()) \
        if node_ids else {}
    groups: dict[str, list[Project]] = defaultdict(list)
    for p in projects:
        for s in sorted({sub[n] for n in (p.node_ids or []) if n in sub}) or ["未归类"]:
            groups[s].append(p)
    names = _subchain_names()
    return [{"subchain": k, "name": names.get(k, k), "count": len(v), "amount": sum(p.investment or 0 for p in v) or None,
             **{stage: sum(1 for p in v if p.stage == stage) for stage in PROJECT_STAGES}}
            for k, v in sorted(groups.items(), key=lambda kv: -len(kv[1]))]
