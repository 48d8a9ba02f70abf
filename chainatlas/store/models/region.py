"""Administrative divisions (with adcodes) and the parks / development zones inside them."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONType


class Region(Base):
    """A province, prefecture or county, keyed by its 6-digit adcode (GB/T 2260)."""

    __tablename__ = "region"

    adcode: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    short_name: Mapped[str] = mapped_column(String(32), index=True)
    level: Mapped[str] = mapped_column(String(16))  # province | prefecture | county
    parent_adcode: Mapped[str | None] = mapped_column(ForeignKey("region.adcode"), index=True)


class Park(Base):
    """A named development zone or industrial park (泰州医药高新区, 光谷生物城 …)."""

    __tablename__ = "park"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    aliases: Mapped[list[str]] = mapped_column(JSONType, default=list)
    kind: Mapped[str] = mapped_column(String(32))  # 国家级高新区 | 国家级经开区 | 省级 | 产业园 …
    region_adcode: Mapped[str] = mapped_column(ForeignKey("region.adcode"), index=True)
    source: Mapped[str | None] = mapped_column(String(512))

    __table_args__ = (Index("ix_park_region", "region_adcode"),)
