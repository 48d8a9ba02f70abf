"""精准招商: investment projects with their dated stages, the office's target list, and the
timing signals read from the news about organizations."""

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
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JSONType, utcnow

# The pipeline order; 竣工 and 达产 are recorded when a page states them but are not funnel steps.
PROJECT_STAGES = ("洽谈", "签约", "开工", "投产")
STAGE_EVENTS = (*PROJECT_STAGES, "竣工", "达产")
TARGET_STATUSES = ("未接触", "已接触", "洽谈", "签约", "放弃")


class Project(Base):
    """An investment project: 华诺泰带状疱疹疫苗项目, signed at 中国医药城 on 2023-10-21."""

    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Name without 项目/建设/一期 and punctuation: the key that merges reports across pages.
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    stage: Mapped[str] = mapped_column(String(8), index=True)
    investment: Mapped[float | None] = mapped_column(Float)  # CNY
    region_adcode: Mapped[str | None] = mapped_column(ForeignKey("region.adcode"), index=True)
    park_id: Mapped[int | None] = mapped_column(ForeignKey("park.id"), index=True)
    node_ids: Mapped[list | None] = mapped_column(JSONType)
    area_mu: Mapped[float | None] = mapped_column(Float)
    capacity: Mapped[str | None] = mapped_column(Text)  # 年产1200万支注射液 — as stated
    output_target: Mapped[float | None] = mapped_column(Float)  # CNY per year at full production
    source: Mapped[str] = mapped_column(String(16), default="news")  # news | manual | import
    # Fields an analyst set by hand: rebuilding from the news never overwrites them.
    manual_fields: Mapped[list | None] = mapped_column(JSONType)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    stages: Mapped[list[ProjectStage]] = relationship(back_populates="project", cascade="all, delete-orphan",
                                                      order_by="ProjectStage.id")
    organizations: Mapped[list[ProjectOrganization]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectOrganization.id")

    __table_args__ = (CheckConstraint(f"stage IN {PROJECT_STAGES!r}", name="stage"),)


class ProjectStage(Base):
    """One dated step of a project, with the sentence that reports it (or who entered it)."""

    __tablename__ = "project_stage"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(8))
    date: Mapped[date | None] = mapped_column(Date)
    date_text: Mapped[str | None] = mapped_column(String(32))
    # 计划8月开工: the step is announced, not done; it says the previous step was reached.
    planned: Mapped[bool] = mapped_column(Boolean, default=False)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_span.id", ondelete="SET NULL"))
    sentence: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[float | None] = mapped_column(Float)  # CNY stated in this report
    source: Mapped[str] = mapped_column(String(16), default="news")
    entered_by: Mapped[str | None] = mapped_column(String(64))

    project: Mapped[Project] = relationship(back_populates="stages")
    __table_args__ = (CheckConstraint(f"stage IN {STAGE_EVENTS!r}", name="stage"),)


class ProjectOrganization(Base):
    """An investor or partner of a project, linked to the registry when the name resolves."""

    __tablename__ = "project_organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"),
                                                        index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="investor")  # investor | partner | host

    project: Mapped[Project] = relationship(back_populates="organizations")
    __table_args__ = (UniqueConstraint("project_id", "name", name="uq_project_org_name"),)


class OrgSignal(Base):
    """A dated timing signal about an organization read from a stored document: a financing
    round, 扩产, 异地建厂, a new subsidiary, an approval, IPO proceeds, a big contract."""

    __tablename__ = "org_signal"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    date: Mapped[date | None] = mapped_column(Date)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_span.id", ondelete="SET NULL"))
    sentence: Mapped[str] = mapped_column(Text)
    amount: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        UniqueConstraint("organization_id", "kind", "document_id", "sentence", name="uq_org_signal_key"),
        Index("ix_org_signal_org", "organization_id", "kind"),
    )


class InvestTarget(Base):
    """An enterprise the office works as a target for one node of one region."""

    __tablename__ = "invest_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_adcode: Mapped[str] = mapped_column(ForeignKey("region.adcode"), index=True)
    node_id: Mapped[str] = mapped_column(ForeignKey("chain_node.id"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(8), default="未接触")
    assignee: Mapped[str | None] = mapped_column(String(64))
    abandon_reason: Mapped[str | None] = mapped_column(Text)
    next_contact: Mapped[date | None] = mapped_column(Date)
    score: Mapped[float | None] = mapped_column(Float)
    # The factors and signals as ranked when shortlisted, so the sheet says why.
    reasons: Mapped[list | None] = mapped_column(JSONType)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    notes: Mapped[list[InvestTargetNote]] = relationship(back_populates="target", cascade="all, delete-orphan",
                                                         order_by="InvestTargetNote.id")
    __table_args__ = (
        UniqueConstraint("region_adcode", "node_id", "organization_id", name="uq_invest_target_key"),
        CheckConstraint(f"status IN {TARGET_STATUSES!r}", name="status"),
    )


class InvestTargetNote(Base):
    __tablename__ = "invest_target_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("invest_target.id", ondelete="CASCADE"), index=True)
    author: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    target: Mapped[InvestTarget] = relationship(back_populates="notes")
