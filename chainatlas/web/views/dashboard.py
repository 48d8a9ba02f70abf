"""Dashboard per region: indicators, ladder, latest events, top gaps and leaders, personas."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from chainatlas.api.deps import SessionDep
from chainatlas.api.queries.documents import list_events
from chainatlas.api.queries.regions import regions_with_organizations, resolve_region
from chainatlas.api.queries.taxonomy import node_names
from chainatlas.standards.alerts import recent_changes
from chainatlas.web import chain_view as cv
from chainatlas.web.views.base import render

router = APIRouter(include_in_schema=False)

PREFERRED = ("321200",)  # 泰州市, the demo's home cluster, when it holds data


def default_region(session: SessionDep) -> str:
    regions = regions_with_organizations(session)
    codes = [r["adcode"] for r in regions]
    for code in PREFERRED:
        if code in codes:
            return code
    return codes[0] if codes else "321200"


@router.get("/")
def home(session: SessionDep, region: str | None = None) -> Response:
    target = resolve_region(session, region).adcode if region else default_region(session)
    return RedirectResponse(f"/dashboard/{target}", status_code=303)


@router.get("/dashboard/{region}")
def dashboard(region: str, request: Request, session: SessionDep) -> Response:
    info = resolve_region(session, region)
    report = cv.region_report(session, info.adcode)
    names = node_names(session)
    ladder = cv.ladder(report)
    events, _ = list_events(session, region=info.adcode, limit=8)
    # The tiles count findings as the report does. (The map's per-node colour cannot: a gap that
    # the region also voices as a need is one node but both a 断链 and a 堵点.)
    summary = report.get("summary") or {}
    counts = {"covered": summary.get("nodes_covered", 0), "gap": len(report.get("gaps") or []),
              "choke": len(report.get("choke_points") or []), "bottleneck": len(report.get("bottlenecks") or [])}
    return render(
        request, "dashboard.html", region=info, report_region=report.get("region"),
        regions=regions_with_organizations(session), indicators=cv.indicators(report),
        ladder=ladder, events=events, gaps=cv.findings(report, "gaps", names, 8),
        chokes=cv.findings(report, "choke_points", names, 5), bottlenecks=cv.findings(report, "bottlenecks", names, 5),
        leaders=cv.leaders(report, 8),
        status_counts=counts, near=cv.near_next_rung(report),
        ladder_chart={"labels": [r["label"] for r in ladder], "values": [r["count"] for r in ladder],
                      "urls": [f"/orgs?region={info.adcode}&tier={r['label']}" for r in ladder]},
        standards_feed=recent_changes(session, limit=8),
    )


def _month() -> str:
    return f"{date.today():%Y年%m月}"


@router.get("/dashboard/{region}/report.xlsx")
def monthly_report_xlsx(region: str, session: SessionDep) -> Response:
    """The monthly report an office circulates: the chain report workbook, named by region and month."""
    from chainatlas.analyse.excel import write_report_xlsx

    info = resolve_region(session, region)
    report = cv.region_report(session, info.adcode)
    with tempfile.TemporaryDirectory() as tmp:
        body = write_report_xlsx(report, Path(tmp) / "report.xlsx").read_bytes()
    name = quote(f"{info.name}产业链月报{_month()}.xlsx")
    return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"})


@router.get("/dashboard/{region}/report")
def monthly_report_page(region: str, request: Request, session: SessionDep) -> Response:
    """The same report as a page to print (print CSS: no navigation, tables unbroken)."""
    info = resolve_region(session, region)
    report = cv.region_report(session, info.adcode)
    names = node_names(session)
    return render(request, "monthly_report.html", region=info, report=report, month=_month(),
                  summary=report.get("summary") or {}, indicators=cv.indicators(report),
                  gaps=cv.findings(report, "gaps", names, 20), chokes=cv.findings(report, "choke_points", names, 10),
                  bottlenecks=cv.findings(report, "bottlenecks", names, 10), leaders=cv.leaders(report, 10),
                  ladder=cv.ladder(report), near=cv.near_next_rung(report, 10))
