"""Money as offices read it."""

from __future__ import annotations


def fmt_wan(v: float | None) -> str:
    """万元 → text: 12.3亿元 from 123000 万元, 850万元 below 1 亿, — when unknown."""
    if v is None:
        return "—"
    return f"{v / 10000:.1f}亿元" if abs(v) >= 10000 else f"{v:.0f}万元"
