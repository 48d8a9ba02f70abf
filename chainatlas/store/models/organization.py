"""Organizations, their names, tiers, yearly figures, chain nodes and relations."""

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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JSONType, utcnow

ORGANIZATION_KINDS = ("enterprise", "institution", "hospital", "platform", "government", "association",
                      "park", "other")
# Kinds that act on a chain (regulate, convene, host) but hold no place on it as a supplier:
# never counted on a chain node, never placed on one from the news.
NON_SUPPLY_KINDS = ("government", "association", "park")
TIER_LABELS = (
    "规上",
    "专精特新(省级)",
    "专精特新(国家级)",
    "专精特新小巨人",
    "制造业单项冠军",
    "瞪羚",
    "独角兽",
    "高新技术企业",
    "上市",
)
FIGURE_KINDS = ("revenue", "output", "tax", "rnd", "employees")  # 营业收入 产值 税收 研发投入 员工
RELATION_TYPES = ("supplier_of", "customer_of", "subsidiary_of", "partner_of", "invests_in")


class Organization(Base):
    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)  # 统一社会信用代码
    name: Mapped[str] = mapped_column(String(200))
    # Normalized (simplified, full-width folded, no spaces/brackets) for dedupe and lookup.
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="enterprise")
    region_adcode: Mapped[str | None] = mapped_column(ForeignKey("region.adcode"), index=True)
    park_id: Mapped[int | None] = mapped_column(ForeignKey("park.id"), index=True)
    founded: Mapped[date | None] = mapped_column(Date)
    listing_code: Mapped[str | None] = mapped_column(String(64))
    industry_code: Mapped[str | None] = mapped_column(String(16))  # GB/T 4754 code as reported
    # Candidates come from news extraction and are not yet confirmed registry entries.
    is_candidate: Mapped[bool] = mapped_column(Boolean, default=False)
    # Rows made up for demos/benchmarks are marked so nobody reads them as fact.
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    aliases: Mapped[list[OrganizationAlias]] = relationship(
        back_populates="organization", cascade="all, delete-orphan"
    )
    tiers: Mapped[list[Tier]] = relationship(back_populates="organization", cascade="all, delete-orphan")
    figures: Mapped[list[YearlyFigure]] = relationship(
        back_populates="organization", cascade="all, delete-orphan"
    )
    nodes: Mapped[list[OrganizationNode]] = relationship(
        back_populates="organization", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint(f"kind IN {ORGANIZATION_KINDS!r}", name="kind"),
        # One news candidate per name: two ingests at once must not each create their own.
        Index("uq_organization_candidate_key", "name_key", unique=True,
              sqlite_where=text("is_candidate"), postgresql_where=text("is_candidate")),
    )


class OrganizationAlias(Base):
    """Other names: short names (泰邦生物), former names, de-spun forms, English names."""

    __tablename__ = "organization_alias"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(200))
    alias_key: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="short")  # short | former | english | despun | news

    organization: Mapped[Organization] = relationship(back_populates="aliases")
    __table_args__ = (UniqueConstraint("organization_id", "alias_key", name="uq_alias_org_key"),)


class Tier(Base):
    """A ladder label granted to an organization (规上, 专精特新, 小巨人 …)."""

    __tablename__ = "tier"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(32), index=True)
    issuer: Mapped[str | None] = mapped_column(String(128))
    year_granted: Mapped[int | None] = mapped_column(Integer)
    expires: Mapped[int | None] = mapped_column(Integer)  # year the label lapses, if known
    source: Mapped[str | None] = mapped_column(Text)

    organization: Mapped[Organization] = relationship(back_populates="tiers")
    __table_args__ = (UniqueConstraint("organization_id", "label", "year_granted", name="uq_tier_org_label"),)


class YearlyFigure(Base):
    """营业收入/产值/税收/研发投入 in 万元, 员工 in persons, per organization and year.

    ``year`` is NULL for a figure whose list gave no year (年度未知): it is shown, marked, but no
    year-on-year comparison or per-year total uses it (SQL comparisons with NULL are never true)."""

    __tablename__ = "yearly_figure"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(8), default="万元")
    source: Mapped[str | None] = mapped_column(Text)

    organization: Mapped[Organization] = relationship(back_populates="figures")
    __table_args__ = (
        UniqueConstraint("organization_id", "year", "kind", name="uq_figure_org_year_kind"),
        # Top revenue of a year, walked from the largest down (analyse.candidates; migration 0003).
        Index("ix_yearly_figure_kind_year_value", "kind", "year", "value"),
    )


class OrganizationNode(Base):
    """An organization placed on a chain node, with where that claim came from."""

    __tablename__ = "organization_node"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    node_id: Mapped[str] = mapped_column(ForeignKey("chain_node.id"), index=True)
    # registry (a chain-node column) | code (行业代码 crosswalk) | product (主营产品/经营范围 keywords)
    # | name (a keyword in the name) | manual (an analyst) | news | keyword
    source: Mapped[str] = mapped_column(String(32), default="registry")
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    basis: Mapped[str | None] = mapped_column(String(200))  # what matched: 行业代码 C2740, 主营产品「阿胶」…
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_span.id", ondelete="SET NULL"))

    organization: Mapped[Organization] = relationship(back_populates="nodes")
    __table_args__ = (
        UniqueConstraint("organization_id", "node_id", name="uq_orgnode_org_node"),
        Index("ix_orgnode_node_org", "node_id", "organization_id"),
    )


class OrganizationNodeVeto(Base):
    """An analyst removed this placement: imports and placement runs do not put it back."""

    __tablename__ = "organization_node_veto"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    node_id: Mapped[str] = mapped_column(ForeignKey("chain_node.id"))
    removed_by: Mapped[str | None] = mapped_column(String(64))
    removed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("organization_id", "node_id", name="uq_orgnode_veto_org_node"),)


class Relation(Base):
    """A directed link between organizations: A supplier_of B, A subsidiary_of B …"""

    __tablename__ = "relation"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(Text)  # where the claim comes from (url, file, registry)
    evidence: Mapped[str | None] = mapped_column(Text)  # the sentence, when known
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_span.id", ondelete="SET NULL"))
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    date: Mapped[date | None] = mapped_column(Date)
    extra: Mapped[dict | None] = mapped_column(JSONType)

    __table_args__ = (
        CheckConstraint(f"type IN {RELATION_TYPES!r}", name="type"),
        UniqueConstraint("source_id", "target_id", "type", name="uq_relation_src_tgt_type"),
        Index("ix_relation_source", "source_id", "type"),
        Index("ix_relation_target", "target_id", "type"),
        # Covering indexes: a region's chain relations read index-only from either end (migration 0003).
        Index("ix_relation_source_cover", "source_id", "type", "target_id", "id"),
        Index("ix_relation_target_cover", "target_id", "type", "source_id", "id"),
    )
