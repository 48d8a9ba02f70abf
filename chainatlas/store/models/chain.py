"""The chain taxonomy in three layers kept apart: official statistical codes, curated
chain nodes, and crosswalks / keywords / input links between them."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class OfficialCode(Base):
    """A code of an official classification, e.g. scheme ``GB/T 4754`` version ``2017+1``."""

    __tablename__ = "official_code"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # "<scheme>@<version>:<code>"
    scheme: Mapped[str] = mapped_column(String(48))
    version: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(128))
    parent_code: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)


class ChainNode(Base):
    __tablename__ = "chain_node"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    subchain: Mapped[str] = mapped_column(String(32), index=True)
    stage: Mapped[str] = mapped_column(String(16))  # upstream | midstream | downstream
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("chain_node.id"))
    description: Mapped[str | None] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class NodeCode(Base):
    """Crosswalk chain node ↔ official code; ``correspondence`` is full or partial."""

    __tablename__ = "node_code"

    node_id: Mapped[str] = mapped_column(ForeignKey("chain_node.id", ondelete="CASCADE"), primary_key=True)
    code_id: Mapped[str] = mapped_column(ForeignKey("official_code.id"), primary_key=True)
    correspondence: Mapped[str] = mapped_column(String(8), default="full")


class NodeKeyword(Base):
    __tablename__ = "node_keyword"

    id: Mapped[int] = mapped_column(primary_key=True)
    node_id: Mapped[str] = mapped_column(ForeignKey("chain_node.id", ondelete="CASCADE"), index=True)
    keyword: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="product")  # product | technology | service | synonym

    __table_args__ = (UniqueConstraint("node_id", "keyword", name="uq_node_keyword"),)


class NodeInput(Base):
    """``from_node`` feeds ``to_node`` (原料药 → 化学制剂). Gap analysis walks these."""

    __tablename__ = "node_input"

    from_node_id: Mapped[str] = mapped_column(ForeignKey("chain_node.id", ondelete="CASCADE"), primary_key=True)
    to_node_id: Mapped[str] = mapped_column(ForeignKey("chain_node.id", ondelete="CASCADE"), primary_key=True)
    note: Mapped[str | None] = mapped_column(Text)
