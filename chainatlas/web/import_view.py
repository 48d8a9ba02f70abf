"""The web import panel's result in words, and the template workbook an office fills in.

The result a user reads: a status (完成 / 部分成功 / 失败) that follows the counts, the counts as a
table, and every rejected row with its row, sheet, column and reason — never the server's temporary
path and never a JSON dump. The template has the headers the importer accepts (the first synonym
of each field) and a guide sheet listing each column's other accepted names.
"""

from __future__ import annotations

import io
from pathlib import PurePath
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from chainatlas.registry.columns import FIELD_SYNONYMS
from chainatlas.web.i18n import translate

# Columns an office fills in, in the template's order (synthetic / source are ours to set).
TEMPLATE_FIELDS = ("name", "uscc", "aliases", "kind", "region", "park", "industry_code", "listing_code", "founded",
                   "nodes", "products", "year", "revenue", "output", "tax", "rnd", "employees", "above_scale", "srdi",
                   "little_giant", "champion", "gazelle", "unicorn", "hitech", "tiers")


def status(stored: int, rejected: int) -> str:
    if stored == 0:
        return "failed"
    return "partial" if rejected else "done"


def _header_of(report: dict[str, Any], field: str | None) -> str:
    if not field:
        return ""
    for header, fld in (report.get("columns") or {}).items():
        if fld == field:
            return header
    return FIELD_SYNONYMS.get(field, (field,))[0]


def _reason(lang: str, problem: dict[str, Any]) -> str:
    key = f"import.code.{problem.get('code')}"
    text = translate(lang, key)
    return problem.get("reason") or "" if text == key else text


def registry_result(lang: str, result: dict[str, Any]) -> dict[str, Any]:
    rep = result.get("report") or {}
    stored = int(rep.get("created", 0)) + int(rep.get("updated", 0)) + int(rep.get("unchanged", 0))
    rejected = int(rep.get("rejected", 0))
    counts = [(key, rep.get(key, 0)) for key in ("rows", "created", "updated", "unchanged", "rejected", "undated")]
    placed = sum((rep.get("placements") or {}).values())
    counts.append(("placed", placed))

    def rows(problems: list[dict[str, Any]]) -> list[list[Any]]:
        return [[p.get("row"), p.get("sheet") or "", _header_of(rep, p.get("field")), p.get("name") or "",
                 _reason(lang, p), p.get("code") or ""] for p in problems]

    return {"kind": "registry", "file": PurePath(result.get("file") or "").name, "status": status(stored, rejected),
            "counts": counts, "errors": rows(rep.get("errors") or []), "warnings": rows(rep.get("warnings") or []),
            "notes": rep.get("notes") or [], "year": rep.get("year"), "year_source": rep.get("year_source"),
            "ignored": rep.get("ignored_columns") or []}


def template_workbook(lang: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "企业名录"
    ws.append([FIELD_SYNONYMS[f][0] for f in TEMPLATE_FIELDS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        ws.column_dimensions[cell.column_letter].width = max(12, 2 * len(str(cell.value)) + 2)
    guide = wb.create_sheet("填表说明")
    guide.append([translate(lang, "import.guide.column"), translate(lang, "import.guide.also"),
                  translate(lang, "import.guide.what")])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for f in TEMPLATE_FIELDS:
        names = FIELD_SYNONYMS[f]
        guide.append([names[0], "、".join(names[1:]), translate(lang, f"import.field.{f}")])
    for col, width in zip("ABC", (18, 50, 70), strict=True):
        guide.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
