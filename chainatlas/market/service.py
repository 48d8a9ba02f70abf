"""The marketplace over the store: posting (linked to registry organizations), operator review,
proposing matches, the 对接 workflow, expiry and renewal, notifications, and the audit log.

Every state change goes through :func:`_transition`, which writes the audit row; every message to a
party goes through :func:`notify` (inbox row, and e-mail only when an SMTP server is configured).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainatlas.errors import MarketError
from chainatlas.market import mail
from chainatlas.market.explain import constraints as read_constraints
from chainatlas.market.explain import result as explain_result
from chainatlas.market.matching import OfferIndex, match
from chainatlas.market.reading import read_need, read_offer
from chainatlas.market.vocab import vocabulary
from chainatlas.registry.names import normalize_name
from chainatlas.store.models import (
    AppUser,
    MarketEvent,
    MarketMatch,
    MarketNeed,
    MarketNotice,
    MarketOffer,
    Organization,
)
from chainatlas.store.models.market import DECLINE_REASONS, PROVIDER_KINDS

REMIND_DAYS = 7
INTEREST_QUESTIONS = ("预计启动时间", "预算是否可调整", "是否需要现场审计", "其他说明")


def _audit(session: Session, entity: str, entity_id: int, action: str, old: str | None, new: str | None,
           actor: str, **detail: object) -> None:
    session.add(MarketEvent(entity=entity, entity_id=entity_id, action=action, from_state=old, to_state=new,
                            actor=actor or "system", detail=detail))


def _transition(session: Session, obj: MarketNeed | MarketOffer | MarketMatch, attr: str, new: str,
                action: str, actor: str, **detail: object) -> None:
    old = getattr(obj, attr)
    setattr(obj, attr, new)
    session.flush()
    entity = {MarketNeed: "need", MarketOffer: "offer", MarketMatch: "match"}[type(obj)]
    _audit(session, entity, obj.id, action, old, new, actor, **detail)


def organization_for(session: Session, name: str, *, source: str) -> Organization:
    """The registry organization of a poster; an unknown poster becomes a candidate organization."""
    key = normalize_name(name)
    org = session.scalars(select(Organization).where(Organization.name_key == key)).first()
    if org is None:
        org = Organization(name=name, name_key=key, kind="enterprise", is_candidate=True, source=source)
        session.add(org)
        session.flush()
    return org


def notify(session: Session, *, organization_id: int | None, title: str, body: str = "", link: str = "",
           user_id: int | None = None) -> MarketNotice:
    notice = MarketNotice(organization_id=organization_id, user_id=user_id, title=title, body=body, link=link)
    session.add(notice)
    session.flush()
    recipients: list[str] = []
    if organization_id is not None:
        recipients = [u.username for u in session.scalars(
            select(AppUser).where(AppUser.organization_id == organization_id)) if "@" in u.username]
    if recipients and mail.configured():
        mail.send(recipients, title, body + (f"\n{link}" if link else ""))
        notice.emailed = True
    return notice


# ── posting ───────────────────────────────────────────────────────────────────────────────
def _date(value: object, field: str, where: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise MarketError(f"日期格式应为 YYYY-MM-DD / date expected: {value!r}", where=f"{where} {field}",
                          code="E905") from exc


def save_offer(session: Session, row: dict, *, actor: str = "system", status: str = "pending_review",
               fictional: bool = False, user_id: int | None = None, where: str = "") -> MarketOffer:
    """Create or update (by external id) an offer; idempotent for the same row."""
    for f in ("id", "provider", "title", "description"):
        if not str(row.get(f) or "").strip():
            raise MarketError(f"缺少字段 / missing field {f}", where=f"{where} {f}", code="E903")
    kind = str(row.get("provider_kind") or "enterprise")
    if kind not in PROVIDER_KINDS:
        raise MarketError(f"未知的供给方类型 / unknown provider_kind {kind!r}", where=f"{where} provider_kind",
                          code="E906")
    reading = read_offer(vocabulary(), row)
    org = organization_for(session, str(row["provider"]), source="market")
    offer = session.scalars(select(MarketOffer).where(MarketOffer.external_id == str(row["id"]))).first()
    new = offer is None
    if new:
        offer = MarketOffer(external_id=str(row["id"]), status=status, created_by=user_id)
        session.add(offer)
    offer.organization_id = org.id
    offer.provider, offer.provider_kind = str(row["provider"]), kind
    offer.region, offer.title = str(row.get("region") or ""), str(row["title"])
    offer.description = str(row["description"])
    offer.categories = list(row.get("categories") or [])
    offer.price_hint, offer.contact = str(row.get("price_hint") or ""), str(row.get("contact") or "")
    offer.valid_until = _date(row.get("valid_until"), "valid_until", where)
    offer.services, offer.modalities = sorted(reading.services), sorted(reading.modalities)
    offer.qualifications = sorted(reading.qualifications)
    offer.fictional = fictional or bool(row.get("fictional"))
    session.flush()
    if new:
        _audit(session, "offer", offer.id, "posted", None, offer.status, actor)
    if str(row.get("status") or "") == "expired" and offer.status != "expired":
        _transition(session, offer, "status", "expired", "expired", actor)
    return offer


def save_need(session: Session, row: dict, *, actor: str = "system", status: str = "pending_review",
              fictional: bool = False, user_id: int | None = None, where: str = "",
              confirmed: dict | None = None) -> MarketNeed:
    for f in ("id", "requester", "title", "description"):
        if not str(row.get(f) or "").strip():
            raise MarketError(f"缺少字段 / missing field {f}", where=f"{where} {f}", code="E903")
    vocab = vocabulary()
    reading = read_need(vocab, row)
    org = organization_for(session, str(row["requester"]), source="market")
    need = session.scalars(select(MarketNeed).where(MarketNeed.external_id == str(row["id"]))).first()
    new = need is None
    if new:
        need = MarketNeed(external_id=str(row["id"]), status=status, created_by=user_id)
        session.add(need)
    need.organization_id = org.id
    need.requester, need.region = str(row["requester"]), str(row.get("region") or "")
    need.title, need.description = str(row["title"]), str(row["description"])
    need.budget_hint, need.contact = str(row.get("budget_hint") or ""), str(row.get("contact") or "")
    need.deadline = _date(row.get("deadline"), "deadline", where)
    need.posted = _date(row.get("posted"), "posted", where) or date.today()
    need.constraints = confirmed if confirmed is not None else read_constraints(vocab, reading)
    need.services = sorted(reading.services)
    need.chain_nodes = sorted({n for s in reading.services for n in vocab.services[s].nodes})
    need.fictional = fictional or bool(row.get("fictional"))
    session.flush()
    if new:
        _audit(session, "need", need.id, "posted", None, need.status, actor)
    return need


def review(session: Session, post: MarketNeed | MarketOffer, *, approve: bool, actor: str, note: str = "") -> None:
    """The platform operator's decision: a post is public only once approved."""
    if post.status != "pending_review":
        raise MarketError(f"状态为 {post.status}，不在审核队列中 / not awaiting review", code="E907")
    _transition(session, post, "status", "open" if approve else "rejected", "reviewed", actor, note=note)
    notify(session, organization_id=post.organization_id,
           title=("已通过审核：" if approve else "未通过审核：") + post.title, body=note)
    if approve and isinstance(post, MarketNeed):
        propose(session, post, actor=actor)


# ── matching in the store ──────────────────────────────────────────────────────────────────
def offer_row(o: MarketOffer) -> dict:
    return {"id": str(o.id), "provider": o.provider, "provider_kind": o.provider_kind, "region": o.region,
            "title": o.title, "description": o.description, "categories": o.categories,
            "price_hint": o.price_hint, "valid_until": o.valid_until.isoformat() if o.valid_until else None,
            "status": "expired" if o.status == "expired" else "open"}


def need_row(n: MarketNeed) -> dict:
    return {"id": str(n.id), "requester": n.requester, "region": n.region, "title": n.title,
            "description": n.description, "budget_hint": n.budget_hint,
            "deadline": n.deadline.isoformat() if n.deadline else None, "posted": n.posted.isoformat()}


def public_offers(session: Session) -> list[MarketOffer]:
    return list(session.scalars(select(MarketOffer).where(MarketOffer.status.in_(("open", "expired")))
                                .order_by(MarketOffer.id)))


def match_need(session: Session, need: MarketNeed | dict) -> dict:
    """Explained matches for a stored or a draft need, against the public offers."""
    offers = public_offers(session)
    row = need_row(need) if isinstance(need, MarketNeed) else need
    vocab = vocabulary()
    out = explain_result(vocab, match(OfferIndex([offer_row(o) for o in offers], vocab), row))
    by_id = {str(o.id): o for o in offers}
    for e in out["explanations"] + out["nearest"]:
        o = by_id[e["offer"]]
        e.update(offer_id=o.id, title=o.title, provider=o.provider, region=o.region, fictional=o.fictional)
    return out


def needs_for_offer(session: Session, offer: MarketOffer, limit: int = 10) -> list[dict]:
    """The other direction: open needs this offer can serve (passes every hard constraint), best first."""
    from chainatlas.market.matching import assess, tokens

    vocab = vocabulary()
    reading = read_offer(vocab, offer_row(offer))
    offer_tokens = set(tokens(vocab, f"{reading.title} {reading.text}"))
    out = []
    for n in session.scalars(select(MarketNeed).where(MarketNeed.status.in_(("open", "matched")))):
        need = read_need(vocab, need_row(n))
        need_tokens = set(tokens(vocab, f"{need.title} {need.text}"))
        overlap = len(need_tokens & offer_tokens) / (len(need_tokens) or 1)
        a = assess(vocab, need, reading, overlap)
        if a.tier == "A":
            out.append({"need_id": n.id, "title": n.title, "requester": n.requester, "region": n.region,
                        "score": round(a.score, 3), "covers": [vocab.services[x].name for x in sorted(a.covered)],
                        "met": [c.detail for c in a.checks if c.ok], "fictional": n.fictional})
    return sorted(out, key=lambda d: -d["score"])[:limit]


def propose(session: Session, need: MarketNeed, *, actor: str) -> list[MarketMatch]:
    out = match_need(session, need)
    made = []
    existing = {m.offer_id: m for m in session.scalars(select(MarketMatch).where(MarketMatch.need_id == need.id))}
    for rank, e in enumerate(out["explanations"], 1):
        if e["tier"] != "A" or e["offer_id"] in existing:
            continue
        m = MarketMatch(need_id=need.id, offer_id=e["offer_id"], rank=rank, score=e["score"], tier=e["tier"],
                        explanation=e)
        session.add(m)
        session.flush()
        _audit(session, "match", m.id, "proposed", None, "proposed", actor)
        offer = session.get(MarketOffer, e["offer_id"])
        notify(session, organization_id=offer.organization_id if offer else None,
               title=f"新的需求与您的供给匹配：{need.title}", link=f"/market/needs/{need.id}")
        made.append(m)
    if made and need.status == "open":
        _transition(session, need, "status", "matched", "matched", actor, matches=len(made))
    return made


def _side(session: Session, m: MarketMatch, org_id: int | None, is_operator: bool) -> str:
    need, offer = session.get(MarketNeed, m.need_id), session.get(MarketOffer, m.offer_id)
    assert need is not None and offer is not None
    if org_id is not None and org_id == need.organization_id:
        return "requester"
    if org_id is not None and org_id == offer.organization_id:
        return "provider"
    if is_operator:
        return "operator"
    raise MarketError("您不是此对接的任何一方 / you are not a party to this match", code="E908")


def act(session: Session, m: MarketMatch, action: str, *, actor: str, org_id: int | None,
        is_operator: bool = False, reason: str | None = None, note: str = "",
        answers: dict | None = None, amount_wan: float | None = None, as_side: str | None = None) -> MarketMatch:
    """One step of the 对接 workflow. ``as_side`` lets an operator act for a party (e.g. on the phone)."""
    side = as_side if (is_operator and as_side) else _side(session, m, org_id, is_operator)
    need, offer = session.get(MarketNeed, m.need_id), session.get(MarketOffer, m.offer_id)
    assert need is not None and offer is not None
    other_org = offer.organization_id if side == "requester" else need.organization_id
    if m.first_response_at is None and action in ("interest", "respond", "accept", "decline"):
        m.first_response_at = datetime.now(UTC)
    if action in ("interest", "respond", "accept"):
        if m.state not in ("proposed", "interested", "responded"):
            raise MarketError(f"当前状态 {m.state} 不能执行 {action}", code="E909")
        if side == "requester":
            m.requester_accepted = True
            if answers:
                m.answers = {q: str(answers.get(q, "")) for q in INTEREST_QUESTIONS}
        elif side == "provider":
            m.provider_accepted = True
        new = "accepted" if (m.requester_accepted and m.provider_accepted) else (
            "interested" if side == "requester" else "responded")
        _transition(session, m, "state", new, action, actor, side=side)
        notify(session, organization_id=other_org, title=f"对接进展：{need.title} ↔ {offer.title}",
               body="双方均已接受，联系方式已开放。" if new == "accepted" else "对方表达了对接意向，请接受或婉拒。",
               link=f"/market/matches/{m.id}")
    elif action == "decline":
        if reason not in DECLINE_REASONS:
            raise MarketError(f"婉拒原因须为 {'、'.join(DECLINE_REASONS)} 之一 / reason required", code="E910")
        if m.state in ("completed", "failed", "declined"):
            raise MarketError(f"当前状态 {m.state} 不能婉拒", code="E909")
        m.decline_reason, m.decline_note = reason, note
        _transition(session, m, "state", "declined", "declined", actor, side=side, reason=reason)
        notify(session, organization_id=other_org, title=f"对方婉拒：{need.title}（{reason}）", body=note)
    elif action == "start":
        if m.state != "accepted":
            raise MarketError("双方接受后才能进入对接中 / both sides must accept first", code="E909")
        _transition(session, m, "state", "in_progress", "started", actor)
        if need.status in ("open", "matched"):
            _transition(session, need, "status", "in_progress", "started", actor, match=m.id)
    elif action in ("complete", "fail"):
        if m.state != "in_progress":
            raise MarketError("只有对接中的项目可以结束 / only an in-progress match can end", code="E909")
        if action == "complete":
            if amount_wan is None or amount_wan < 0:
                raise MarketError("请填写签约金额（万元）/ signed amount required", code="E911")
            m.amount_wan = amount_wan
        _transition(session, m, "state", "completed" if action == "complete" else "failed", action, actor,
                    amount_wan=amount_wan, note=note)
        if action == "complete":
            _transition(session, need, "status", "completed", "completed", actor, match=m.id)
    else:
        raise MarketError(f"unknown action {action!r}", code="E909")
    return m


def contact_visible(m: MarketMatch) -> bool:
    return m.requester_accepted and m.provider_accepted and m.state != "declined"


# ── expiry and renewal ─────────────────────────────────────────────────────────────────────
def expire(session: Session, today: date | None = None, *, actor: str = "system") -> dict[str, int]:
    """Close posts past their deadline / validity and remind owners of those about to lapse."""
    today = today or date.today()
    counts = {"expired": 0, "reminded": 0}
    live_need = ("open", "matched", "pending_review")
    for n in session.scalars(select(MarketNeed).where(MarketNeed.status.in_(live_need))):
        if n.deadline and n.deadline < today:
            _transition(session, n, "status", "expired", "expired", actor)
            counts["expired"] += 1
        elif n.deadline and n.deadline <= today + timedelta(days=REMIND_DAYS) and not _reminded(session, "need", n.id):
            _remind(session, "need", n, n.deadline, actor)
            counts["reminded"] += 1
    for o in session.scalars(select(MarketOffer).where(MarketOffer.status.in_(("open", "pending_review")))):
        if o.valid_until and o.valid_until < today:
            _transition(session, o, "status", "expired", "expired", actor)
            counts["expired"] += 1
        elif o.valid_until and o.valid_until <= today + timedelta(days=REMIND_DAYS) and not _reminded(session, "offer", o.id):
            _remind(session, "offer", o, o.valid_until, actor)
            counts["reminded"] += 1
    return counts


def _reminded(session: Session, entity: str, entity_id: int) -> bool:
    return session.scalars(select(MarketEvent.id).where(
        MarketEvent.entity == entity, MarketEvent.entity_id == entity_id, MarketEvent.action == "reminded")).first() is not None


def _remind(session: Session, entity: str, post: MarketNeed | MarketOffer, until: date, actor: str) -> None:
    notify(session, organization_id=post.organization_id, title=f"即将到期：{post.title}（{until}）",
           body="如需继续展示，请续期。", link=f"/market/{entity}s/{post.id}")
    _audit(session, entity, post.id, "reminded", post.status, post.status, actor, until=until.isoformat())


def renew(session: Session, post: MarketNeed | MarketOffer, until: date, *, actor: str) -> None:
    if isinstance(post, MarketNeed):
        post.deadline = until
    else:
        post.valid_until = until
    new = "open" if post.status == "expired" else post.status
    _transition(session, post, "status", new, "renewed", actor, until=until.isoformat())


def inbox(session: Session, org_id: int | None, user_id: int | None) -> Sequence[MarketNotice]:
    q = select(MarketNotice).order_by(MarketNotice.created_at.desc(), MarketNotice.id.desc())
    conds = []
    if org_id is not None:
        conds.append(MarketNotice.organization_id == org_id)
    if user_id is not None:
        conds.append(MarketNotice.user_id == user_id)
    if not conds:
        return []
    from sqlalchemy import or_

    return session.scalars(q.where(or_(*conds)).limit(200)).all()
