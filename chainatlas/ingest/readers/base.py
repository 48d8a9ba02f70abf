"""What every reader returns."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


@dataclass
class SourceText:
    text: str                      # the document's text as read (HTML already reduced to text)
    encoding: str                  # detected encoding, or the container's ("docx", "pdf")
    title: str | None = None
    url: str | None = None
    published_at: dt.date | None = None


def parse_date(value: object) -> dt.date | None:
    """A date from a metadata value: date, datetime, ISO or Chinese 2024年9月24日 forms."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = _DATE.search(str(value))
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
