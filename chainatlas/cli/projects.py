"""``chainatlas projects``: the 招商 project pipeline 洽谈 → 签约 → 开工 → 投产 (项目库)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from chainatlas.cli.common import DbOpt, JsonOpt, console, fail, get_store, print_json
from chainatlas.errors import ChainAtlasError
from chainatlas.units import fmt_amount

app = typer.Typer(help="项目库：洽谈→签约→开工→投产，来自新闻与办公室台账 / the project pipeline from news and office lists.",
                  no_args_is_help=True)

RegionOpt = Annotated[str | None, typer.Option("--region", "-r", help="地区或园区 / region or park")]


@app.command("build")
def build(db: DbOpt = None) -> None:
    """从已入库新闻识别并合并项目（可重复运行）/ read projects from the stored news (idempotent)."""
    from sqlalchemy import func, select

    from chainatlas.invest.build import build_projects
    from chainatlas.store.models import Document

    store = get_store(db)
    with store.session() as s, Progress(console=console, transient=True) as bar:
        total = s.scalar(select(func.count(Document.id))) or 0
        task = bar.add_task("项目 projects", total=total)
        report = build_projects(s, progress=lambda n: bar.advance(task, n))
    console.print(f"项目库 projects: {report}")


@app.command("list")
def list_cmd(
    region: RegionOpt = None,
    stage: Annotated[str | None, typer.Option("--stage", "-s", help="洽谈 | 签约 | 开工 | 投产")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="最多条数 / at most")] = 100,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """项目列表 / list projects with their stage, amount, region, organizations, stages and evidence."""
    from chainatlas.invest.projects import list_projects

    store = get_store(db)
    try:
        with store.session() as s:
            items, total = list_projects(s, region=region, stage=stage, limit=limit)
    except ChainAtlasError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json({"items": items, "total": total})
        return
    table = Table(title=f"项目 projects ({len(items)} / {total})")
    for col in ("id", "项目 name", "阶段 stage", "投资 investment", "地区 region", "企业 organizations", "最近 latest"):
        table.add_column(col)
    for p in items:
        last = next((st for st in reversed(p["stages"]) if st["date"]), None)
        table.add_row(str(p["id"]), p["name"], p["stage"], p["investment_text"] or "—", p["region"] or "—",
                      "、".join(o["name"] for o in p["organizations"][:3]) or "—",
                      f"{last['stage']} {last['date']}" if last else "—")
    console.print(table)


@app.command("show")
def show(project_id: int, as_json: JsonOpt = False, db: DbOpt = None) -> None:
    """一个项目的阶段时间线与证据 / one project's stage timeline with its evidence."""
    from chainatlas.invest.projects import get_project

    store = get_store(db)
    with store.session() as s:
        p = get_project(s, project_id)
    if p is None:
        raise fail(f"E660: project {project_id} does not exist — see `chainatlas projects list`")
    if as_json:
        print_json(p)
        return
    console.print(f"[bold]{p['name']}[/bold]  {p['stage']}  {p['investment_text'] or '—'}  {p['region'] or '—'}")
    for st in p["stages"]:
        flag = "（计划 planned）" if st["planned"] else ""
        console.print(f"  {st['date'] or '日期不详'}  {st['stage']}{flag}  {st['sentence'] or st['source']}")


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="项目名称 / project name")],
    stage: Annotated[str, typer.Option(help="洽谈 | 签约 | 开工 | 投产")] = "洽谈",
    stage_date: Annotated[str | None, typer.Option("--date", help="该阶段日期 YYYY-MM-DD / date of the stage")] = None,
    investment_yi: Annotated[float | None, typer.Option("--investment-yi", help="总投资（亿元）/ total, 亿元")] = None,
    region: RegionOpt = None,
    org: Annotated[list[str] | None, typer.Option("--org", help="投资方（可多次）/ investor (repeatable)")] = None,
    db: DbOpt = None,
) -> None:
    """手工录入项目 / enter a project by hand."""
    from chainatlas.analyse.scope import resolve_scope
    from chainatlas.invest.projects import create_project

    store = get_store(db)
    try:
        when = date.fromisoformat(stage_date) if stage_date else None
        with store.session() as s:
            adcode = resolve_scope(s, region).adcode if region else None
            p = create_project(s, {"name": name, "stage": stage, "region_adcode": adcode,
                                   "investment": investment_yi * 1e8 if investment_yi is not None else None},
                               stage_date=when, organizations=org, user="cli")
            console.print(f"[green]项目 project {p.id}[/green] {p.name} {p.stage} {fmt_amount(p.investment)}")
    except (ChainAtlasError, ValueError) as exc:
        raise fail(str(exc)) from exc


@app.command("import")
def import_cmd(file: Annotated[Path, typer.Argument(help="Excel 项目台账 / project sheet (.xlsx)")],
               db: DbOpt = None) -> None:
    """导入办公室项目台账（项目名称、阶段、日期、总投资(万元)、所在地区、投资方）/ import an office's project sheet."""
    from chainatlas.invest.excel import import_projects_xlsx

    store = get_store(db)
    try:
        report = import_projects_xlsx(store, file)
    except ChainAtlasError as exc:
        raise fail(str(exc)) from exc
    console.print(f"导入 imported: {report['imported']} · 错误 errors: {len(report['errors'])}")
    for err in report["errors"]:
        console.print(f"[red]{err}[/red]")


@app.command("kpi")
def kpi(region: RegionOpt = None,
        since: Annotated[str | None, typer.Option(help="起始日期 YYYY-MM-DD / period start")] = None,
        until: Annotated[str | None, typer.Option(help="截止日期 YYYY-MM-DD / period end")] = None,
        as_json: JsonOpt = False, db: DbOpt = None) -> None:
    """项目KPI：各阶段数量与金额、开工率、投产率、阶段间隔、停滞项目 / pipeline KPIs."""
    from chainatlas.invest.pipeline import pipeline_kpis

    store = get_store(db)
    try:
        with store.session() as s:
            k = pipeline_kpis(s, region=region, since=date.fromisoformat(since) if since else None,
                              until=date.fromisoformat(until) if until else None)
    except (ChainAtlasError, ValueError) as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json(k)
        return
    for row in k["funnel"]:
        console.print(f"{row['stage']}: {row['count']} 个 · {fmt_amount(row['amount'])}")
    console.print(f"开工率 {k['start_rate_text']} · 投产率 {k['production_rate_text']}")
    for p in k["stalled"]:
        console.print(f"[yellow]停滞 stalled[/yellow] {p['name']}（签约 {p['signed']}，{p['months']} 个月未开工）")


@app.command("report")
def report(xlsx: Annotated[Path, typer.Option("--xlsx", help="Excel 文件 / workbook to write")],
           region: RegionOpt = None,
           month: Annotated[str | None, typer.Option(help="月份 YYYY-MM（默认上月）/ month")] = None,
           db: DbOpt = None) -> None:
    """月度招商报告（Excel）/ the monthly 招商 report as an Excel workbook."""
    from chainatlas.invest.excel import monthly_report_xlsx

    store = get_store(db)
    try:
        with store.session() as s:
            data = monthly_report_xlsx(s, region=region, month=month)
    except (ChainAtlasError, ValueError) as exc:
        raise fail(str(exc)) from exc
    xlsx.write_bytes(data)
    console.print(f"[green]已导出 / written[/green] {xlsx}")
