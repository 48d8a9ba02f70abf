"""Identifiers, places and times in the words of a quality manager: the product name, the lot or
serial number as printed on the pack, the date as 2024年10月5日, the business step in Chinese.

Shared by the trace pages and the CLI; the URN stays available next to every readable label.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "trace"
# Trace data of Chinese sites is read in Beijing time; a UTC date would put an evening
# shipment on the next day's line.
CHINA = timezone(timedelta(hours=8))


@lru_cache(maxsize=1)
def product_names() -> dict[str, str]:
    """GTIN-14 → product name, from the master data files (products.csv, drug_gtin.csv)."""
    names: dict[str, str] = {}
    for file in ("drug_gtin.csv", "products.csv"):
        path = DATA / file
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row.get("gtin") and row.get("name"):
                    names[row["gtin"].strip()] = row["name"].strip()
    return names


def _ai(key: str, ai: str) -> str | None:
    """The value of one GS1 application identifier in a canonical Digital Link key."""
    parts = key.split("/")
    for i, p in enumerate(parts[:-1]):
        if p == ai and i >= 3:  # after https://id.gs1.org/
            return parts[i + 1]
    return None


def product(key: str) -> str:
    """The product a lot or pack identifier names, or '' when the master data does not know it."""
    gtin = _ai(key, "01")
    return product_names().get(gtin, "") if gtin else ""


def printed(key: str, raw: str | None = None) -> str:
    """The number printed on the label: lot (批号), serial (序列号 / 药品追溯码) or SSCC."""
    for ai in ("10", "21", "00"):
        value = _ai(key, ai)
        if value:
            return value
    ident = raw or key
    return ident.rsplit(":", 1)[-1] if ident.startswith("urn:") else ident.rsplit("/", 1)[-1]


def cn_date(t: datetime | str | None) -> str:
    """2024年10月5日 (Beijing date)."""
    if t is None or t == "":
        return ""
    if isinstance(t, str):
        t = datetime.fromisoformat(t.replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)  # the store hands back naive UTC on SQLite
    d = t.astimezone(CHINA)
    return f"{d.year}年{d.month}月{d.day}日"
