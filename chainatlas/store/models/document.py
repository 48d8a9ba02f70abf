"""Documents and what was extracted from them, each fact tied to an evidence span."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONType, utcnow


class Document(Base):
    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    # sha256 of the raw bytes: re-ingesting the same content is a no-op.
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    doc_key: Mapped[str] = mapped_column(String(200), index=True)  # file base name or url slug
    path: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[date | None] = mapped_column(Date, index=True)
    encoding: Mapped[str | None] = mapped_column(String(32))
    original_text: Mapped[str] = mapped_column(Text)
    normalized_text: Mapped[str] = mapped_column(Text)
    # Run-length map normalized offset → original offset (see ingest.normalize.OffsetMap).
    offset_map: Mapped[list | None] = mapped_column(JSONType)
    # [[start, end, label]] over normalized text: body | boilerplate | sidebar | spam | duplicate
    segments: Mapped[list | None] = mapped_column(JSONType)
    near_duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="SET NULL"))
    region_adcode: Mapped[str | None] = mapped_column(ForeignKey("region.adcode"), index=True)
    node_ids: Mapped[list | None] = mapped_column(JSONType)
    minhash: Mapped[list | None] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16), default="extracted")
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EvidenceSpan(Base):
    """Where a fact stands: offsets in the normalized text and in the original text."""

    __tablename__ = "evidence_span"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    orig_start: Mapped[int] = mapped_column(Integer)
    orig_end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class Mention(Base):
    """An organization named in a document (linked to the registry or to a candidate)."""

    __tablename__ = "mention"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )
    park_id: Mapped[int | None] = mapped_column(ForeignKey("park.id", ondelete="SET NULL"))
    surface: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    segment: Mapped[str | None] = mapped_column(String(32))
    region: Mapped[str | None] = mapped_column(String(64))
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence_span.id", ondelete="CASCADE"))


class Metric(Base):
    """A figure stated in a document: 2850亿元 大健康产业规模 (2022)."""

    __tablename__ = "metric"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(Text)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    year: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(64))
    qualifier: Mapped[str | None] = mapped_column(String(8))  # 约 近 多 余 超 …
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"))
    region_adcode: Mapped[str | None] = mapped_column(ForeignKey("region.adcode"))
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence_span.id", ondelete="CASCADE"))

    # Bottleneck voices are metrics about a region or about its organizations (migration 0003).
    __table_args__ = (
        Index("ix_metric_region_adcode", "region_adcode"),
        Index("ix_metric_organization_id", "organization_id"),
    )


class Event(Base):
    """签约落户 / 获批上市 / 揭牌 / 开工 / 投运 / 入选 / 上市 / 融资 …"""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(16), index=True)
    subject: Mapped[str | None] = mapped_column(Text)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )
    date_text: Mapped[str | None] = mapped_column(String(32))
    date: Mapped[date | None] = mapped_column(Date, index=True)
    amount: Mapped[float | None] = mapped_column(Float)  # CNY
    text: Mapped[str] = mapped_column(Text)
    region_adcode: Mapped[str | None] = mapped_column(ForeignKey("region.adcode"))
    node_id: Mapped[str | None] = mapped_column(ForeignKey("chain_node.id"))
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence_span.id", ondelete="CASCADE"))

    __table_args__ = (Index("ix_event_region_date", "region_adcode", "date"),)


class IngestIssue(Base):
    """A file that could not be ingested, and why (kept so reruns can report it)."""

    __tablename__ = "ingest_issue"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(Text)
    code: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)
    size: Mapped[int | None] = mapped_column(Integer)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IndicatorTarget(Base):
    """A target such as 规上企业数量「双倍增」: region, indicator, year, value."""

    __tablename__ = "indicator_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_adcode: Mapped[str] = mapped_column(ForeignKey("region.adcode"), index=True)
    indicator: Mapped[str] = mapped_column(String(32))  # guishang_count | revenue | …
    year: Mapped[int] = mapped_column(Integer)
    target: Mapped[float] = mapped_column(Float)
    baseline_year: Mapped[int | None] = mapped_column(Integer)
    baseline: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(Text)


class IngestLock(Base):
    """One row per kind of writer that must not interleave (``ingest``): each document's
    transaction bumps ``generation`` first, which serializes the writers (a row lock on
    PostgreSQL, the write lock on SQLite) and tells a writer whether anyone else wrote since
    its last document (then its cached registry and near-duplicate index are stale)."""

    __tablename__ = "ingest_lock"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)


class SearchPending(Base):
    """Rows the search index must (re)read: written by triggers (migration 0006) in the same
    transaction as the change itself, so an index update can never be lost, whatever order
    concurrent transactions commit in; ``search.ensure_index`` drains it."""

    __tablename__ = "search_pending"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # document | organization
    ref_id: Mapped[int] = mapped_column(Integer)
