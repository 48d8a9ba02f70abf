"""The chain report as the Excel workbook an office circulates: one sheet per section,
Chinese headers, money as people read it (12.3亿元 / 850万元) beside a numeric 万元 column
for sorting and sums, frozen header rows, sensible widths, and a 说明 sheet."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from chainatlas.spreadsheet import safe_row
from chainatlas.units import fmt_wan_report as fmt_wan

STATUS_ZH = {"strong": "优势", "present": "具备", "weak": "薄弱", "gap": "断链", "not_needed": "无需求"}
STAGE_ZH = {"upstream": "上游", "midstream": "中游", "downstream": "下游"}
KIND_ZH = {"few": "企业过少", "concentrated": "营收集中", "external_supply": "供应全靠外地"}
LEVEL_ZH = {"province": "省级", "prefecture": "地级", "county": "县级", "park": "园区"}
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
STATUS_FILL = {"strong": "C6EFCE", "weak": "FFEB9C", "gap": "FFC7CE"}

Column = tuple[str, int, Callable[[dict], object]]


def _names(items: Iterable[dict], n: int = 5) -> str:
    items = list(items)
    return "、".join(str(i.get("name")) for i in items[:n]) + (f" 等{len(items)}家" if len(items) > n else "")


def _sheet(wb: Workbook, title: str, columns: list[Column], rows: Iterable[dict],
           fill: Callable[[dict], str | None] | None = None) -> None:
    ws = wb.create_sheet(title)
    ws.append([c[0] for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in rows:
        ws.append(safe_row(ws, [c[2](row) for c in columns]))  # names, reasons, evidence sentences
        color = fill(row) if fill else None
        if color:
            for cell in ws[ws.max_row]:
                cell.fill = PatternFill("solid", fgColor=color)
    for i, (_, width, _) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = ws.dimensions


def _evidence_text(ev: dict) -> str:
    parts = []
    if ev.get("organization_count"):
        parts.append("企业：" + _names(ev["organizations"]))
    for r in ev.get("relations", [])[:3]:
        parts.append(f"关系：{r['supplier']}→{r['customer']}" + (f"（{r['evidence']}）" if r.get("evidence") else ""))
    for d in ev.get("documents", [])[:2]:
        parts.append(f"文献：{d.get('title') or ''}「{(d.get('text') or '')[:60]}」")
    return "；".join(parts)


def _subchain_names() -> dict[str, str]:
    """Sub-chain ids (chem, bio …) as an office reads them (化学药, 生物药 …)."""
    from chainatlas.taxonomy.index import TaxonomyIndex

    return {sc.id: sc.name for sc in TaxonomyIndex.load().subchains()}


def write_report_xlsx(report: dict, path: str | Path) -> Path:
    sub = _subchain_names()

    def subchain(r: dict) -> str:
        return sub.get(r["subchain"], r["subchain"])

    wb = Workbook()
    wb.remove(wb.active)
    region, s = report["region"], report["summary"]
    info = wb.create_sheet("说明")
    lines = [("产业链图谱报告", f"{region['name']}（{region['adcode']}，{LEVEL_ZH.get(region['level'], region['level'])}）"),
             ("数据年份", report["year"]), ("参照口径", "全国" if report["denominator"]["kind"] == "national"
                                            else "对标地区：" + "、".join(p["name"] for p in report["denominator"]["peers"])),
             ("本地机构数", s["organizations"]), ("营业收入合计", fmt_wan(s["revenue"])),
             ("覆盖节点", f"{s['nodes_covered']}/{s['nodes_total']}"), ("断链", s["gaps"]), ("卡点", s["choke_points"]),
             ("堵点", s["bottlenecks"]), ("", ""), ("口径说明", "")] + [("", n) for n in report["notes"]]
    for k, v in lines:
        info.append(safe_row(info, [k, v]))
    info.column_dimensions["A"].width, info.column_dimensions["B"].width = 16, 110
    info["A1"].font = Font(bold=True, size=14)
    _sheet(wb, "子链概览", [("子链", 14, subchain), ("节点数", 10, lambda r: r["nodes"]),
                        ("已覆盖", 10, lambda r: r["covered"]), ("断链", 10, lambda r: r["gaps"])], s["subchains"])
    _sheet(wb, "节点覆盖", [
        ("节点", 18, lambda r: r["name"]), ("子链", 10, subchain),
        ("环节", 8, lambda r: STAGE_ZH.get(r["stage"], r["stage"])), ("企业数", 8, lambda r: r["organization_count"]),
        ("营业收入", 12, lambda r: fmt_wan(r["revenue"]) if r["revenue"] else "—"),
        ("营业收入(万元)", 14, lambda r: r["revenue"]), ("区位熵", 8, lambda r: r["location_quotient"]),
        ("参照企业数", 10, lambda r: r["reference_count"]), ("状态", 8, lambda r: STATUS_ZH[r["status"]]),
        ("主要企业", 50, lambda r: _names(r["top_organizations"]))],
        report["nodes"], fill=lambda r: STATUS_FILL.get(r["status"]))
    _sheet(wb, "断链", [
        ("优先序", 8, lambda r: (r.get("priority") or {}).get("rank")),
        ("优先分", 8, lambda r: (r.get("priority") or {}).get("score")),
        ("优先分构成", 40, lambda r: "；".join(f"{p['label']} +{p['points']:g}（{p['detail']}）"
                                            for p in (r.get("priority") or {}).get("parts", []))),
        ("节点", 18, lambda r: r["name"]), ("子链", 10, subchain),
        ("需求方企业数", 12, lambda r: r["needed_by_count"]), ("原因", 50, lambda r: r["why"]),
        ("招商候选（排序）", 70, lambda r: "；".join(
            f"{c['name']}（{c['reason']}）" for c in r["candidates"][:5])),
        ("依据", 70, lambda r: _evidence_text(r["evidence"]))], report["gaps"])
    _sheet(wb, "卡点", [
        ("节点", 18, lambda r: r["name"]), ("类型", 20, lambda r: "、".join(KIND_ZH[k] for k in r["kinds"])),
        ("本地企业数", 10, lambda r: r["organization_count"]),
        ("最大企业占比", 12, lambda r: f"{r['top_share']:.0%}" if r["top_share"] is not None else "—"),
        ("原因", 60, lambda r: r["why"]), ("依据", 70, lambda r: _evidence_text(r["evidence"]))],
        report["choke_points"])
    _sheet(wb, "堵点", [
        ("节点", 18, lambda r: r["name"]), ("提及次数", 10, lambda r: r["voices"]),
        ("信号词", 20, lambda r: "、".join(r["cues"])), ("原因", 60, lambda r: r["why"]),
        ("依据", 80, lambda r: _evidence_text(r["evidence"]))], report["bottlenecks"])
    _sheet(wb, "链主企业", [
        ("排名", 6, lambda r: r["rank"]), ("企业", 30, lambda r: r["name"]),
        ("营业收入", 12, lambda r: fmt_wan(r["revenue"])), ("营业收入(万元)", 14, lambda r: r["revenue"]),
        ("梯队", 24, lambda r: "、".join(r["tiers"])), ("链上联系", 10, lambda r: r["links"]),
        ("得分", 8, lambda r: r["score"]), ("理由", 80, lambda r: r["reason"])], report["leaders"])
    lad = report.get("ladder") or {"tiers": [], "near_next_rung": []}
    _sheet(wb, "企业梯队", [("梯队", 18, lambda r: r["label"]), ("企业数", 10, lambda r: r["count"]),
                        ("企业", 100, lambda r: _names(r["organizations"], 20))], lad["tiers"])
    _sheet(wb, "梯队晋级", [
        ("企业", 30, lambda r: r["name"]), ("下一梯队", 16, lambda r: r["next_rung"]),
        ("营业收入", 12, lambda r: fmt_wan(r["revenue"])), ("营业收入(万元)", 14, lambda r: r["revenue"]),
        ("现有梯队", 24, lambda r: "、".join(r["tiers"])), ("说明", 60, lambda r: r["why"])], lad["near_next_rung"])
    _sheet(wb, "产业走廊", [
        ("类型", 10, lambda r: "已有供需" if r["kind"] == "relation" else "潜在互补"),
        ("来源地区", 14, lambda r: r["from_region"]["name"]), ("来源节点", 18, lambda r: (r["from_node"] or {}).get("name")),
        ("去向地区", 14, lambda r: r["to_region"]["name"]), ("去向节点", 18, lambda r: (r["to_node"] or {}).get("name")),
        ("关系数", 8, lambda r: r["relations"]), ("说明", 60, lambda r: r.get("why") or _evidence_text(r["evidence"]))],
        report["corridors"])
    _sheet(wb, "指标目标", [
        ("指标", 30, lambda r: r["label"]), ("目标年", 8, lambda r: r["target_year"]),
        ("基期年", 8, lambda r: r["baseline_year"]),
        ("基期值", 14, lambda r: r["baseline"] if r["baseline"] is not None else "无基期数据"),
        ("目标值", 14, lambda r: r["target"] if r["target"] is not None else f"{r['target_multiple']:g}倍（无基期数据）"),
        ("单位", 6, lambda r: r["unit"]),
        ("逐年实际(本库)", 50, lambda r: "；".join(f"{p['year']}: {p['actual']:g}" + (
            "" if p["growth"] is None else f"（{p['growth']:.2f}倍，应达{p['expected_growth']:.2f}倍）")
            for p in r["progress"]) if r["has_registry_data"] else "本库无数据"),
        ("数据覆盖", 60, lambda r: r["coverage"]),
        ("来源", 60, lambda r: r["source"]), ("说明", 40, lambda r: r["note"])], report["indicators"])
    out = Path(path)
    wb.save(out)
    return out


def write_compare_xlsx(result: dict, path: str | Path) -> Path:
    sub = _subchain_names()
    wb = Workbook()
    wb.remove(wb.active)
    regions = [r["region"]["name"] for r in result["regions"]]
    cols: list[Column] = [("节点", 18, lambda r: r["name"]), ("子链", 10, lambda r: sub.get(r["subchain"], r["subchain"])),
                          ("环节", 8, lambda r: STAGE_ZH.get(r["stage"], r["stage"]))]
    for i, name in enumerate(regions):
        cols += [(f"{name}企业数", 12, lambda r, i=i: r["regions"][i]["organization_count"]),
                 (f"{name}区位熵", 12, lambda r, i=i: r["regions"][i]["location_quotient"]),
                 (f"{name}状态", 10, lambda r, i=i: STATUS_ZH[r["regions"][i]["status"]])]
    cols.append(("领先地区", 12, lambda r: r["leader"]))
    _sheet(wb, "逐节点对比", cols, result["nodes"])
    _sheet(wb, "地区概览", [("地区", 14, lambda r: r["region"]["name"]), ("机构数", 10, lambda r: r["organizations"]),
                        ("营业收入", 12, lambda r: fmt_wan(r["revenue"])), ("覆盖节点", 10, lambda r: r["nodes_covered"]),
                        ("断链", 8, lambda r: r["gaps"]), ("优势节点", 50, lambda r: "、".join(r["strong"])),
                        ("链主", 40, lambda r: _names(r["leaders"]))], result["regions"])
    out = Path(path)
    wb.save(out)
    return out
