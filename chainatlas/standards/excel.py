"""查新 results as an Excel sheet (openpyxl), guarded against formula injection."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from chainatlas.standards.search import CheckRow

HEADERS = ("输入", "标准号", "状态", "名称", "代替标准（被…代替）", "现行版本", "说明")
FILLS = {"现行": "C6EFCE", "即将实施": "FFEB9C", "废止": "FFC7CE"}


def safe_cell(value: object) -> object:
    """Text starting with = + - @ (or a tab/CR) would run as a formula in Excel: prefix a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def check_workbook(rows: list[CheckRow]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "标准查新"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([safe_cell(v) for v in (r.given, r.number, r.status, r.title, " → ".join(r.replaced_by), r.current,
                                          r.note)])
        fill = FILLS.get(r.status)
        if fill:
            ws.cell(row=ws.max_row, column=3).fill = PatternFill("solid", fgColor=fill)
    for col, width in zip("ABCDEFG", (22, 22, 10, 48, 30, 22, 30), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
