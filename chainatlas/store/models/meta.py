"""Which version of each bundled reference data set (taxonomy, regions, parks) is loaded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class ReferenceData(Base):
    __tablename__ = "reference_data"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)  # taxonomy | regions | parks
    digest: Mapped[str] = mapped_column(String(64))  # sha256 of the data files it was loaded from
    version: Mapped[str | None] = mapped_column(String(32))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
