"""Search page: one box, facets (type, region, node, year), highlighted snippets."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chainatlas.api.deps import SessionDep
from chainatlas.api.schemas.common import Offset
from chainatlas.search import search as run_search
from chainatlas.web.views.base import pager, render

router = APIRouter(include_in_schema=False)


@router.get("/search")
def search_page(request: Request, session: SessionDep, q: str = "", type: str | None = None,
                region: str | None = None, node: str | None = None, year: int | None = None,
                offset: Offset = 0) -> Response:
    result = None
    if q.strip():
        result = run_search(session, q[:200], kind=type or None, region=region or None, node=node or None,
                            year=year, limit=20, offset=max(0, offset))
    return render(request, "search.html", q=q, result=result, type=type, region=region, node=node, year=year,
                  offset=max(0, offset),
                  pager=pager(result.total if result else 0, 20, offset))
