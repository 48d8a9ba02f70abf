"""``chainatlas invest``: 精准招商 — targets per gap with reasons and timing signals, and the
office's target list (招商目标清单)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from chainatlas.cli.common import DbOpt, JsonOpt, console, fail, get_store, print_json
from chainatlas.errors import ChainAtlasError

app = typer.Typer(help="精准招商：断链/薄弱/堵点环节的目标企业、理由与时机，招商目标清单 / investment targets and the target list.",
                  no_args_is_help=True)

RegionOpt = Annotated[str, typer.Option("--region", "-r", help="地区或园区 / region or park")]


@app.command("signals")
def signals(db: DbOpt = None) -> None:
    """从已入库新闻读取企业时机信号（融资、扩产、异地建厂…）/ read timing signals from the stored news."""
    from chainatlas.invest.signals import build_signals

    store = get_store(db)
    with store.session() as s:
        console.print(f"时机信号 signals: {build_signals(s)}")


@app.command("nodes")
def nodes(region: RegionOpt, as_json: JsonOpt = False, db: DbOpt = None) -> None:
    """待补环节：断链、堵点、卡点、薄弱（及其节点 id）/ the nodes to attract for, with their ids."""
    from chainatlas.analyse import chain_report
    from chainatlas.invest.targets import nodes_to_work

    store = get_store(db)
    try:
        with store.session() as s:
            rows = nodes_to_work(chain_report(s, region, sections={"gaps", "choke_points", "bottlenecks"}))
    except ChainAtlasError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json(rows)
        return
    for r in rows:
        console.print(f"[bold]{r['kind']}[/bold] {r['name']} ({r['node_id']})  {r['why']}")


@app.command("targets")
def targets(
    region: RegionOpt,
    node: Annotated[str, typer.Option("--node", help="产业链节点 id（断链/薄弱/堵点环节）/ chain node id")],
    limit: Annotated[int, typer.Option("--limit", "-n", help="最多条数 / at most")] = 20,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """某环节的目标企业：逐项得分与证据、时机信号、为何现在 / ranked targets for a node with reasons."""
    from chainatlas.invest.targets import targets_for

    store = get_store(db)
    try:
        with store.session() as s:
            res = targets_for(s, region, node, limit=limit)
    except ChainAtlasError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json(res)
        return
    console.print(f"[bold]{res['region']['name']} · {res['node']['name']}[/bold]  目标企业 targets")
    for i, t in enumerate(res["targets"], start=1):
        console.print(f"{i}. [bold]{t['name']}[/bold]（{t['region'] or '地区不明'}）得分 {t['score']}")
        for f in t["factors"]:
            console.print(f"   +{f['points']} {f['label']}：{'；'.join(f['evidence'][:2])}")
        console.print(f"   为何现在 why now：{t['why_now']}")
    if res["excluded_local"]:
        console.print("已在本地（不列入）excluded: " + "、".join(f"{x['name']}（{x['reason']}）" for x in res["excluded_local"]))


@app.command("shortlist")
def shortlist_cmd(
    region: RegionOpt,
    node: Annotated[str, typer.Option("--node", help="产业链节点 id / chain node id")],
    org: Annotated[int, typer.Option("--org", help="企业 id / organization id")],
    assignee: Annotated[str | None, typer.Option(help="负责人 / assignee")] = None,
    db: DbOpt = None,
) -> None:
    """加入招商目标清单 / put a target on the office's list."""
    from chainatlas.invest.worklist import shortlist

    store = get_store(db)
    try:
        with store.session() as s:
            t = shortlist(s, region, node, org, user="cli", assignee=assignee)
            console.print(f"[green]目标 target {t.id}[/green] {t.status}")
    except ChainAtlasError as exc:
        raise fail(str(exc)) from exc


@app.command("status")
def status_cmd(
    target_id: Annotated[int, typer.Argument(help="目标 id / target id")],
    status: Annotated[str | None, typer.Option(help="未接触 | 已接触 | 洽谈 | 签约 | 放弃")] = None,
    reason: Annotated[str | None, typer.Option(help="放弃原因 / why abandoned")] = None,
    assignee: Annotated[str | None, typer.Option(help="负责人 / assignee")] = None,
    next_contact: Annotated[str | None, typer.Option("--next", help="下次联系 YYYY-MM-DD / next contact")] = None,
    note: Annotated[str | None, typer.Option(help="跟进记录 / note")] = None,
    db: DbOpt = None,
) -> None:
    """更新目标状态、负责人、下次联系与跟进记录 / update a target."""
    from chainatlas.invest.worklist import update_target

    store = get_store(db)
    try:
        with store.session() as s:
            t = update_target(s, target_id, status=status, reason=reason, assignee=assignee, note=note,
                              next_contact=date.fromisoformat(next_contact) if next_contact else None, user="cli")
            console.print(f"[green]目标 target {t.id}[/green] {t.status}")
    except (ChainAtlasError, ValueError) as exc:
        raise fail(str(exc)) from exc


@app.command("list")
def list_cmd(region: Annotated[str | None, typer.Option("--region", "-r", help="地区 / region")] = None,
             xlsx: Annotated[Path | None, typer.Option("--xlsx", help="导出招商目标清单 / write the Excel list")] = None,
             as_json: JsonOpt = False, db: DbOpt = None) -> None:
    """招商目标清单 / the office's target list."""
    from chainatlas.invest.worklist import target_rows, targets_workbook

    store = get_store(db)
    try:
        with store.session() as s:
            rows = target_rows(s, region)
    except ChainAtlasError as exc:
        raise fail(str(exc)) from exc
    if xlsx:
        xlsx.write_bytes(targets_workbook(rows))
        console.print(f"[green]已导出 / written[/green] {xlsx}")
    if as_json:
        print_json(rows)
    elif not xlsx:
        for r in rows:
            console.print(f"{r['id']}. {r['organization']} · {r['node']} · {r['status']} · {r['assignee'] or '未分配'}")
