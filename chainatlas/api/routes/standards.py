"""/api/standards: search (numbers in any spelling, ISO numbers, title words), one standard,
查新 (batch currency check, JSON or Excel), standards of a chain node / enterprise / document,
标准动态 (recent changes), and the logged-in user's watches and inbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy import select

from chainatlas.api.deps import SessionDep, StoreDep
from chainatlas.api.errors import NotFound
from chainatlas.api.schemas.common import ERRORS
from chainatlas.api.schemas.standards import CheckRequest, CheckResult, StandardSearch, Watch, WatchRequest
from chainatlas.api.security import CurrentUserInfo, require_role
from chainatlas.standards import alerts, links
from chainatlas.standards.detail import standard_detail
from chainatlas.standards.excel import check_workbook
from chainatlas.standards.search import MAX_OFFSET, Filters, check, items_for, search
from chainatlas.store.models import StandardWatch

router = APIRouter(prefix="/standards", tags=["standards"])
STATUS = "^(现行|即将实施|废止)$"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Any logged-in user: watches and the inbox are personal; writes still need the CSRF token.
Reader = Annotated[CurrentUserInfo, Depends(require_role())]


@router.get("", response_model=StandardSearch, responses=ERRORS,
            summary="Search standards: number (any spelling), ISO/IEC number (→ its adoption) or title words")
def search_standards(store: StoreDep, q: Annotated[str, Query(min_length=1, max_length=300)],
                     status: Annotated[str | None, Query(pattern=STATUS)] = None,
                     type: Annotated[str | None, Query(max_length=24)] = None,
                     area: Annotated[str | None, Query(max_length=64)] = None, year: int | None = None,
                     sort: Annotated[str, Query(pattern="^(relevance|date)$")] = "relevance",
                     limit: Annotated[int, Query(ge=1, le=200)] = 20,
                     offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> dict:
    return search(store, q, filters=Filters(status, type, area, year), sort=sort, limit=limit, offset=offset).contract()


@router.post("/check", response_model=CheckResult, summary="标准查新: status and replacement of each number")
def check_standards(store: StoreDep, body: CheckRequest) -> dict:
    rows = check(store, body.numbers)
    return {"total": len(rows), "items": [r.as_dict() for r in rows]}


@router.get("/check.xlsx", summary="标准查新 as an Excel sheet (numbers separated by commas or new lines)",
            response_class=Response, responses={200: {"content": {XLSX: {}}}})
def check_excel(store: StoreDep, numbers: Annotated[str, Query(min_length=1, max_length=20000)]) -> Response:
    from chainatlas.standards.numbers import split_list

    data = check_workbook(check(store, split_list(numbers)))
    return Response(data, media_type=XLSX, headers={"Content-Disposition": "attachment; filename=standards-check.xlsx"})


@router.get("/changes", summary="标准动态: the latest dated changes of the catalogue")
def changes(session: SessionDep, limit: Annotated[int, Query(ge=1, le=100)] = 20) -> dict:
    return {"items": alerts.recent_changes(session, limit=limit)}


@router.get("/for-node/{node_id}", summary="Standards applicable to a chain node (current first)")
def for_node(session: SessionDep, node_id: str, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> dict:
    total, rows = links.standards_for_nodes(session, [node_id], limit=limit)
    return {"total": total, "items": items_for(session, rows, [])}


@router.get("/for-organization/{org_id}", summary="Standards applicable to an enterprise (through its chain nodes)")
def for_org(session: SessionDep, org_id: int, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> dict:
    total, rows = links.standards_for_org(session, org_id, limit=limit)
    return {"total": total, "items": items_for(session, rows, [])}


@router.get("/for-document/{doc_id}", summary="Standards a news document cites and those of its chain nodes")
def for_document(session: SessionDep, doc_id: int, limit: Annotated[int, Query(ge=1, le=100)] = 10) -> dict:
    d = links.standards_for_document(session, doc_id, limit=limit)
    return {"cited": [{"text": t, "standard": items_for(session, [st], [])[0] if st else None} for t, st in d["cited"]],
            "total": d["total"], "applicable": items_for(session, d["applicable"], [])}


@router.get("/watches", response_model=list[Watch], summary="The logged-in user's watches")
def my_watches(session: SessionDep, user: Reader) -> list[dict]:
    return [{"id": w.id, "kind": w.target_kind, "target": w.target, "email": w.email}
            for w in session.scalars(select(StandardWatch).where(StandardWatch.user_id == user.id))]


@router.post("/watches", response_model=Watch, summary="Watch a standard, a chain node or an enterprise (CSRF token)")
def add_watch(session: SessionDep, body: WatchRequest, user: Reader) -> dict:
    w = alerts.add_watch(session, user.id, body.kind, body.target, body.email)
    return {"id": w.id, "kind": w.target_kind, "target": w.target, "email": w.email}


@router.get("/inbox", summary="The logged-in user's standards alerts, newest first")
def inbox(session: SessionDep, user: Reader) -> dict:
    return {"items": alerts.inbox(session, user.id)}


@router.get("/{standard_id:int}", responses=ERRORS, summary="One standard: fields, replacement chain, adoptions, links")
def one(session: SessionDep, standard_id: int) -> dict:
    d = standard_detail(session, standard_id)
    if d is None:
        raise NotFound(f"standard {standard_id} does not exist: search at /api/standards?q=…")
    return d

