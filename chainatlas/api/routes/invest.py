"""/api/projects and /api/invest: the project pipeline and 精准招商 targets (writes need an
analyst or admin login and the X-CSRF-Token header)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from chainatlas.api.cache import invalidate
from chainatlas.api.deps import SessionDep, StoreDep
from chainatlas.api.errors import NotFound
from chainatlas.api.schemas.common import ERRORS
from chainatlas.api.security import Editor
from chainatlas.invest.excel import import_projects_bytes, monthly_report_xlsx
from chainatlas.invest.pipeline import pipeline_kpis
from chainatlas.invest.projects import add_stage, create_project, get_project, list_projects, update_project
from chainatlas.invest.targets import targets_for
from chainatlas.invest.worklist import shortlist, target_rows, targets_workbook, update_target

router = APIRouter(tags=["invest"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ProjectEdit(BaseModel):
    name: str | None = None
    stage: str | None = Field(None, description="洽谈 | 签约 | 开工 | 投产")
    investment: float | None = Field(None, description="total investment in 元 (CNY)")
    region_adcode: str | None = None
    note: str | None = None


class ProjectIn(BaseModel):
    name: str
    stage: str = Field("洽谈", description="洽谈 | 签约 | 开工 | 投产")
    stage_date: date | None = None
    investment: float | None = Field(None, description="total investment in 元 (CNY)")
    region_adcode: str | None = None
    organizations: list[str] = []
    note: str | None = None


class StageIn(BaseModel):
    stage: str = Field(description="洽谈 | 签约 | 开工 | 投产 | 竣工 | 达产")
    stage_date: date | None = None
    note: str | None = None


class ShortlistIn(BaseModel):
    region: str
    node_id: str
    organization_id: int
    assignee: str | None = None


class TargetEdit(BaseModel):
    status: str | None = Field(None, description="未接触 | 已接触 | 洽谈 | 签约 | 放弃")
    reason: str | None = Field(None, description="why abandoned (required with 放弃)")
    assignee: str | None = None
    next_contact: date | None = None
    note: str | None = None


@router.get("/projects", responses=ERRORS, summary="Projects with stage, amount, region, organizations, stages, evidence")
def projects(session: SessionDep, region: str | None = None, stage: str | None = None,
             q: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
             offset: Annotated[int, Query(ge=0)] = 0) -> dict:
    items, total = list_projects(session, region=region, stage=stage, q=q, limit=limit, offset=offset)
    return {"items": items, "total": total}


@router.get("/projects/kpi", responses=ERRORS, summary="Pipeline KPIs: funnel, 开工率, 投产率, stalled projects")
def kpi(session: SessionDep, region: str | None = None, since: date | None = None, until: date | None = None) -> dict:
    return pipeline_kpis(session, region=region, since=since, until=until)


@router.get("/projects/report.xlsx", responses={200: {"content": {XLSX: {}}}, **ERRORS},
            summary="The monthly 招商 report as an Excel workbook")
def report_xlsx(session: SessionDep, region: str | None = None,
                month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None) -> Response:
    data = monthly_report_xlsx(session, region=region, month=month)
    return Response(data, media_type=XLSX, headers={"Content-Disposition": 'attachment; filename="invest-report.xlsx"'})


@router.get("/projects/{project_id:int}", responses=ERRORS, summary="One project with its stage timeline and evidence")
def project(project_id: int, session: SessionDep) -> dict:
    p = get_project(session, project_id)
    if p is None:
        raise NotFound(f"project {project_id} does not exist: see /api/projects")
    return p


@router.patch("/projects/{project_id:int}", responses=ERRORS, summary="Edit a project (analyst/admin; X-CSRF-Token)")
def edit_project(project_id: int, body: ProjectEdit, session: SessionDep, user: Editor) -> dict:
    update_project(session, project_id, body.model_dump(exclude_unset=True), user=user.username)
    session.flush()
    invalidate()
    return get_project(session, project_id)  # type: ignore[return-value]


@router.post("/projects", responses=ERRORS, summary="Enter a project by hand (analyst/admin; X-CSRF-Token)")
def new_project(body: ProjectIn, session: SessionDep, user: Editor) -> dict:
    p = create_project(session, {"name": body.name, "stage": body.stage, "investment": body.investment,
                                 "region_adcode": body.region_adcode, "note": body.note},
                       stage_date=body.stage_date, organizations=body.organizations, user=user.username)
    invalidate()
    return get_project(session, p.id)  # type: ignore[return-value]


@router.post("/projects/import", responses=ERRORS,
             summary="Import an office's project sheet (.xlsx; analyst/admin; X-CSRF-Token)")
async def import_projects(file: UploadFile, store: StoreDep, user: Editor) -> dict:
    data = await file.read()
    report = await run_in_threadpool(import_projects_bytes, store, file.filename or "projects.xlsx", data)
    invalidate()
    return report


@router.post("/projects/{project_id:int}/stages", responses=ERRORS,
             summary="Record a dated stage of a project (analyst/admin; X-CSRF-Token)")
def new_stage(project_id: int, body: StageIn, session: SessionDep, user: Editor) -> dict:
    add_stage(session, project_id, body.stage, body.stage_date, user=user.username, note=body.note)
    session.flush()
    invalidate()
    return get_project(session, project_id)  # type: ignore[return-value]


@router.get("/invest/targets", responses=ERRORS, summary="Ranked targets for a node of a region, every factor with evidence")
def targets(session: SessionDep, region: str, node: str, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> dict:
    return targets_for(session, region, node, limit=limit)


@router.get("/invest/list", responses=ERRORS, summary="The office's target list")
def target_list(session: SessionDep, region: str | None = None) -> list[dict]:
    return target_rows(session, region)


@router.get("/invest/list.xlsx", responses={200: {"content": {XLSX: {}}}, **ERRORS}, summary="招商目标清单 (Excel)")
def target_list_xlsx(session: SessionDep, region: str | None = None) -> Response:
    return Response(targets_workbook(target_rows(session, region)), media_type=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="invest-targets.xlsx"'})


@router.post("/invest/list", responses=ERRORS, summary="Shortlist a target (analyst/admin; X-CSRF-Token)")
def add_target(body: ShortlistIn, session: SessionDep, user: Editor) -> dict:
    t = shortlist(session, body.region, body.node_id, body.organization_id, user=user.username,
                  assignee=body.assignee)
    invalidate()
    return next(r for r in target_rows(session) if r["id"] == t.id)


@router.patch("/invest/list/{target_id:int}", responses=ERRORS, summary="Move a target on (analyst/admin; X-CSRF-Token)")
def edit_target(target_id: int, body: TargetEdit, session: SessionDep, user: Editor) -> dict:
    t = update_target(session, target_id, user=user.username, **body.model_dump(exclude_unset=True))
    invalidate()
    return next(r for r in target_rows(session) if r["id"] == t.id)
