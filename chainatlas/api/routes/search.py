"""/api/search: documents and organizations, with facets and highlight pieces."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query

from chainatlas.api.deps import SessionDep
from chainatlas.api.queries.regions import resolve_region
from chainatlas.api.schemas.common import ERRORS, Offset, YearQuery, page_info
from chainatlas.search import search as run_search

router = APIRouter(tags=["search"])


@router.get("/search", responses=ERRORS, summary="Full-text search (Chinese) with facets type/region/node/year")
def search(session: SessionDep, q: Annotated[str, Query(min_length=1, max_length=200)],
           type: Annotated[str | None, Query(pattern="^(document|organization)$")] = None,
           region: str | None = None, node: str | None = None, year: YearQuery = None,
           limit: Annotated[int, Query(ge=1, le=100)] = 20, offset: Offset = 0) -> dict:
    adcode = resolve_region(session, region).adcode if region else None
    res = run_search(session, q, kind=type, region=adcode, node=node, year=year, limit=limit, offset=offset)
    return {
        "query": res.query, "terms": res.terms, "page": page_info(res.total, limit, offset, len(res.hits)),
        "facets": res.facets, "nodes": res.nodes, "suggestions": res.suggestions,
        # Highlights travel as [text, is_match] pairs: clients mark matches without parsing markup.
        "items": [asdict(h) for h in res.hits],
    }
