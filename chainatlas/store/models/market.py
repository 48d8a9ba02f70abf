"""科创供应链 tables: offers and needs (linked to registry organizations), the matches proposed
between them with their 对接 state, an audit log of every state change, and the in-app inbox."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONType, utcnow

POST_STATES = ("pending_review", "open", "rejected", "closed", "expired")
NEED_STATES = (*POST_STATES, "matched", "in_progress", "completed", "failed")
MATCH_STATES = ("proposed", "interested", "responded", "accepted", "declined", "in_progress", "completed",
                "failed")
DECLINE_REASONS = ("不匹配", "已有合作", "预算不足", "时间不合", "资质不符", "地域不符", "其他")
PROVIDER_KINDS = ("cro", "cdmo", "enterprise", "platform", "lab", "hospital", "university", "park", "fund")


class MarketOffer(Base):
    __tablename__ = "market_offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)  # the poster's or importer's id
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"),
                                                        index=True)
    provider: Mapped[str] = mapped_column(String(200))
    provider_kind: Mapped[str] = mapped_column(String(16), default="enterprise")
    region: Mapped[str] = mapped_column(String(64), default="")
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    categories: Mapped[list] = mapped_column(JSONType, default=list)
    price_hint: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")  # shown only once both sides accept
    valid_until: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="pending_review", index=True)
    services: Mapped[list] = mapped_column(JSONType, default=list)  # service ids read from the text
    qualifications: Mapped[list] = mapped_column(JSONType, default=list)
    modalities: Mapped[list] = mapped_column(JSONType, default=list)
    fictional: Mapped[bool] = mapped_column(Boolean, default=False)  # demo / synthetic posts are flagged
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    __table_args__ = (
        CheckConstraint(f"status IN {POST_STATES!r}", name="status"),
        Index("ix_market_offer_status_valid", "status", "valid_until"),
    )


class MarketNeed(Base):
    __tablename__ = "market_need"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"),
                                                        index=True)
    requester: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(64), default="")
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    budget_hint: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    deadline: Mapped[date | None] = mapped_column(Date)
    posted: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="pending_review", index=True)
    constraints: Mapped[dict] = mapped_column(JSONType, default=dict)  # as read, then confirmed by the poster
    services: Mapped[list] = mapped_column(JSONType, default=list)
    chain_nodes: Mapped[list] = mapped_column(JSONType, default=list)  # the nodes its services serve
    fictional: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    __table_args__ = (CheckConstraint(f"status IN {NEED_STATES!r}", name="status"),)


class MarketMatch(Base):
    """One proposed pairing and its 对接 state; contact details are released when both accepted."""

    __tablename__ = "market_match"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("market_need.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("market_offer.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    tier: Mapped[str] = mapped_column(String(8), default="A")
    explanation: Mapped[dict] = mapped_column(JSONType, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="proposed", index=True)
    requester_accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    provider_accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    answers: Mapped[dict] = mapped_column(JSONType, default=dict)  # the standard interest questions
    decline_reason: Mapped[str | None] = mapped_column(String(16))
    decline_note: Mapped[str | None] = mapped_column(Text)
    amount_wan: Mapped[float | None] = mapped_column(Float)  # signed amount, 万元
    first_response_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("need_id", "offer_id", name="need_offer"),
        CheckConstraint(f"state IN {MATCH_STATES!r}", name="state"),
    )


class MarketEvent(Base):
    """Audit log: every state change of a need, offer or match, who made it and when."""

    __tablename__ = "market_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(8))  # need | offer | match
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64), default="system")
    detail: Mapped[dict] = mapped_column(JSONType, default=dict)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_market_event_entity", "entity", "entity_id"),)


class MarketNotice(Base):
    """In-app inbox: one row per recipient user or organization."""

    __tablename__ = "market_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"),
                                                        index=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(300), default="")
    read: Mapped[bool] = mapped_column(Boolean, default=False)
    emailed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
