"""EPCIS 2.0 events, the identifiers they name, and the lineage edges trace back/forward walks.

Events keep their original JSON (``doc``) so a query returns them field for field; the columns
and side tables exist only to index what queries and traces filter on. Identifiers are stored
once under their canonical key (GS1 Digital Link for GS1 keys) so EPC URNs and Digital Link URIs
of the same item meet.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONType, utcnow

# 64-bit keys on PostgreSQL (10^8 events × several identifiers each); SQLite needs INTEGER for rowid aliasing.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class EpcisCaptureJob(Base):
    """One capture request (REST ``/capture`` or CLI): its status and, when rejected, why."""

    __tablename__ = "epcis_capture_job"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | success | failed
    source: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    stored_count: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list | None] = mapped_column(JSONType)
    # "host:pid:process start" of the process running the job: a job whose process is gone is
    # marked failed instead of staying "running" forever (migration 0007).
    owner: Mapped[str | None] = mapped_column(String(200))


class EpcisEvent(Base):
    __tablename__ = "epcis_event"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(512), unique=True)  # eventID, or the CBV 2.0 hash
    # Not indexed (migration 0004): identity is event_id (the hash itself when there is no eventID),
    # nothing looks events up by hash, and a random 100-byte key was the costliest index to keep at 10^7.
    event_hash: Mapped[str] = mapped_column(String(100))
    event_type: Mapped[str] = mapped_column(String(24))
    action: Mapped[str | None] = mapped_column(String(8))
    event_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    event_tz: Mapped[str | None] = mapped_column(String(6))
    record_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True, default=utcnow)
    biz_step: Mapped[str | None] = mapped_column(String(255), index=True)  # bare CBV term or extension URI
    disposition: Mapped[str | None] = mapped_column(String(255), index=True)
    read_point: Mapped[str | None] = mapped_column(String(512), index=True)  # canonical key
    biz_location: Mapped[str | None] = mapped_column(String(512), index=True)
    transformation_id: Mapped[str | None] = mapped_column(String(512))
    error_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # partial index below
    error_reason: Mapped[str | None] = mapped_column(String(255))
    corrective_ids: Mapped[list | None] = mapped_column(JSONType)
    capture_job_id: Mapped[str | None] = mapped_column(String(36), index=True)
    # Non-standard namespace prefixes the event's extensions use, for the query document's @context.
    namespaces: Mapped[dict | None] = mapped_column(JSONType)
    doc: Mapped[dict] = mapped_column(JSONType)

    __table_args__ = (
        Index("ix_epcis_event_type_time", "event_type", "event_time"),
        # Only corrected events have an error time: a partial index costs nothing per captured event
        # and still serves EXISTS_errorDeclaration and GE_/LT_errorDeclarationTime (migration 0004).
        Index("ix_epcis_event_error_time", "error_time", postgresql_where=text("error_time IS NOT NULL"),
              sqlite_where=text("error_time IS NOT NULL")),
    )


class TraceIdentifier(Base):
    __tablename__ = "trace_identifier"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(512), unique=True)
    raw: Mapped[str] = mapped_column(String(512))  # the form first captured (EPC URN or Digital Link)
    scheme: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(8))  # instance | class

    # MATCH_epc with EPC patterns becomes ``key LIKE 'https://id.gs1.org/01/…%'``: PostgreSQL only uses
    # a btree for LIKE prefixes under the C collation or with pattern ops.
    __table_args__ = (Index("ix_trace_identifier_key_pattern", "key", postgresql_ops={"key": "varchar_pattern_ops"}),)


class EpcisEventEpc(Base):
    """An identifier named by an event, in a role: epc, parent, child, input, output, or *_quantity."""

    __tablename__ = "epcis_event_epc"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_pk: Mapped[int] = mapped_column(ForeignKey("epcis_event.id", ondelete="CASCADE"), index=True)
    # trace_identifier.id, without a FOREIGN KEY: see migration 0004 (a per-row check that cannot fail).
    ident_id: Mapped[int] = mapped_column(BigId)
    role: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[float | None] = mapped_column(Float)
    uom: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (Index("ix_epcis_event_epc_ident_role", "ident_id", "role"),)


class EpcisEventAttr(Base):
    """bizTransaction / source / destination / persistentDisposition set|unset values of an event."""

    __tablename__ = "epcis_event_attr"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_pk: Mapped[int] = mapped_column(ForeignKey("epcis_event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    type: Mapped[str | None] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(String(512))

    __table_args__ = (Index("ix_epcis_event_attr_kind_value", "kind", "value"),)


class TraceEdge(Base):
    """One lineage step: ``from_id`` went into / was contained in ``to_id`` through ``event_pk``.

    transform: input → output; aggregate / associate: child → parent. Trace forward follows
    from → to, trace back to → from; both directions are indexed with the event time so a walk
    can respect the order in which things happened.
    """

    __tablename__ = "trace_edge"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # trace_identifier.id both, without FOREIGN KEYs: see migration 0004 (per-row checks that cannot fail).
    from_id: Mapped[int] = mapped_column(BigId)
    to_id: Mapped[int] = mapped_column(BigId)
    event_pk: Mapped[int] = mapped_column(ForeignKey("epcis_event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    event_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_trace_edge_from", "from_id", "event_time"),
        Index("ix_trace_edge_to", "to_id", "event_time"),
    )


class TraceLocation(Base):
    """A GLN / SGLN (readPoint, bizLocation, source, destination) linked to who and where it is."""

    __tablename__ = "trace_location"

    key: Mapped[str] = mapped_column(String(512), primary_key=True)  # canonical key of the location
    raw: Mapped[str] = mapped_column(String(512))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(32))  # 种植基地 / 饮片厂 / 制药厂 / 经销商 / 医院 …
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"),
                                                        index=True)
    region_adcode: Mapped[str | None] = mapped_column(ForeignKey("region.adcode"), index=True)
    source: Mapped[str | None] = mapped_column(Text)
