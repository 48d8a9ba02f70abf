"""标准云享站 pages: search with facets, a standard's page, 查新 (with Excel), the user's alerts."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated

import yaml
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from chainatlas.api.deps import SessionDep, StoreDep
from chainatlas.api.security import CurrentUserInfo, current_user, require_role
from chainatlas.errors import ChainAtlasError
from chainatlas.standards import alerts
from chainatlas.standards.detail import standard_detail
from chainatlas.standards.numbers import split_list
from chainatlas.standards.search import SORTS, Filters, check, search
from chainatlas.store.models import StandardWatch
from chainatlas.store.models.standards import STANDARD_STATUSES
from chainatlas.web.views.base import lang_of, pager, render, render_error

router = APIRouter(include_in_schema=False)
PAGE = 20
TEXTS = Path(__file__).resolve().parent.parent / "i18n" / "standards.yaml"


@functools.cache
def _texts() -> dict[str, list[str]]:
    return yaml.safe_load(TEXTS.read_text(encoding="utf-8"))


def texts(request: Request) -> dict[str, str]:
    i = 0 if lang_of(request) == "zh" else 1
    return {k: v[i] for k, v in _texts().items()}


@router.get("/standards")
def standards_page(request: Request, store: StoreDep, session: SessionDep, q: str = "", status: str | None = None,
                   type: str | None = None, area: str | None = None, year: int | None = None,
                   sort: str = "relevance", offset: int = 0) -> Response:
    status = status if status in STANDARD_STATUSES else None
    sort = sort if sort in SORTS else "relevance"
    result = None
    if q.strip():
        result = search(store, q[:300], filters=Filters(status, type or None, area or None, year), sort=sort,
                        limit=PAGE, offset=max(0, offset))
    return render(request, "standards.html", S=texts(request), q=q, result=result, status=status, type=type,
                  area=area, year=year, sort=sort, pager=pager(result.total if result else 0, PAGE, offset),
                  feed=alerts.recent_changes(session, limit=12) if result is None else [])


@router.get("/standards/check")
def check_page(request: Request, store: StoreDep, numbers: str = "") -> Response:
    given = split_list(numbers[:20000])
    rows = check(store, given) if given else []
    return render(request, "standards_check.html", S=texts(request), numbers=numbers, rows=rows)


@router.get("/standards/inbox")
def inbox_page(request: Request, session: SessionDep) -> Response:
    user = current_user(request)
    if user is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    watches = list(session.scalars(select(StandardWatch).where(StandardWatch.user_id == user.id)))
    return render(request, "standards_inbox.html", S=texts(request), items=alerts.inbox(session, user.id),
                  watches=watches)


@router.post("/standards/watch")
def watch(request: Request, session: SessionDep, kind: Annotated[str, Form()], target: Annotated[str, Form()],
          user: Annotated[CurrentUserInfo, Depends(require_role())],  # any logged-in user; CSRF checked there
          back: Annotated[str, Form()] = "/standards", email: Annotated[str, Form()] = "") -> Response:
    try:
        alerts.add_watch(session, user.id, kind, target, email or None)
    except ChainAtlasError as exc:
        return render_error(request, 400, exc.code, exc.message)
    return RedirectResponse(back if back.startswith("/") and not back.startswith("//") else "/standards",
                            status_code=303)


@router.get("/standards/{standard_id}")
def standard_page(request: Request, session: SessionDep, standard_id: int) -> Response:
    d = standard_detail(session, standard_id)
    if d is None:
        return render_error(request, 404, "E801", f"standard {standard_id} does not exist")
    user = current_user(request)
    watching = user is not None and session.scalar(select(StandardWatch.id).where(
        StandardWatch.user_id == user.id, StandardWatch.target_kind == "standard",
        StandardWatch.target == d["base_key"])) is not None
    return render(request, "standard.html", S=texts(request), d=d, watching=watching)
