"""``export_orgs``: the registry as the .xlsx an office circulates — and reads back with ``import_orgs``.

Headers are the importer's canonical Chinese headers, figures go in per-year columns
(``2023年营业收入(万元)`` with a ``(亿元)`` twin for reading at a glance; the importer
prefers the 万元 column), regions are written as full paths and chain nodes by name.
The sheet is streamed (openpyxl write-only), so a national registry does not need the
whole workbook in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from chainatlas.errors import ChainAtlasError
from chainatlas.regions import RegionIndex
from chainatlas.spreadsheet import safe_row
from chainatlas.store import Store
from chainatlas.store.models import ChainNode, Organization, OrganizationNode, Park, Tier, YearlyFigure
from chainatlas.store.models.organization import TIER_LABELS

from .columns import CANONICAL, UNDATED
from .nodes import NodeResolver
from .places import PlaceResolver
from .tiers import LABEL_WORDS
from .values import KIND_LABELS

FIGURE_HEADERS = (  # (kind, header base, unit, scale from stored value)
    ("revenue", "营业收入", "万元", 1.0),
    ("revenue", "营业收入", "亿元", 1 / 10_000),
    ("output", "产值", "万元", 1.0),
    ("tax", "税收", "万元", 1.0),
    ("rnd", "研发投入", "万元", 1.0),
    ("employees", "员工人数", "人", 1.0),
)
_WIDTHS = {"企业名称": 36, "统一社会信用代码": 22, "别名": 18, "所属地区": 24, "所属园区": 26, "产业链环节": 30,
           "资质": 30, "来源": 40}


class ExportError(ChainAtlasError):
    code = "E360"


@dataclass(frozen=True)
class ExportFilters:
    region: str | None = None  # name or adcode; the region and everything under it
    node: str | None = None  # node id or name; the node and its descendants
    tier: str | None = None  # a tier label or its common word (小巨人)
    include_candidates: bool = False
    synthetic: bool | None = None  # None: both; False: real rows only


def tier_label(word: str) -> str:
    if word in TIER_LABELS:
        return word
    for w, label in LABEL_WORDS:
        if w == word or w in word:
            return label
    raise ExportError(f"unknown tier {word!r}; use one of {', '.join(TIER_LABELS)}", code="E361")


def _node_ids(session: Session, resolver: NodeResolver, term: str) -> set[str]:
    ids = resolver.resolve(term)
    if not ids:
        raise ExportError(f"no chain node matches {term!r}", code="E362")
    parents = dict(session.execute(select(ChainNode.id, ChainNode.parent_id)).all())
    out = set(ids)
    grew = True
    while grew:  # descendants: a node's organizations include those on its sub-nodes
        grew = False
        for child, parent in parents.items():
            if parent in out and child not in out:
                out.add(child)
                grew = True
    return out


def build_query(session: Session, filters: ExportFilters, index: RegionIndex,
                resolver: NodeResolver) -> Select[tuple[Organization]]:
    stmt = select(Organization)
    if not filters.include_candidates:
        stmt = stmt.where(Organization.is_candidate.is_(False))
    if filters.synthetic is not None:
        stmt = stmt.where(Organization.synthetic.is_(filters.synthetic))
    if filters.region:
        try:
            place = PlaceResolver(index).resolve(filters.region)
        except ChainAtlasError as exc:
            raise ExportError(f"--region: {exc.message}", code="E363") from exc
        stmt = stmt.where(Organization.region_adcode.in_(index.descendants(place.adcode)))
        if place.park_id is not None:
            stmt = stmt.where(Organization.park_id == place.park_id)
    if filters.node:
        ids = _node_ids(session, resolver, filters.node)
        stmt = stmt.where(Organization.id.in_(select(OrganizationNode.organization_id)
                                              .where(OrganizationNode.node_id.in_(ids))))
    if filters.tier:
        stmt = stmt.where(Organization.id.in_(select(Tier.organization_id)
                                              .where(Tier.label == tier_label(filters.tier))))
    return stmt.order_by(Organization.region_adcode, Organization.name_key, Organization.id)


def export_orgs(store: Store, path: str | Path, filters: ExportFilters | None = None, *,
                progress: Callable[[int, int | None], None] | None = None) -> int:
    """Write the matching organizations to ``path`` (.xlsx); returns how many rows were written."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ExportError(f"{path.name}: export writes .xlsx files", code="E364")
    filters = filters or ExportFilters()
    with store.session() as session:
        index = RegionIndex(session)
        places = PlaceResolver(index)
        resolver = NodeResolver(session, use_index=False)
        stmt = build_query(session, filters, index, resolver)
        ids_sub = stmt.with_only_columns(Organization.id).order_by(None).subquery()
        total = session.scalar(select(func.count()).select_from(ids_sub))
        years: list[int | None] = sorted(
            (y for y in session.scalars(select(YearlyFigure.year).distinct()
                                        .where(YearlyFigure.organization_id.in_(select(ids_sub.c.id))))
             if y is not None), reverse=True)
        if session.scalar(select(YearlyFigure.id).where(YearlyFigure.organization_id.in_(select(ids_sub.c.id)),
                                                        YearlyFigure.year.is_(None)).limit(1)) is not None:
            years.append(None)  # 年度未知 figures go in their own columns, read back as undated
        kinds = set(session.scalars(select(YearlyFigure.kind).distinct()
                                    .where(YearlyFigure.organization_id.in_(select(ids_sub.c.id)))))
        any_synthetic = bool(session.scalar(select(Organization.id).where(
            Organization.id.in_(select(ids_sub.c.id)), Organization.synthetic.is_(True)).limit(1)))
        parks = dict(session.execute(select(Park.id, Park.name)).all())

        fig_cols = [(y, kind, f"{y}年{base}({unit})" if y is not None else f"{UNDATED}{base}({unit})", scale)
                    for y in years
                    for kind, base, unit, scale in FIGURE_HEADERS if kind in kinds]
        headers = [CANONICAL["name"], CANONICAL["uscc"], "简称", "曾用名", "机构类型", CANONICAL["region"],
                   CANONICAL["park"], CANONICAL["industry_code"], CANONICAL["founded"], CANONICAL["listing_code"],
                   CANONICAL["nodes"], CANONICAL["tiers"], *[c[2] for c in fig_cols]]
        if any_synthetic:
            headers.append(CANONICAL["synthetic"])
        headers.append(CANONICAL["source"])

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("企业名录")
        ws.freeze_panes = "B2"  # header row and the name column stay in view
        for i, h in enumerate(headers, start=1):
            base = h.split("年", 1)[-1] if h[:4].isdigit() else h.removeprefix(UNDATED)
            ws.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(base, 16 if h[:4].isdigit() else 14)
        bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
        head_cells = []
        for h in headers:
            c = WriteOnlyCell(ws, value=h)
            c.font, c.fill = bold, fill
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            head_cells.append(c)
        ws.append(head_cells)

        region_names: dict[str, str] = {}
        count = 0
        rows = session.scalars(stmt.options(selectinload(Organization.aliases), selectinload(Organization.tiers),
                                            selectinload(Organization.figures), selectinload(Organization.nodes))
                               .execution_options(yield_per=500))
        for org in rows:
            count += 1
            if org.region_adcode and org.region_adcode not in region_names:
                region_names[org.region_adcode] = places.full_name(org.region_adcode)
            figures = {(f.year, f.kind): f.value for f in org.figures}
            tiers = sorted(org.tiers, key=lambda t: (TIER_LABELS.index(t.label) if t.label in TIER_LABELS else 99,
                                                    t.year_granted or 0))
            row: list[object] = [
                org.name, org.uscc,
                "、".join(a.alias for a in org.aliases if a.kind != "former"),
                "、".join(a.alias for a in org.aliases if a.kind == "former"),
                KIND_LABELS.get(org.kind, org.kind),
                region_names.get(org.region_adcode or ""),
                parks.get(org.park_id) if org.park_id else None,
                org.industry_code, org.founded, org.listing_code,
                "、".join(_node_label(resolver, n.node_id) for n in org.nodes),
                "；".join(f"{t.label}({t.year_granted})" if t.year_granted else t.label for t in tiers),
            ]
            for year, kind, _, scale in fig_cols:
                value = figures.get((year, kind))
                row.append(None if value is None else value * scale)
            if any_synthetic:
                row.append("是" if org.synthetic else None)
            row.append(org.source)
            ws.append(safe_row(ws, _styled(ws, row, headers)))
            if progress is not None:
                progress(count, total)
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"

        about = wb.create_sheet("说明")
        about.append(["ChainAtlas 企业名录导出 / registry export"])
        about.append(["导出时间", datetime.now().strftime("%Y-%m-%d %H:%M")])
        for label, value in (("筛选 地区", filters.region), ("筛选 产业链环节", filters.node), ("筛选 资质", filters.tier)):
            about.append(safe_row(about, [label, value or "全部"]))
        about.append(["企业数", count])
        about.append(["金额单位", "万元 (另附亿元列); 员工人数: 人"])
        about.append(["再导入", "chainatlas import orgs 本文件 — 表头与导入识别的表头一致"])
        path.parent.mkdir(parents=True, exist_ok=True)
        wb.save(path)
    return count


def _node_label(resolver: NodeResolver, node_id: str) -> str:
    # A name that resolves back to the same node keeps the file readable; otherwise the id round-trips.
    name = resolver.name(node_id)
    return name if resolver.resolve(name) == [node_id] else node_id


def _styled(ws, row: list[object], headers: list[str]) -> list[object]:  # type: ignore[no-untyped-def]
    out: list[object] = []
    for value, header in zip(row, headers, strict=True):
        if value is None or not isinstance(value, int | float) and not hasattr(value, "year"):
            out.append(value)
            continue
        cell = WriteOnlyCell(ws, value=value)
        if header.endswith("(万元)"):
            cell.number_format = "#,##0.00"
        elif header.endswith("(亿元)"):
            cell.number_format = "#,##0.00"  # shown rounded; the cell keeps the exact value
        elif header.endswith("(人)"):
            cell.number_format = "#,##0"
        elif hasattr(value, "year"):
            cell.number_format = "yyyy-mm-dd"
        out.append(cell)
    return out
