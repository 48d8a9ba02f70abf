"""科创供应链 pages: marketplace home with facets, post a need (form → constraints to confirm →
explained matches), need and offer pages with the 对接 steps, inbox, operator review queue, KPIs."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from chainatlas.api.deps import SessionDep
from chainatlas.api.errors import NotFound
from chainatlas.api.routes.market import PUBLIC, user_org
from chainatlas.api.security import CurrentUserInfo, current_user, require_role
from chainatlas.errors import ChainAtlasError, MarketError
from chainatlas.market import service
from chainatlas.market.explain import constraints as read_constraints
from chainatlas.market.kpi import kpis
from chainatlas.market.reading import read_need
from chainatlas.market.search import OfferFilter, search_offers
from chainatlas.market.vocab import vocabulary
from chainatlas.store.models import MarketMatch, MarketNeed, MarketOffer
from chainatlas.store.models.market import DECLINE_REASONS
from chainatlas.web.views.base import render

router = APIRouter(include_in_schema=False)
Poster = Annotated[CurrentUserInfo, Depends(require_role("enterprise", "analyst", "operator", "admin"))]
Operator = Annotated[CurrentUserInfo, Depends(require_role("operator", "admin"))]
KIND_LABEL = {"cro": "CRO", "cdmo": "CDMO", "enterprise": "企业", "platform": "公共平台", "lab": "检测实验室",
              "hospital": "医院", "university": "高校", "park": "园区", "fund": "基金"}
STATE_LABEL = {"proposed": "已推荐", "interested": "需求方有意向", "responded": "供给方已响应", "accepted": "双方已接受",
               "declined": "已婉拒", "in_progress": "对接中", "completed": "已完成", "failed": "未成",
               "pending_review": "待审核", "open": "公开", "matched": "已匹配", "rejected": "未通过",
               "expired": "已过期", "closed": "已关闭"}


@router.get("/market")
def market_home(request: Request, session: SessionDep, q: str | None = None, service_id: str | None = None,
                region: str | None = None, qualification: str | None = None, modality: str | None = None,
                kind: str | None = None) -> Response:
    f = OfferFilter(q or None, service_id, region, qualification, modality, kind)
    offers, facets = search_offers(session, f)
    return render(request, "market_home.html", f=f, offers=offers[:100], total=len(offers), facets=facets,
                  kinds=KIND_LABEL)


@router.get("/market/post")
def post_form(request: Request, user: Poster) -> Response:
    return render(request, "market_post.html", draft={}, read=None, matches=None)


def _draft(requester: str, region: str, title: str, description: str, budget_hint: str, deadline: str,
           contact: str) -> dict:
    return {"id": "draft", "requester": requester.strip(), "region": region.strip(), "title": title.strip(),
            "description": description.strip(), "budget_hint": budget_hint.strip(),
            "deadline": deadline.strip() or None, "contact": contact.strip(), "posted": date.today().isoformat()}


@router.post("/market/post/read")
def post_read(request: Request, session: SessionDep, user: Poster, requester: Annotated[str, Form()],
              title: Annotated[str, Form()], description: Annotated[str, Form()],
              region: Annotated[str, Form()] = "", budget_hint: Annotated[str, Form()] = "",
              deadline: Annotated[str, Form()] = "", contact: Annotated[str, Form()] = "") -> Response:
    """Step 2: what was read from the text, for the poster to confirm (or edit the text and read again)."""
    draft = _draft(requester, region, title, description, budget_hint, deadline, contact)
    vocab = vocabulary()
    read = read_constraints(vocab, read_need(vocab, draft))
    return render(request, "market_post.html", draft=draft, read=read, matches=service.match_need(session, draft))


@router.post("/market/post")
def post_save(request: Request, session: SessionDep, user: Poster, requester: Annotated[str, Form()],
              title: Annotated[str, Form()], description: Annotated[str, Form()],
              region: Annotated[str, Form()] = "", budget_hint: Annotated[str, Form()] = "",
              deadline: Annotated[str, Form()] = "", contact: Annotated[str, Form()] = "") -> Response:
    """Step 3: publish — the need waits for the operator's review."""
    import uuid

    draft = _draft(requester, region, title, description, budget_hint, deadline, contact)
    draft["id"] = f"web-{uuid.uuid4().hex[:12]}"
    try:
        need = service.save_need(session, draft, actor=user.username, user_id=user.id)
    except ChainAtlasError as exc:
        return render(request, "market_post.html", status_code=400, draft=draft, read=None, matches=None,
                      error=str(exc))
    return RedirectResponse(f"/market/needs/{need.id}", status_code=303)


def _may_see(session: SessionDep, request: Request, post: MarketNeed | MarketOffer) -> bool:
    if post.status in PUBLIC:
        return True
    user = current_user(request)
    return user is not None and (user.role in ("operator", "admin") or post.created_by == user.id
                                 or user_org(session, user) == post.organization_id)


@router.get("/market/needs/{need_id}")
def need_page(need_id: int, request: Request, session: SessionDep) -> Response:
    need = session.get(MarketNeed, need_id)
    if need is None or not _may_see(session, request, need):
        raise NotFound(f"需求 {need_id} 不存在或尚未公开 / need {need_id} does not exist or is not public")
    result = service.match_need(session, need)
    matches = list(session.scalars(select(MarketMatch).where(MarketMatch.need_id == need.id).order_by(MarketMatch.rank)))
    offers = {m.offer_id: session.get(MarketOffer, m.offer_id) for m in matches}
    return render(request, "market_need.html", need=need, result=result, matches=matches, offers=offers,
                  states=STATE_LABEL, reasons=DECLINE_REASONS, contact_visible=service.contact_visible,
                  questions=service.INTEREST_QUESTIONS)


@router.get("/market/offers/{offer_id}")
def offer_page(offer_id: int, request: Request, session: SessionDep) -> Response:
    offer = session.get(MarketOffer, offer_id)
    if offer is None or not _may_see(session, request, offer):
        raise NotFound(f"供给 {offer_id} 不存在或尚未公开 / offer {offer_id} does not exist or is not public")
    vocab = vocabulary()
    return render(request, "market_offer.html", offer=offer, kinds=KIND_LABEL, states=STATE_LABEL,
                  services=[vocab.services[s].name for s in offer.services if s in vocab.services],
                  quals=[vocab.qualifications[q].name for q in offer.qualifications if q in vocab.qualifications],
                  needs=service.needs_for_offer(session, offer))


@router.post("/market/matches/{match_id}/{action}")
def match_step(match_id: int, action: str, request: Request, session: SessionDep, user: Poster,
               reason: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
               amount_wan: Annotated[str, Form()] = "") -> Response:
    m = session.get(MarketMatch, match_id)
    if m is None:
        raise NotFound(f"对接 {match_id} 不存在")
    if action not in ("interest", "respond", "accept", "decline", "start", "complete", "fail"):
        raise MarketError(f"unknown action {action!r}", code="E909")
    amount = float(amount_wan) if amount_wan.strip() else None
    service.act(session, m, action, actor=user.username, org_id=user_org(session, user),
                is_operator=user.role in ("operator", "admin"), reason=reason or None, note=note, amount_wan=amount)
    return RedirectResponse(f"/market/needs/{m.need_id}", status_code=303)


@router.get("/market/inbox")
def inbox_page(request: Request, session: SessionDep, user: Poster) -> Response:
    return render(request, "market_inbox.html", notices=service.inbox(session, user_org(session, user), user.id))


@router.get("/market/review")
def review_page(request: Request, session: SessionDep, user: Operator) -> Response:
    needs = session.scalars(select(MarketNeed).where(MarketNeed.status == "pending_review").order_by(MarketNeed.id)).all()
    offers = session.scalars(select(MarketOffer).where(MarketOffer.status == "pending_review").order_by(MarketOffer.id)).all()
    return render(request, "market_review.html", needs=needs, offers=offers)


@router.post("/market/review/{kind}/{post_id}")
def review_submit(kind: str, post_id: int, request: Request, session: SessionDep, user: Operator,
                  decision: Annotated[str, Form()], note: Annotated[str, Form()] = "") -> Response:
    model = MarketNeed if kind == "needs" else MarketOffer
    post = session.get(model, post_id)
    if post is None:
        raise NotFound(f"{kind} {post_id} 不存在")
    service.review(session, post, approve=decision == "approve", actor=user.username, note=note)
    return RedirectResponse("/market/review", status_code=303)


@router.get("/market/kpi")
def kpi_page(request: Request, session: SessionDep) -> Response:
    figures = kpis(session)
    chart = {"periods": list(figures["by_period"]),
             "needs": [f["needs"] for f in figures["by_period"].values()],
             "matched": [f["matched"] for f in figures["by_period"].values()],
             "completed": [f["completed"] for f in figures["by_period"].values()]}
    return render(request, "market_kpi.html", figures=figures, chart=chart)
