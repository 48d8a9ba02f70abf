"""Numbers as Chinese readers read them: 2.85万亿元, 12.3亿元, 3,500万元.

The formatter itself lives in ``chainatlas.units`` (shared with the analysis, the CLI and
the Excel exports); these names stay here for the Jinja filters and existing imports.
"""

from __future__ import annotations

from chainatlas.units import fmt_amount, fmt_count, fmt_metric, fmt_wan

__all__ = ["fmt_amount", "fmt_count", "fmt_metric", "fmt_wan"]
