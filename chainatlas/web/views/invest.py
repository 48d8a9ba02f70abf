"""精准招商 pages: a region's gaps, weak nodes and voiced needs with the targets for each
(factors, signals, filters, shortlist), the office's target list, and the project pipeline
(funnel, KPIs, list, a project's stage timeline with its evidence)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from chainatlas.api.cache import invalidate
from chainatlas.api.deps import SessionDep, StoreDep
from chainatlas.api.errors import NotFound
from chainatlas.api.queries.regions import resolve_region
from chainatlas.api.security import CurrentUserInfo, require_role
from chainatlas.errors import ChainAtlasError
from chainatlas.invest.excel import import_projects_bytes
from chainatlas.invest.pipeline import pipeline_kpis
from chainatlas.invest.projects import add_stage, create_project, get_project, list_projects, update_project
from chainatlas.invest.targets import nodes_to_work, targets_for
from chainatlas.invest.worklist import shortlist, target_rows, update_target
from chainatlas.store.models import PROJECT_STAGES, TARGET_STATUSES
from chainatlas.web import chain_view as cv
from chainatlas.web.views.base import render

router = APIRouter(include_in_schema=False)
EditorUser = Annotated[CurrentUserInfo, Depends(require_role("admin", "analyst"))]


@router.get("/invest")
def invest_page(request: Request, session: SessionDep, region: str = "泰州", node: str | None = None,
                signals: bool = False, tier: str | None = None, province: str | None = None) -> Response:
    info = resolve_region(session, region)
    report = cv.region_report(session, info.adcode)
    nodes = nodes_to_work(report)
    node = node or (nodes[0]["node_id"] if nodes else None)
    result = targets_for(session, info.adcode, node, limit=50) if node else None
    targets = result["targets"] if result else []
    # Filters the office uses: only firms with a timing signal, a tier, a home province.
    if signals:
        targets = [t for t in targets if t["signals"]]
    if tier:
        targets = [t for t in targets if tier in t["tiers"]]
    if province:
        targets = [t for t in targets if (t["region_adcode"] or "").startswith(province[:2])]
    return render(request, "invest.html", region=info, nodes=nodes, node=node, result=result, targets=targets,
                  filters={"signals": signals, "tier": tier, "province": province}, here=info.adcode,
                  tiers=sorted({x for t in (result["targets"] if result else []) for x in t["tiers"]}))


@router.post("/invest/shortlist")
def shortlist_form(request: Request, session: SessionDep, user: EditorUser, region: Annotated[str, Form()],
                   node: Annotated[str, Form()], organization_id: Annotated[int, Form()]) -> Response:
    try:
        with session.begin_nested():
            shortlist(session, region, node, organization_id, user=user.username, assignee=user.username)
        invalidate()
    except ChainAtlasError as exc:
        return render(request, "error.html", status_code=400, code=exc.code, message=exc.message, status=400)
    return RedirectResponse(f"/invest?region={region}&node={node}", status_code=303)


@router.get("/invest/list")
def target_list_page(request: Request, session: SessionDep, region: str | None = None) -> Response:
    return render(request, "invest_list.html", rows=target_rows(session, region), statuses=TARGET_STATUSES,
                  region=region)


@router.post("/invest/list/{target_id}")
def target_update_form(target_id: int, request: Request, session: SessionDep, user: EditorUser,
                       status: Annotated[str, Form()], reason: Annotated[str, Form()] = "",
                       assignee: Annotated[str, Form()] = "", next_contact: Annotated[str, Form()] = "",
                       note: Annotated[str, Form()] = "") -> Response:
    try:
        with session.begin_nested():
            update_target(session, target_id, status=status, reason=reason or None, assignee=assignee,
                          next_contact=date.fromisoformat(next_contact) if next_contact else None,
                          note=note or None, user=user.username)
        invalidate()
    except (ChainAtlasError, ValueError) as exc:
        code, message = (exc.code, exc.message) if isinstance(exc, ChainAtlasError) else ("E682", str(exc))
        return render(request, "error.html", status_code=400, code=code, message=message, status=400)
    return RedirectResponse("/invest/list", status_code=303)


@router.get("/projects")
def projects_page(request: Request, session: SessionDep, region: str | None = None, stage: str | None = None,
                  offset: int = 0) -> Response:
    items, total = list_projects(session, region=region, stage=stage or None, limit=50, offset=offset)
    k = pipeline_kpis(session, region=region)
    funnel = {"labels": [f["stage"] for f in k["funnel"]], "values": [f["count"] for f in k["funnel"]],
              "urls": [f"/projects?stage={f['stage']}" + (f"&region={region}" if region else "") for f in k["funnel"]]}
    return render(request, "projects.html", items=items, total=total, kpi=k, funnel=funnel, region=region,
                  stage=stage, stages=PROJECT_STAGES, month=date.today().strftime("%Y-%m"))


@router.post("/projects/new")
def project_new_form(request: Request, session: SessionDep, user: EditorUser, name: Annotated[str, Form()],
                     stage: Annotated[str, Form()] = "洽谈", stage_date: Annotated[str, Form()] = "",
                     investment_yi: Annotated[str, Form()] = "", region: Annotated[str, Form()] = "",
                     organizations: Annotated[str, Form()] = "") -> Response:
    try:
        with session.begin_nested():
            adcode = resolve_region(session, region).adcode if region.strip() else None
            p = create_project(session, {"name": name, "stage": stage, "region_adcode": adcode,
                                         "investment": float(investment_yi) * 1e8 if investment_yi.strip() else None},
                               stage_date=date.fromisoformat(stage_date) if stage_date else None,
                               organizations=[o.strip() for o in organizations.replace("，", "、").split("、")
                                              if o.strip()], user=user.username)
        invalidate()
    except (ChainAtlasError, ValueError) as exc:
        code, message = (exc.code, exc.message) if isinstance(exc, ChainAtlasError) else ("E663", str(exc))
        return render(request, "error.html", status_code=400, code=code, message=message, status=400)
    return RedirectResponse(f"/projects/{p.id}", status_code=303)


@router.post("/projects/import")
async def project_import_form(request: Request, store: StoreDep, user: EditorUser, file: UploadFile) -> Response:
    report = await run_in_threadpool(import_projects_bytes, store, file.filename or "projects.xlsx", await file.read())
    invalidate()
    return render(request, "projects_import.html", report=report)


@router.post("/projects/{project_id}/edit")
def project_edit_form(project_id: int, request: Request, session: SessionDep, user: EditorUser,
                      name: Annotated[str, Form()], investment_yi: Annotated[str, Form()] = "",
                      note: Annotated[str, Form()] = "", stage: Annotated[str, Form()] = "",
                      stage_date: Annotated[str, Form()] = "") -> Response:
    try:
        with session.begin_nested():
            update_project(session, project_id, {
                "name": name, "note": note or None,
                "investment": float(investment_yi) * 1e8 if investment_yi.strip() else None}, user=user.username)
            if stage:
                add_stage(session, project_id, stage, date.fromisoformat(stage_date) if stage_date else None,
                          user=user.username)
        invalidate()
    except (ChainAtlasError, ValueError) as exc:
        code, message = (exc.code, exc.message) if isinstance(exc, ChainAtlasError) else ("E663", str(exc))
        return render(request, "error.html", status_code=400, code=code, message=message, status=400)
    return RedirectResponse(f"/projects/{project_id}", status_code=303)


@router.get("/projects/{project_id}")
def project_page(project_id: int, request: Request, session: SessionDep) -> Response:
    p = get_project(session, project_id)
    if p is None:
        raise NotFound(f"project {project_id} does not exist")
    return render(request, "project.html", p=p, stages=("洽谈", "签约", "开工", "竣工", "投产", "达产"))
