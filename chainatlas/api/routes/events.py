"""/api/events: extracted events (签约落户, 获批上市, 开工 …), newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from chainatlas.api.deps import SessionDep
from chainatlas.api.queries.documents import list_events
from chainatlas.api.schemas.common import ERRORS, IdQuery, Offset, page_info
from chainatlas.api.schemas.documents import EventPage

router = APIRouter(tags=["events"])


@router.get("/events", response_model=EventPage, responses=ERRORS, summary="Events by region, type, organization")
def events(session: SessionDep, region: str | None = None, type: str | None = None, organization_id: IdQuery = None,
           limit: Annotated[int, Query(ge=1, le=200)] = 20, offset: Offset = 0) -> dict:
    rows, total = list_events(session, region=region, type=type, organization_id=organization_id,
                              limit=limit, offset=offset)
    return {"page": page_info(total, limit, offset, len(rows)), "items": rows}
