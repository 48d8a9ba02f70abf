"""``chainatlas chain``: the chain map and gap analysis of a region (产业链图谱与断链分析)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.panel import Panel
from rich.table import Table

from chainatlas.analyse.excel import KIND_ZH, STAGE_ZH, STATUS_ZH, write_compare_xlsx, write_report_xlsx
from chainatlas.cli.common import DbOpt, console, fail, get_store
from chainatlas.errors import ChainAtlasError
from chainatlas.regions import split_region_list
from chainatlas.units import fmt_count
from chainatlas.units import fmt_wan_report as fmt_wan

app = typer.Typer(help="产业链图谱：覆盖、断链、卡点、堵点、链主、梯队、走廊、指标 / chain map and gap analysis.",
                  no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")]
XlsxOpt = Annotated[Path | None, typer.Option("--xlsx", help="导出 Excel 工作簿 / write an Excel workbook")]
STATUS_STYLE = {"strong": "bold green", "present": "green", "weak": "yellow", "gap": "bold red", "not_needed": "dim"}


def _dump(obj: object) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


@app.command("report")
def report(
    region: Annotated[str, typer.Option("--region", "-r", help="地区或园区：名称、简称或行政区划代码 / region or park")],
    peers: Annotated[str | None, typer.Option(help="对标地区（逗号分隔），代替全国作区位熵分母 / peer regions")] = None,
    year: Annotated[int | None, typer.Option(help="数据年份（默认最新）/ data year")] = None,
    as_json: JsonOpt = False,
    xlsx: XlsxOpt = None,
    db: DbOpt = None,
) -> None:
    """地区产业链报告 / the chain report of a region or park."""
    from chainatlas.analyse import chain_report

    store = get_store(db)
    try:
        with store.session() as s:
            rep = chain_report(s, region, peers=split_region_list(peers), year=year)
    except ChainAtlasError as exc:
        raise fail(str(exc)) from exc
    if xlsx:
        write_report_xlsx(rep, xlsx)
        if not as_json:
            console.print(f"[green]已导出 / written[/green] {xlsx}")
    if as_json:
        _dump(rep)
    elif not xlsx:
        render_report(rep)


@app.command("compare")
def compare(
    regions: Annotated[list[str], typer.Argument(help="两个或更多地区 / two or more regions")],
    year: Annotated[int | None, typer.Option(help="数据年份 / data year")] = None,
    as_json: JsonOpt = False,
    xlsx: XlsxOpt = None,
    db: DbOpt = None,
) -> None:
    """多地区逐节点对比 / compare regions node by node."""
    from chainatlas.analyse import compare_regions

    store = get_store(db)
    try:
        with store.session() as s:
            res = compare_regions(s, [r for v in regions for r in split_region_list(v)], year=year)
    except ChainAtlasError as exc:
        raise fail(str(exc)) from exc
    if xlsx:
        write_compare_xlsx(res, xlsx)
        console.print(f"[green]已导出 / written[/green] {xlsx}")
    if as_json:
        _dump(res)
        return
    names = [r["region"]["name"] for r in res["regions"]]
    t = Table("节点 node", "环节", *names, "领先", title="逐节点对比 / node by node")
    for row in res["nodes"]:
        if not any(c["organization_count"] for c in row["regions"]):
            continue
        t.add_row(row["name"], STAGE_ZH.get(row["stage"], row["stage"]),
                  *(f"[{STATUS_STYLE[c['status']]}]{c['organization_count']} · {STATUS_ZH[c['status']]}[/]"
                    for c in row["regions"]), row["leader"] or "")
    console.print(t)
    s = Table("地区", "机构", "营业收入", "覆盖节点", "断链", "链主", title="概览 / summary")
    for r in res["regions"]:
        s.add_row(r["region"]["name"], str(r["organizations"]), fmt_wan(r["revenue"]), str(r["nodes_covered"]),
                  str(r["gaps"]), "、".join(x["name"] for x in r["leaders"]))
    console.print(s)


@app.command("corridors")
def corridors(
    regions: Annotated[str, typer.Option("--regions", help="逗号分隔的地区 / comma-separated regions")],
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """跨地区产业走廊 / corridors among regions."""
    from chainatlas.analyse import corridors_for

    store = get_store(db)
    try:
        with store.session() as s:
            res = corridors_for(s, split_region_list(regions))
    except ChainAtlasError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        _dump(res)
        return
    _corridor_table(res["corridors"], "产业走廊 / corridors")


@app.command("targets")
def targets(db: DbOpt = None) -> None:
    """载入指标目标数据（data/targets）/ load indicator targets from the bundled data."""
    from chainatlas.analyse import load_targets

    n = load_targets(get_store(db))
    console.print(f"[green]已载入指标目标 / targets loaded:[/green] {n}")


def _corridor_table(rows: list[dict], title: str) -> None:
    t = Table("类型", "从 from", "节点", "到 to", "节点", "关系", "说明", title=title)
    for c in rows[:25]:
        t.add_row("已有供需" if c["kind"] == "relation" else "潜在互补", c["from_region"]["name"],
                  (c["from_node"] or {}).get("name", ""), c["to_region"]["name"], (c["to_node"] or {}).get("name", ""),
                  str(c["relations"]), c.get("why") or _names(c["evidence"]["organizations"], 3))
    console.print(t)


def _names(items: list[dict], n: int = 3) -> str:
    return "、".join(i["name"] for i in items[:n]) + (" 等" if len(items) > n else "")


def render_report(rep: dict) -> None:
    r, s = rep["region"], rep["summary"]
    status = "  ".join(f"[{STATUS_STYLE[k]}]{STATUS_ZH[k]} {v}[/]" for k, v in s["status"].items())
    console.print(Panel(
        f"[bold]{r['name']}[/bold]（{' › '.join(r['parents'][1:]) or r['level']}）  数据年份 {rep['year']}  "
        f"参照 {'全国' if rep['denominator']['kind'] == 'national' else '对标地区'}\n"
        f"机构 {s['organizations']}（企业 {s['enterprises']}），营业收入 {fmt_wan(s['revenue'])}，"
        f"覆盖节点 {s['nodes_covered']}/{s['nodes_total']}，供需关系 {s['relations']}（本地内部 {s['relations_local']}）\n"
        f"{status}\n断链 {s['gaps']}  卡点 {s['choke_points']}  堵点 {s['bottlenecks']}",
        title="产业链图谱 chain map"))
    t = Table("节点 node", "子链", "环节", "企业", "营业收入", "区位熵 LQ", "状态", "主要企业", title="节点覆盖 coverage")
    for n in rep["nodes"]:
        if n["status"] == "not_needed":
            continue
        t.add_row(n["name"], n["subchain"], STAGE_ZH.get(n["stage"], n["stage"]), str(n["organization_count"]),
                  fmt_wan(n["revenue"]) if n["revenue"] else "", f"{n['location_quotient']:.2f}"
                  if n["location_quotient"] is not None else "", f"[{STATUS_STYLE[n['status']]}]{STATUS_ZH[n['status']]}[/]",
                  _names(n["top_organizations"]))
    console.print(t)
    t = Table("#", "断链 gap", "优先分 priority", "为何需要 why", "招商候选 candidates",
              title=f"断链 gaps（按行动优先级排序，共 {len(rep['gaps'])} 个）")
    for g in rep["gaps"][:15]:
        pr = g.get("priority") or {}
        parts = "；".join(f"{p['label']} +{p['points']:g}" for p in pr.get("parts", []) if p["points"])
        t.add_row(str(pr.get("rank", "")), g["name"], f"{pr.get('score', 0):g}\n{parts}", g["why"],
                  "；".join(f"{c['name']}（{c['reason']}）" for c in g["candidates"][:3]) or "暂无")
    console.print(t)
    t = Table("卡点 choke", "类型", "原因 why", title="卡点 choke points")
    for c in rep["choke_points"][:15]:
        t.add_row(c["name"], "、".join(KIND_ZH[k] for k in c["kinds"]), c["why"])
    console.print(t)
    if rep["bottlenecks"]:
        t = Table("堵点", "原因", "依据", title="堵点 bottlenecks")
        for b in rep["bottlenecks"][:10]:
            doc = (b["evidence"]["documents"] or [{}])[0]
            t.add_row(b["name"], b["why"], f"{doc.get('title') or ''}「{(doc.get('text') or '')[:50]}」")
        console.print(t)
    t = Table("#", "链主 leader", "得分", "理由 reason", title="链主 chain leaders")
    for x in rep["leaders"]:
        t.add_row(str(x["rank"]), x["name"], f"{x['score']:.3f}", x["reason"])
    console.print(t)
    lad = rep["ladder"]
    if lad:
        console.print("企业梯队 ladder: " + "  ".join(f"{t['label']} {t['count']}" for t in lad["tiers"]))
        t = Table("企业", "下一梯队", "说明", title="临近晋级 near the next rung")
        for n in lad["near_next_rung"][:15]:
            t.add_row(n["name"], n["next_rung"], n["why"])
        console.print(t)
    if rep["corridors"]:
        _corridor_table(rep["corridors"], "产业走廊 corridors")
    for ind in rep["indicators"]:
        def value(v: float, unit: str = ind["unit"]) -> str:  # 4000亿元 / 2,000家, never 4e+07
            return fmt_wan(v) if unit == "万元" else fmt_count(v, unit)

        target = (value(ind["target"]) if ind["target"] is not None
                  else f"{ind['target_multiple']:g} 倍 · 无基期数据")
        prog = "；".join(f"{p['year']}: {value(p['actual'])}" + ("" if p["growth"] is None else
                        f"（{p['growth']:.2f}× / 应 {p['expected_growth']:.2f}×）") for p in ind["progress"])
        console.print(f"[bold]{ind['label']}[/bold] 目标 {target}（{ind['target_year']}），"
                      f"基期 {value(ind['baseline']) if ind['baseline'] is not None else '无数据'}"
                      f"（{ind['baseline_year']}）：{prog if ind['has_registry_data'] else '本库无数据'}")
        console.print(f"  [dim]{ind['coverage']}[/dim]")
