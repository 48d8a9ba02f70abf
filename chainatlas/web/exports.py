"""Excel export of the organization list: the same columns, order and rows as the page."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from chainatlas.api.queries.orgs import OrgFilter
from chainatlas.spreadsheet import safe_row
from chainatlas.web.format import fmt_wan
from chainatlas.web.i18n import translate

COLUMNS = ("common.name", "common.uscc", "common.kind", "common.region", "common.park", "common.revenue",
           "common.tier", "common.node")


def org_cells(row: dict, lang: str) -> list:
    """One table row as the page renders it (the page uses this too, so they cannot drift)."""
    revenue = fmt_wan(row["revenue_wan"], lang=lang) if row["revenue_wan"] is not None else "—"
    if row.get("revenue_undated") and row["revenue_wan"] is not None:
        revenue += f"（{translate(lang, 'common.year_unknown')}）"  # the list gave no year for it
    return [
        row["name"], row["uscc"] or "", translate(lang, f"kind.{row['kind']}"), row["region_name"] or "",
        row["park_name"] or "", revenue,
        "、".join(row["tiers"]), "、".join(n["name"] for n in row["nodes"]),
    ]


def orgs_workbook(rows: list[dict], f: OrgFilter, *, lang: str = "zh") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = translate(lang, "orgs.title")[:31]
    ws.append([translate(lang, c) for c in COLUMNS] + [translate(lang, "common.revenue") + " (万元)", "id"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        # The raw 万元 figure and the id ride along so the sheet can be sorted and joined.
        ws.append(safe_row(ws, org_cells(r, lang) + [r["revenue_wan"], r["id"]]))
    ws.freeze_panes = "A2"
    for col, width in zip("ABCDEFGHIJ", (36, 22, 10, 14, 22, 14, 30, 30, 14, 10), strict=True):
        ws.column_dimensions[col].width = width
    meta = wb.create_sheet("filters")
    meta.append(["filter", "value"])
    for k, v in f.as_params().items():
        meta.append(safe_row(meta, [k, v]))  # filter values are what the visitor typed
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
