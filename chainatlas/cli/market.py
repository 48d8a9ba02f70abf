"""``chainatlas market``: the supply–demand marketplace (科创供应链)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from chainatlas.cli.common import DbOpt, console, err_console, get_store
from chainatlas.errors import MarketError
from chainatlas.market.bulk import export_posts, import_posts
from chainatlas.market.explain import result
from chainatlas.market.kpi import kpis
from chainatlas.market.matching import OfferIndex, match
from chainatlas.market.posts import NEED_FIELDS, OFFER_FIELDS, read_jsonl
from chainatlas.market.service import expire, review
from chainatlas.market.vocab import vocabulary
from chainatlas.store.models import MarketNeed, MarketOffer

app = typer.Typer(help="科创供应链：供需对接 / supply–demand marketplace.", no_args_is_help=True)


@app.command("match")
def match_cmd(
    needs: Path = typer.Argument(..., exists=True, dir_okay=False, help="需求 JSON Lines / needs, one per line"),
    offers: Path = typer.Option(..., "--offers", exists=True, dir_okay=False,
                                help="供给 JSON Lines / offers, one per line"),
    as_json: bool = typer.Option(False, "--json", help="每个需求一行 JSON / one JSON line per need"),
) -> None:
    """为每个需求排序供给并解释原因 / rank offers for each need, with explanations (no store needed)."""
    try:
        loaded_offers = read_jsonl(offers, OFFER_FIELDS)
        loaded_needs = read_jsonl(needs, NEED_FIELDS)
    except MarketError as exc:
        err_console.print(str(exc), style="red", markup=False)
        raise typer.Exit(2) from exc
    for exc in loaded_offers.errors + loaded_needs.errors:
        err_console.print(str(exc), style="yellow", markup=False, soft_wrap=True)
    vocab = vocabulary()
    index = OfferIndex(loaded_offers.rows, vocab)
    for row in loaded_needs.rows:
        out = result(vocab, match(index, row))
        if as_json:
            typer.echo(json.dumps(out, ensure_ascii=False))
            continue
        title = f"{out['need']} {row.get('title', '')}"
        if not out["ranking"]:
            console.print(f"[bold]{title}[/bold] — [red]无匹配 / no match[/red]: {out['message']}")
            rows = out["nearest"]
        else:
            console.print(f"[bold]{title}[/bold]")
            rows = out["explanations"]
        table = Table("供给 offer", "结论 verdict", "覆盖 covers", "满足 met", "不符 fails")
        for e in rows:
            table.add_row(e["offer"], e["label"], "、".join(e["covers"]), "；".join(e["met"][:4]),
                          "；".join(e["fails"]))
        console.print(table)
        for c in out["combination"]:
            console.print(f"  组合 combination: {c['part']} → {c['offer']}")


PostKind = typer.Argument(..., help="offers 或 needs / offers or needs")


def _kind(kind: str) -> str:
    if kind not in ("offers", "needs"):
        raise typer.BadParameter("offers 或 needs / use offers or needs")
    return kind


@app.command("import")
def import_cmd(
    kind: str = PostKind,
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help=".jsonl 或 .xlsx（中文表头）/ file"),
    pending: bool = typer.Option(False, "--pending", help="先进入运营审核队列 / put into the review queue"),
    db: DbOpt = None,
) -> None:
    """导入供给或需求（幂等）/ import offers or needs, idempotent; bad rows named with line and field."""
    store = get_store(db)
    stored, errors = import_posts(store, path, _kind(kind), status="pending_review" if pending else "open")
    for exc in errors:
        err_console.print(str(exc), style="yellow", markup=False, soft_wrap=True)
    console.print(f"导入 imported {stored} {kind}; 错误 errors {len(errors)}")


@app.command("export")
def export_cmd(kind: str = PostKind,
               path: Path = typer.Argument(..., help=".jsonl 或 .xlsx / output file"), db: DbOpt = None) -> None:
    """导出供给或需求 / export offers or needs as JSON Lines or Excel with Chinese headers."""
    n = export_posts(get_store(db), path, _kind(kind))
    console.print(f"导出 exported {n} {kind} → {path}")


@app.command("review")
def review_cmd(
    kind: str = PostKind,
    post_id: int = typer.Argument(..., help="帖子编号 / post id (store id)"),
    reject: bool = typer.Option(False, "--reject", help="驳回 / reject instead of approve"),
    note: str = typer.Option("", help="审核意见 / note"),
    db: DbOpt = None,
) -> None:
    """运营审核：通过后公开并生成匹配 / operator review: approve (publish, propose matches) or reject."""
    store = get_store(db)
    model = MarketOffer if _kind(kind) == "offers" else MarketNeed
    with store.session() as s:
        post = s.get(model, post_id)
        if post is None:
            raise typer.BadParameter(f"no {kind} with id {post_id}")
        try:
            review(s, post, approve=not reject, actor="cli", note=note)
        except MarketError as exc:
            err_console.print(str(exc), style="red", markup=False)
            raise typer.Exit(2) from exc
        console.print(f"{post.title}: {post.status}")


@app.command("expire")
def expire_cmd(db: DbOpt = None) -> None:
    """关闭到期帖子并提醒即将到期者 / expire posts past deadline or validity; remind owners of those close."""
    with get_store(db).session() as s:
        counts = expire(s, actor="cli")
    console.print(f"到期 expired {counts['expired']}; 提醒 reminded {counts['reminded']}")


@app.command("kpi")
def kpi_cmd(as_json: bool = typer.Option(False, "--json", help="JSON 输出 / JSON output"), db: DbOpt = None) -> None:
    """运营指标：需求、匹配、对接率、首次响应、成交 / operator KPIs."""
    with get_store(db).session() as s:
        figures = kpis(s)
    if as_json:
        typer.echo(json.dumps(figures, ensure_ascii=False))
        return
    table = Table("分组 group", "需求 needs", "已匹配 matched", "对接率 rate", "首次响应中位(小时) median h",
                  "成交 deals", "金额(万元) amount")
    for group, rows in [("合计", {"": figures["total"]}), *[(k, v) for k, v in figures.items() if k != "total"]]:
        for key, f in rows.items():
            rate = f"{f['docking_rate']:.0%}" if f["docking_rate"] is not None else "—"
            table.add_row(f"{group} {key}".strip(), str(f["needs"]), str(f["matched"]), rate,
                          str(f["median_first_response_hours"] or "—"), str(f["completed"]), str(f["amount_wan"]))
    console.print(table)
