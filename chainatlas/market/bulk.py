"""Bulk import and export of offers and needs: JSON Lines, and Excel with Chinese headers.

Imports are idempotent (a post is keyed by its id; importing the same file twice changes nothing) and
commit row by row, so a killed import keeps what it stored; a bad row is named with its line and field
and the rest are kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from chainatlas.errors import MarketError
from chainatlas.market.service import save_need, save_offer
from chainatlas.store import Store
from chainatlas.store.models import MarketNeed, MarketOffer

OFFER_COLUMNS = [("id", "编号"), ("provider", "供给方"), ("provider_kind", "供给方类型"), ("region", "所在地区"),
                 ("title", "标题"), ("description", "能力描述"), ("categories", "类别"), ("price_hint", "价格说明"),
                 ("valid_until", "有效期至"), ("status", "状态"), ("contact", "联系方式")]
NEED_COLUMNS = [("id", "编号"), ("requester", "需求方"), ("region", "所在地区"), ("title", "标题"),
                ("description", "需求描述"), ("budget_hint", "预算"), ("deadline", "截止日期"),
                ("posted", "发布日期"), ("status", "状态"), ("contact", "联系方式")]
FORMULA_START = ("=", "+", "-", "@")


def _rows(path: Path, columns: list[tuple[str, str]]) -> Iterator[tuple[str, dict | MarketError]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        ws = load_workbook(path, read_only=True).active
        it = ws.iter_rows(values_only=True)
        header = [str(h or "").strip() for h in next(it, [])]
        by_header = {zh: en for en, zh in columns} | {en: en for en, _ in columns}
        keys = [by_header.get(h) for h in header]
        for number, values in enumerate(it, 2):
            row = {k: v for k, v in zip(keys, values, strict=False) if k and v is not None}
            if isinstance(row.get("categories"), str):
                row["categories"] = [c for c in row["categories"].replace("、", ",").split(",") if c.strip()]
            for k in ("valid_until", "deadline", "posted"):
                if hasattr(row.get(k), "isoformat"):
                    row[k] = row[k].isoformat()[:10]
            if row:
                yield f"{path.name}:{number}", row
        return
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield where, MarketError(f"不是合法的 JSON / invalid JSON: {exc.msg}", where=where, code="E902")
            continue
        yield where, row if isinstance(row, dict) else MarketError("每行应为对象 / object expected", where=where,
                                                                   code="E902")


def import_posts(store: Store, path: Path, kind: str, *, status: str = "open", fictional: bool = False,
                 actor: str = "import") -> tuple[int, list[MarketError]]:
    """Import offers or needs; returns (rows stored, errors)."""
    columns = OFFER_COLUMNS if kind == "offers" else NEED_COLUMNS
    saver = save_offer if kind == "offers" else save_need
    stored, errors = 0, []
    for where, row in _rows(path, columns):
        if isinstance(row, MarketError):
            errors.append(row)
            continue
        try:
            with store.session() as s:
                saver(s, row, actor=actor, status=status, fictional=fictional, where=where)
            stored += 1
        except MarketError as exc:
            errors.append(exc)
    return stored, errors


def _cell(value: object) -> object:
    if isinstance(value, list):
        value = "、".join(str(v) for v in value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value  # untrusted text must never run as a formula
    return value


def export_posts(store: Store, path: Path, kind: str) -> int:
    columns = OFFER_COLUMNS if kind == "offers" else NEED_COLUMNS
    model = MarketOffer if kind == "offers" else MarketNeed
    with store.session() as s:
        rows = []
        for p in s.scalars(select(model).order_by(model.id)):
            row = {en: getattr(p, en if en != "id" else "external_id") for en, _ in columns}
            row = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
            row["fictional"] = p.fictional
            rows.append(row)
    if path.suffix.lower() == ".xlsx":
        wb = Workbook()
        ws = wb.active
        ws.title = "供给" if kind == "offers" else "需求"
        ws.append([zh for _, zh in columns] + ["虚构示例"])
        for row in rows:
            ws.append([_cell(row[en]) for en, _ in columns] + ["是" if row["fictional"] else ""])
        wb.save(path)
    else:
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return len(rows)
