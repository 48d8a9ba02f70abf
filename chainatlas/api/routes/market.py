"""/api/market: 科创供应链 — offers, needs, explained matches, the 对接 workflow, inbox, KPIs.

Reading public posts is open. Posting needs a login (enterprise, analyst, operator or admin); review
needs the platform operator (role ``operator``) or an admin; a match step needs a party to the match
(or an operator); every write carries the CSRF token.
"""

from __future__ import annotations

import io
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from openpyxl import Workbook
from sqlalchemy import select

from chainatlas.api.deps import SessionDep
from chainatlas.api.errors import NotFound
from chainatlas.api.schemas.common import ERRORS
from chainatlas.api.schemas.market import (
    MatchAction,
    MatchOut,
    NeedIn,
    NeedOut,
    OfferIn,
    OfferOut,
    OfferSearch,
    Renew,
    Review,
)
from chainatlas.api.security import CurrentUserInfo, require_role
from chainatlas.errors import MarketError
from chainatlas.market import service
from chainatlas.market.explain import constraints as read_constraints
from chainatlas.market.kpi import kpis
from chainatlas.market.reading import read_need
from chainatlas.market.search import OfferFilter, search_offers
from chainatlas.market.vocab import vocabulary
from chainatlas.store.models import AppUser, MarketMatch, MarketNeed, MarketNotice, MarketOffer

router = APIRouter(prefix="/api/market", tags=["marketplace"])

Poster = Annotated[CurrentUserInfo, Depends(require_role("enterprise", "analyst", "operator", "admin"))]
Operator = Annotated[CurrentUserInfo, Depends(require_role("operator", "admin"))]
PUBLIC = ("open", "matched", "in_progress", "completed", "failed", "expired", "closed")


def offer_out(o: MarketOffer) -> dict:
    return {c: getattr(o, c) for c in OfferOut.model_fields}


def need_out(n: MarketNeed) -> dict:
    return {c: getattr(n, c) for c in NeedOut.model_fields}


def user_org(session: SessionDep, user: CurrentUserInfo) -> int | None:
    row = session.get(AppUser, user.id)
    return row.organization_id if row else None


def match_out(session: SessionDep, m: MarketMatch) -> dict:
    out = {c: getattr(m, c) for c in MatchOut.model_fields if c != "contacts"}
    contacts = None
    if service.contact_visible(m):
        need, offer = session.get(MarketNeed, m.need_id), session.get(MarketOffer, m.offer_id)
        contacts = {"requester": need.contact if need else "", "provider": offer.contact if offer else ""}
    out["contacts"] = contacts
    return out


@router.get("/offers", response_model=OfferSearch, responses=ERRORS, summary="Search open offers with facets")
def list_offers(
    session: SessionDep,
    q: Annotated[str | None, Query(description="free text, e.g. 委托生产 单抗")] = None,
    service_id: Annotated[str | None, Query(alias="service", description="service id, e.g. cdmo")] = None,
    region: Annotated[str | None, Query(description="province, e.g. 江苏省")] = None,
    qualification: Annotated[str | None, Query(description="qualification id, e.g. gmp")] = None,
    modality: Annotated[str | None, Query(description="modality id, e.g. mab")] = None,
    kind: Annotated[str | None, Query(description="provider kind, e.g. cdmo")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict:
    rows, facets = search_offers(session, OfferFilter(q, service_id, region, qualification, modality, kind))
    return {"total": len(rows), "offers": [offer_out(o) for o in rows[:limit]],
            "facets": {k: [{"value": v, "label": lbl, "count": n} for v, lbl, n in f] for k, f in facets.items()}}


@router.get("/offers/{offer_id:int}", response_model=OfferOut, responses=ERRORS, summary="One public offer")
def get_offer(offer_id: int, session: SessionDep) -> dict:
    o = session.get(MarketOffer, offer_id)
    if o is None or o.status not in PUBLIC:
        raise NotFound(f"offer {offer_id} does not exist or is not public")
    return offer_out(o)


@router.get("/offers/{offer_id:int}/needs", responses=ERRORS, summary="Open needs this offer can serve, explained")
def offer_needs(offer_id: int, session: SessionDep) -> list[dict]:
    o = session.get(MarketOffer, offer_id)
    if o is None or o.status not in PUBLIC:
        raise NotFound(f"offer {offer_id} does not exist or is not public")
    return service.needs_for_offer(session, o)


@router.get("/needs/{need_id:int}", response_model=NeedOut, responses=ERRORS, summary="One public need")
def get_need(need_id: int, session: SessionDep) -> dict:
    n = session.get(MarketNeed, need_id)
    if n is None or n.status not in PUBLIC:
        raise NotFound(f"need {need_id} does not exist or is not public")
    return need_out(n)


@router.get("/needs/{need_id:int}/matches", responses=ERRORS, summary="Explained matches for a public need")
def need_matches(need_id: int, session: SessionDep) -> dict:
    n = session.get(MarketNeed, need_id)
    if n is None or n.status not in PUBLIC:
        raise NotFound(f"need {need_id} does not exist or is not public")
    return service.match_need(session, n)


@router.post("/needs/read", responses=ERRORS, summary="Read the constraints of a draft need (nothing is stored)")
def read_draft(body: NeedIn, session: SessionDep, user: Poster) -> dict:
    row = body.model_dump(mode="json") | {"id": "draft"}
    return {"constraints": read_constraints(vocabulary(), read_need(vocabulary(), row)),
            "matches": service.match_need(session, row)}


@router.post("/needs", response_model=NeedOut, status_code=201, responses=ERRORS,
             summary="Post a need; it waits for the operator's review before it is public")
def post_need(body: NeedIn, session: SessionDep, user: Poster) -> dict:
    row = body.model_dump(mode="json") | {"id": f"web-{uuid.uuid4().hex[:12]}"}
    need = service.save_need(session, row, actor=user.username, user_id=user.id, confirmed=body.constraints)
    return need_out(need)


@router.post("/offers", response_model=OfferOut, status_code=201, responses=ERRORS,
             summary="Post an offer; it waits for the operator's review before it is public")
def post_offer(body: OfferIn, session: SessionDep, user: Poster) -> dict:
    row = body.model_dump(mode="json") | {"id": f"web-{uuid.uuid4().hex[:12]}"}
    return offer_out(service.save_offer(session, row, actor=user.username, user_id=user.id))


@router.get("/review", responses=ERRORS, summary="The operator's review queue")
def review_queue(session: SessionDep, user: Operator) -> dict:
    return {"needs": [need_out(n) for n in session.scalars(select(MarketNeed).where(MarketNeed.status == "pending_review"))],
            "offers": [offer_out(o) for o in session.scalars(select(MarketOffer).where(MarketOffer.status == "pending_review"))]}


@router.post("/{kind}/{post_id:int}/review", responses=ERRORS, summary="Approve (publish, propose matches) or reject")
def review_post(kind: Literal["needs", "offers"], post_id: int, body: Review, session: SessionDep,
                user: Operator) -> dict:
    post = session.get(MarketNeed if kind == "needs" else MarketOffer, post_id)
    if post is None:
        raise NotFound(f"{kind} {post_id} does not exist")
    service.review(session, post, approve=body.approve, actor=user.username, note=body.note)
    return {"id": post.id, "status": post.status}


@router.post("/{kind}/{post_id:int}/renew", responses=ERRORS, summary="Renew a post to a new deadline / validity")
def renew_post(kind: Literal["needs", "offers"], post_id: int, body: Renew, session: SessionDep, user: Poster) -> dict:
    post = session.get(MarketNeed if kind == "needs" else MarketOffer, post_id)
    if post is None:
        raise NotFound(f"{kind} {post_id} does not exist")
    if user.role not in ("operator", "admin") and user_org(session, user) != post.organization_id:
        raise MarketError("只有发布方可以续期 / only the poster can renew", code="E908")
    service.renew(session, post, body.until, actor=user.username)
    return {"id": post.id, "status": post.status}


@router.get("/matches/{match_id:int}", response_model=MatchOut, responses=ERRORS, summary="A match and its state")
def get_match(match_id: int, session: SessionDep) -> dict:
    m = session.get(MarketMatch, match_id)
    if m is None:
        raise NotFound(f"match {match_id} does not exist")
    return match_out(session, m)


@router.post("/matches/{match_id:int}/{action}", response_model=MatchOut, responses=ERRORS,
             summary="A 对接 step: interest, respond, accept, decline (with reason), start, complete (amount), fail")
def match_action(match_id: int, action: Literal["interest", "respond", "accept", "decline", "start", "complete", "fail"],
                 body: MatchAction, session: SessionDep, user: Poster) -> dict:
    m = session.get(MarketMatch, match_id)
    if m is None:
        raise NotFound(f"match {match_id} does not exist")
    service.act(session, m, action, actor=user.username, org_id=user_org(session, user),
                is_operator=user.role in ("operator", "admin"), reason=body.reason, note=body.note,
                answers=body.answers, amount_wan=body.amount_wan)
    return match_out(session, m)


@router.get("/inbox", responses=ERRORS, summary="My notifications")
def my_inbox(session: SessionDep, user: Poster) -> list[dict]:
    return [{"id": n.id, "title": n.title, "body": n.body, "link": n.link, "read": n.read,
             "created_at": n.created_at.isoformat()} for n in service.inbox(session, user_org(session, user), user.id)]


@router.post("/inbox/{notice_id:int}/read", responses=ERRORS, summary="Mark a notification read")
def read_notice(notice_id: int, session: SessionDep, user: Poster) -> dict:
    n = session.get(MarketNotice, notice_id)
    if n is None or (n.user_id != user.id and n.organization_id != user_org(session, user)):
        raise NotFound(f"notice {notice_id} is not yours")
    n.read = True
    return {"id": n.id, "read": True}


@router.get("/kpi", responses=ERRORS, summary="Operator KPIs by region, service and period")
def get_kpi(session: SessionDep) -> dict:
    return kpis(session)


@router.get("/kpi.xlsx", responses={200: {"content": {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}}, summary="KPIs as an Excel sheet")
def kpi_xlsx(session: SessionDep) -> Response:
    return Response(kpi_workbook(kpis(session)),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename*=UTF-8''market-kpi.xlsx"})


def kpi_workbook(figures: dict) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "对接指标"
    ws.append(["分组", "取值", "需求数", "已匹配", "对接率", "首次响应中位数(小时)", "成交数", "成交金额(万元)"])
    labels = {"total": "合计", "by_region": "地区", "by_service": "服务", "by_period": "月份"}
    for key, label in labels.items():
        rows = {"": figures["total"]} if key == "total" else figures[key]
        for value, f in rows.items():
            cell = f"'{value}" if str(value).startswith(("=", "+", "-", "@")) else value
            ws.append([label, cell, f["needs"], f["matched"], f["docking_rate"], f["median_first_response_hours"],
                       f["completed"], f["amount_wan"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
