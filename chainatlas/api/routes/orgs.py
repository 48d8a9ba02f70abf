"""/api/orgs: the organization list (filters, sort, pagination), Excel export, profile, edits."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from chainatlas.api.cache import invalidate
from chainatlas.api.deps import SessionDep
from chainatlas.api.errors import NotFound
from chainatlas.api.queries.org_edit import add_placement, remove_placement, update_org
from chainatlas.api.queries.orgs import SORTS, OrgFilter, list_orgs, org_profile
from chainatlas.api.schemas.common import ERRORS, IdPath, Offset, page_info
from chainatlas.api.schemas.orgs import OrgEdit, OrgPage, OrgProfile, OrgRow, PlacementEdit
from chainatlas.api.security import Editor
from chainatlas.search import reindex_organization
from chainatlas.web.exports import orgs_workbook
from chainatlas.web.format import fmt_wan

router = APIRouter(tags=["organizations"])


# Filter text: no control characters (none is in a name, node or label, and the Excel export
# writes the filters into its sheet, where openpyxl refuses them), and a bounded length.
TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def _text(description: str) -> Any:
    return Query(description=description, max_length=200, pattern=TEXT)


def org_filter(
    region: Annotated[str | None, _text("name, short name, park or adcode (泰州, 321200)")] = None,
    node: Annotated[str | None, _text("chain node id (children included)")] = None,
    tier: Annotated[str | None, _text("tier label, e.g. 专精特新小巨人")] = None,
    # A form's 「全部」 option sends ``park=``: empty means every park, not a 422.
    park: Annotated[str | None, Query(pattern=r"^\d{0,9}$", description="park id; empty = all parks")] = None,
    kind: Annotated[str | None, _text("enterprise, institution, hospital, platform …")] = None,
    q: Annotated[str | None, _text("name, alias or 统一社会信用代码")] = None,
    sort: Annotated[str, Query(pattern="^(" + "|".join(SORTS) + ")$")] = "revenue",
) -> OrgFilter:
    return OrgFilter(region=region or None, node=node or None, tier=tier or None, park=int(park) if park else None,
                     kind=kind or None, q=q or None, sort=sort)


FilterDep = Annotated[OrgFilter, Depends(org_filter)]


@router.get("/orgs", response_model=OrgPage, responses=ERRORS, summary="Organizations, filtered and sorted")
def orgs(session: SessionDep, f: FilterDep, limit: Annotated[int, Query(ge=1, le=500)] = 50,
         offset: Offset = 0) -> OrgPage:
    rows, total = list_orgs(session, f, limit=limit, offset=offset)
    items = [OrgRow(**r, revenue_text=fmt_wan(r["revenue_wan"]) if r["revenue_wan"] is not None else None)
             for r in rows]
    return OrgPage(page=page_info(total, limit, offset, len(items)), items=items)


@router.get("/orgs.xlsx", responses={200: {"content": {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}, **ERRORS},
    summary="The same list as an Excel workbook (same filters, order, limit and offset)")
def orgs_xlsx(session: SessionDep, f: FilterDep, limit: Annotated[int, Query(ge=1, le=100_000)] = 100_000,
              offset: Offset = 0, lang: str = "zh") -> Response:
    rows, _ = list_orgs(session, f, limit=limit, offset=offset, with_total=False)
    data = orgs_workbook(rows, f, lang=lang if lang in ("zh", "en") else "zh")
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="chainatlas-orgs.xlsx"'})


@router.get("/orgs/{org_id}", response_model=OrgProfile, responses=ERRORS, summary="An organization's profile")
def org(org_id: IdPath, session: SessionDep) -> dict:
    profile = org_profile(session, org_id)
    if profile is None:
        raise NotFound(f"organization {org_id} does not exist: search by name at /api/orgs?q=…")
    return profile


@router.patch("/orgs/{org_id}", response_model=OrgProfile, responses=ERRORS,
              summary="Edit basic fields (admin/analyst; send the X-CSRF-Token header)")
def edit_org(org_id: IdPath, body: OrgEdit, session: SessionDep, user: Editor) -> dict:
    update_org(session, org_id, body.model_dump(exclude_unset=True), user=user.username)
    session.flush()
    reindex_organization(session, org_id)
    invalidate()
    return org_profile(session, org_id)  # type: ignore[return-value]


@router.post("/orgs/{org_id}/nodes", response_model=OrgProfile, responses=ERRORS,
             summary="Place the organization on a chain node (admin/analyst; basis manual; X-CSRF-Token)")
def place_org(org_id: IdPath, body: PlacementEdit, session: SessionDep, user: Editor) -> dict:
    add_placement(session, org_id, body.node, user=user.username)
    session.flush()
    invalidate()
    return org_profile(session, org_id)  # type: ignore[return-value]


@router.delete("/orgs/{org_id}/nodes/{node_id}", response_model=OrgProfile, responses=ERRORS,
               summary="Remove a wrong chain placement; imports will not put it back (admin/analyst; X-CSRF-Token)")
def unplace_org(org_id: IdPath, node_id: str, session: SessionDep, user: Editor) -> dict:
    remove_placement(session, org_id, node_id, user=user.username)
    session.flush()
    invalidate()
    return org_profile(session, org_id)  # type: ignore[return-value]
