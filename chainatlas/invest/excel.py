"""Workbooks of 精准招商: the monthly 招商 report, the 招商目标清单, and an office's project
sheet read in. Chinese headers, amounts in 万/亿 (units.fmt_amount), text from pages and
users kept as text cells (chainatlas.spreadsheet.safe_row), no internal paths."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy.orm import Session

from chainatlas.analyse.scope import resolve_scope
from chainatlas.invest.errors import InvestError
from chainatlas.invest.pipeline import pipeline_kpis
from chainatlas.invest.projects import create_project, list_projects
from chainatlas.spreadsheet import safe_row
from chainatlas.store import Store
from chainatlas.units import fmt_amount


def _sheet(wb: Workbook, title: str, headers: list[str], rows: list[list[object]], *, first: bool = False):  # type: ignore[no-untyped-def]
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append(headers)
    for c in ws[1]:
        c.font = Font(bold=True)
    for row in rows:
        ws.append(safe_row(ws, row))  # page text and office input stay text, never a formula
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(10, min(60, len(h) * 2 + 4))
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    return ws


def _month_bounds(month: str | None, today: date | None = None) -> tuple[date, date]:
    today = today or date.today()
    if month:
        try:
            y, m = (int(x) for x in month.split("-"))
            start = date(y, m, 1)
        except ValueError as exc:
            raise InvestError(f"month must be YYYY-MM, got {month!r}", where="--month", code="E681") from exc
    else:
        y, m = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        start = date(y, m, 1)
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def monthly_report_xlsx(session: Session, *, region: str | None = None, month: str | None = None) -> bytes:
    """The monthly 招商 report: funnel, rates, stalled projects, by region/park, the month's steps."""
    start, end = _month_bounds(month)
    k = pipeline_kpis(session, region=region, since=start, until=end)
    year_k = pipeline_kpis(session, region=region, since=date(start.year, 1, 1), until=end)
    items, _ = list_projects(session, region=region, limit=10_000)
    wb = Workbook()
    _sheet(wb, "概览", ["指标", "本月", "本年累计"], [
        ["统计期", f"{start.isoformat()} 至 {end.isoformat()}", f"{start.year}-01-01 至 {end.isoformat()}"],
        ["地区", region or "全部", region or "全部"],
        ["开工率（签约→开工）", k["start_rate_text"], year_k["start_rate_text"]],
        ["投产率（开工→投产）", k["production_rate_text"], year_k["production_rate_text"]],
        ["停滞项目（签约超12个月未开工）", len(k["stalled"]), len(year_k["stalled"])],
        *[[f"{row['stage']}（累计到达）", f"{row['count']} 个 · {row['amount_text']}", ""] for row in k["funnel"]],
        *[[f"中位间隔 {pair}", f"{days:.0f} 天", ""] for pair, days in k["median_days"].items()],
    ], first=True)
    month_rows = []
    for p in items:
        for st in p["stages"]:
            if st["date"] and start.isoformat() <= st["date"] <= end.isoformat():
                month_rows.append([p["name"], st["stage"], st["date"], p["investment_text"] or "—",
                                   p["region"] or "—", "、".join(o["name"] for o in p["organizations"]),
                                   st["sentence"] or "手工录入"])
    _sheet(wb, "本月进展", ["项目", "阶段", "日期", "总投资", "地区", "投资方", "依据"], month_rows)
    _sheet(wb, "项目清单", ["项目", "当前阶段", "总投资", "地区", "园区", "投资方", "阶段记录", "来源"], [
        [p["name"], p["stage"], p["investment_text"] or "—", p["region"] or "—", p["park"] or "—",
         "、".join(o["name"] for o in p["organizations"]),
         "；".join(f"{st['stage']}{'(计划)' if st['planned'] else ''} {st['date'] or '日期不详'}" for st in p["stages"]),
         "；".join(e["document"] or "" for e in p["evidence"]) or "办公室录入"] for p in items])
    _sheet(wb, "停滞项目", ["项目", "签约日期", "已过月数", "总投资"], [
        [s["name"], s["signed"], s["months"], fmt_amount(s["investment"])] for s in year_k["stalled"]])
    _sheet(wb, "分地区", ["地区", "项目数", "总投资", "洽谈", "签约", "开工", "投产"], [
        [r["name"], r["count"], fmt_amount(r["amount"]), r["洽谈"], r["签约"], r["开工"], r["投产"]]
        for r in k["by_region"]])
    _sheet(wb, "分产业链", ["产业链", "项目数", "总投资", "洽谈", "签约", "开工", "投产"], [
        [r["name"], r["count"], fmt_amount(r["amount"]), r["洽谈"], r["签约"], r["开工"], r["投产"]]
        for r in k["by_subchain"]])
    _sheet(wb, "分园区", ["园区", "项目数", "总投资", "洽谈", "签约", "开工", "投产"], [
        [r["name"], r["count"], fmt_amount(r["amount"]), r["洽谈"], r["签约"], r["开工"], r["投产"]]
        for r in k["by_park"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


IMPORT_COLUMNS = {"项目名称": "name", "项目": "name", "阶段": "stage", "当前阶段": "stage", "日期": "date",
                  "阶段日期": "date", "总投资(万元)": "investment_wan", "总投资（万元）": "investment_wan",
                  "总投资(亿元)": "investment_yi", "总投资（亿元）": "investment_yi", "所在地区": "region",
                  "地区": "region", "投资方": "organizations", "备注": "note"}


def import_projects_bytes(store: Store, filename: str, data: bytes) -> dict:
    """The same from an upload: read through a temporary file (openpyxl wants a path or file)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / (Path(filename or "projects.xlsx").name or "projects.xlsx")
        path.write_bytes(data)
        return import_projects_xlsx(store, path)


def import_projects_xlsx(store: Store, path: Path) -> dict:
    """An office's project sheet: each good row is entered (again: the same name updates),
    each bad row is reported with its row number and kept out; good rows are not lost."""
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file that is not a workbook
        raise InvestError(f"not an Excel workbook: {exc}", where=path.name, code="E680") from exc
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, [])]
    fields = [IMPORT_COLUMNS.get(h) for h in header]
    if "name" not in fields:
        raise InvestError("the sheet needs a 项目名称 column", where=f"{path.name}:1", code="E680")
    imported, errors = 0, []
    with store.session() as session:
        for n, row in enumerate(rows, start=2):
            rec = {f: v for f, v in zip(fields, row, strict=False) if f and v not in (None, "")}
            if not rec:
                continue
            try:
                with session.begin_nested():
                    create_project(session, _row_fields(session, rec), stage_date=_as_date(rec.get("date")),
                                   organizations=[o.strip() for o in str(rec.get("organizations", "")).replace(
                                       "，", "、").replace(",", "、").split("、") if o.strip()],
                                   user="import", source="import")
                imported += 1
            except InvestError as exc:
                errors.append(f"{exc.code} [{path.name}:{n}] {exc.message}")
    return {"imported": imported, "errors": errors}


def _row_fields(session: Session, rec: dict) -> dict:
    if not str(rec.get("name") or "").strip():
        raise InvestError("项目名称 is empty (a formula without a saved value reads as empty)", code="E665")
    out: dict = {"name": str(rec["name"]).strip(), "stage": str(rec.get("stage", "洽谈")).strip()}
    try:
        if "investment_wan" in rec:
            out["investment"] = float(rec["investment_wan"]) * 1e4
        elif "investment_yi" in rec:
            out["investment"] = float(rec["investment_yi"]) * 1e8
    except (TypeError, ValueError) as exc:
        raise InvestError(f"总投资 is not a number: {rec.get('investment_wan', rec.get('investment_yi'))!r}",
                          code="E663") from exc
    if rec.get("region"):
        try:
            out["region_adcode"] = resolve_scope(session, str(rec["region"])).adcode
        except Exception as exc:  # RegionNotFound and park scopes alike
            raise InvestError(f"unknown region {rec['region']!r}", code="E664") from exc
    if rec.get("note"):
        out["note"] = str(rec["note"])
    return out


def _as_date(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError as exc:
        raise InvestError(f"date must be YYYY-MM-DD, got {value!r}", code="E682") from exc
