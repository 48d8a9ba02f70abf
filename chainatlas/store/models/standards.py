"""The standards catalogue (标准云享站): standards, adoptions, replacements, dated changes,
links to chain nodes, watches and the inbox their alerts land in."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONType, utcnow

STANDARD_STATUSES = ("现行", "即将实施", "废止")
ADOPTION_DEGREES = ("IDT", "MOD", "NEQ")
CHANGE_KINDS = ("new", "status", "replaced", "withdrawn", "title")
WATCH_KINDS = ("standard", "node", "organization")


class StandardImport(Base):
    """One run of ``chainatlas standards import``; its id is the catalogue revision the search index follows."""

    __tablename__ = "standard_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    catalogue_date: Mapped[date | None] = mapped_column(Date)
    counts: Mapped[dict] = mapped_column(JSONType, default=dict)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Standard(Base):
    __tablename__ = "standard"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(96))  # canonical spelling, GB/T 16886.5-2017
    key: Mapped[str] = mapped_column(String(96), unique=True)  # GBT16886.5@2017
    base_key: Mapped[str] = mapped_column(String(96), index=True)  # GBT16886.5
    loose_key: Mapped[str] = mapped_column(String(96), index=True)  # GB16886.5 (GB = GB/T = GB/Z)
    code: Mapped[str] = mapped_column(String(64), index=True)  # 16886.5
    kind: Mapped[str] = mapped_column(String(24), index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), index=True)
    ccs: Mapped[str | None] = mapped_column(String(32))
    ics: Mapped[str | None] = mapped_column(String(64))
    published_on: Mapped[date | None] = mapped_column(Date)
    effective_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    authority: Mapped[str | None] = mapped_column(Text)  # 主管部门
    committee: Mapped[str | None] = mapped_column(Text)  # 归口单位
    domain: Mapped[str | None] = mapped_column(String(32))  # 通用技术领域 / 专业技术领域
    area: Mapped[str | None] = mapped_column(String(64), index=True)  # technical area (catalogue l1)
    subarea: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(Text)
    synthetic: Mapped[bool] = mapped_column(default=False)
    revision: Mapped[int] = mapped_column(Integer, default=0, index=True)  # the import that last changed it
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StandardReplacement(Base):
    """``new_key`` replaces ``old_key`` (代替 / 被代替); keys, so either side may be outside the catalogue."""

    __tablename__ = "standard_replacement"

    new_key: Mapped[str] = mapped_column(String(96), primary_key=True)
    old_key: Mapped[str] = mapped_column(String(96), primary_key=True, index=True)
    old_number: Mapped[str] = mapped_column(String(96))
    new_number: Mapped[str] = mapped_column(String(96))


class StandardAdoption(Base):
    """采标: the standard adopts an international one with a degree (IDT / MOD / NEQ)."""

    __tablename__ = "standard_adoption"

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standard.id", ondelete="CASCADE"), index=True)
    intl_number: Mapped[str] = mapped_column(String(96))
    intl_base_key: Mapped[str] = mapped_column(String(96), index=True)
    degree: Mapped[str] = mapped_column(String(4))
    title_en: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("standard_id", "intl_base_key", name="uq_standard_adoption"),)


class StandardChange(Base):
    """A dated difference found by a catalogue import: new, status, replaced, withdrawn or title."""

    __tablename__ = "standard_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standard.id", ondelete="CASCADE"), index=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("standard_import.id", ondelete="CASCADE"), index=True)
    change: Mapped[str] = mapped_column(String(16))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    changed_on: Mapped[date | None] = mapped_column(Date)  # the date the change takes effect


class StandardNode(Base):
    """A standard applies to a chain node; ``via`` says why (a title keyword or the technical area)."""

    __tablename__ = "standard_node"

    standard_id: Mapped[int] = mapped_column(ForeignKey("standard.id", ondelete="CASCADE"), primary_key=True)
    node_id: Mapped[str] = mapped_column(ForeignKey("chain_node.id", ondelete="CASCADE"), primary_key=True)
    via: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_standard_node_node", "node_id", "standard_id"),)


class StandardWatch(Base):
    """A user watches a standard (its base key, so a new edition still matches), a node or an organization."""

    __tablename__ = "standard_watch"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    target_kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(96))
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "target_kind", "target", name="uq_standard_watch"),)


class StandardAlert(Base):
    """One inbox item: a change that touches something the user watches."""

    __tablename__ = "standard_alert"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("standard_change.id", ondelete="CASCADE"))
    watch_id: Mapped[int | None] = mapped_column(ForeignKey("standard_watch.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("user_id", "change_id", name="uq_standard_alert"),)
