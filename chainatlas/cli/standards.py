"""``chainatlas standards …``: import catalogues, search, 查新, reindex, watch."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from chainatlas.cli.common import DbOpt, console, err_console, fail, get_store
from chainatlas.errors import ChainAtlasError
from chainatlas.store.models.standards import STANDARD_STATUSES

app = typer.Typer(help="标准云享站：标准目录导入、检索、查新 / standards catalogue: import, search, currency check.",
                  no_args_is_help=True)

STATUS_STYLE = {"现行": "green", "即将实施": "yellow", "废止": "red", "未收录": "magenta", "无法识别": "magenta"}


@app.command("import")
def import_cmd(
    files: list[Path] = typer.Argument(..., help="目录文件或文件夹（standards.json、iso_gb_mapping.json、.xlsx、.csv）/ "
                                                 "catalogue files or folders"),
    db: DbOpt = None,
    source: str | None = typer.Option(None, help="目录来源名 / catalogue source name (default: from the files)"),
    full: bool | None = typer.Option(None, "--full/--partial",
                                     help="完整目录：未列出的同来源标准记为废止 / a full listing: unlisted standards of the "
                                          "same source are withdrawn (default: full for the NMPA JSON)"),
    as_of: str | None = typer.Option(None, "--date", help="目录日期 YYYY-MM-DD / catalogue date"),
    show_issues: int = typer.Option(20, help="显示前 N 个问题 / print the first N issues"),
) -> None:
    """导入标准目录（幂等，记录变化）/ import a standards catalogue (idempotent; records dated changes)."""
    from chainatlas.standards.catalogue import read_catalogue
    from chainatlas.standards.importer import import_catalogue

    store = get_store(db)
    try:
        when = date.fromisoformat(as_of) if as_of else None
    except ValueError as exc:
        raise fail(f"E953: --date {as_of!r} is not YYYY-MM-DD") from exc
    try:
        with console.status("读取目录 / reading the catalogue…"):
            cat = read_catalogue(files, source=source, full=full, catalogue_date=when)
        with console.status(f"写入 {len(cat.records)} 条并更新索引 / storing and indexing…"):
            report = import_catalogue(store, cat)
    except ChainAtlasError as exc:
        raise fail(str(exc)) from exc
    console.print(f"[bold]{report.source}[/bold]: {report}")
    for issue in report.issues[:show_issues]:
        err_console.print(escape(str(issue)), style="yellow")
    if len(report.issues) > show_issues:
        err_console.print(f"… {len(report.issues) - show_issues} more")


@app.command("search")
def search_cmd(
    query: str = typer.Argument(..., help="标准号（任意写法）、ISO/IEC 号或名称关键词 / number, ISO number or title words"),
    db: DbOpt = None,
    status: str | None = typer.Option(None, help="状态 / status: 现行 | 即将实施 | 废止"),
    kind: str | None = typer.Option(None, "--type", help="类型 / type: GB, GB/T, YY/T, WS/T, T, 中国药典 …"),
    area: str | None = typer.Option(None, help="技术领域 / technical area"),
    year: int | None = typer.Option(None, help="年代号 / year"),
    sort: str = typer.Option("relevance", help="排序 / sort: relevance | date"),
    limit: int = typer.Option(20, help="条数 / number of results"),
    offset: int = typer.Option(0, help="跳过 / skip"),
    as_json: bool = typer.Option(False, "--json", help='输出 JSON {"total", "items"} / print JSON'),
) -> None:
    """检索标准 / search standards."""
    from chainatlas.standards.search import SORTS, Filters, search

    if status and status not in STANDARD_STATUSES:
        raise fail(f"E961: unknown status {status!r} (现行 / 即将实施 / 废止)")
    if sort not in SORTS:
        raise fail(f"E962: unknown sort {sort!r} (relevance / date)")
    store = get_store(db, reference=False)
    try:
        result = search(store, query, filters=Filters(status, kind, area, year), sort=sort, limit=limit, offset=offset)
    except ChainAtlasError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(result.contract(), ensure_ascii=False))
        return
    table = Table(title=f"{query} — {result.total} 条 / results")
    for col in ("标准号", "名称", "状态", "实施日期", "被代替"):
        table.add_column(col)
    for it in result.items:
        style = STATUS_STYLE.get(it["status"], "")
        table.add_row(it["number"], it["title"], f"[{style}]{it['status']}[/{style}]", it["effective_on"] or "",
                      ", ".join(it["replaced_by"]))
    console.print(table)
    for name, values in result.facets.items():
        if values:
            console.print(f"{name}: " + "  ".join(f"{v['value']}({v['count']})" for v in values[:10]))


@app.command("check")
def check_cmd(
    numbers: list[str] = typer.Argument(None, help="标准号 / numbers (or --file)"),
    file: Path | None = typer.Option(None, "--file", help="每行一个标准号的文本文件 / a text file, one number a line"),
    db: DbOpt = None,
    excel: Path | None = typer.Option(None, "--excel", help="另存为 Excel / also write an .xlsx sheet"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON / print JSON"),
) -> None:
    """标准查新：逐条给出状态和代替标准 / batch currency check: status and replacement of each number."""
    from chainatlas.standards.excel import check_workbook
    from chainatlas.standards.numbers import split_list
    from chainatlas.standards.search import check

    given = list(numbers or [])
    if file is not None:
        try:
            given += split_list(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise fail(f"E963: cannot read {file}: {exc}") from exc
    if not given:
        raise fail("E963: no numbers given (arguments or --file)")
    store = get_store(db, reference=False)
    rows = check(store, given)
    if excel is not None:
        excel.write_bytes(check_workbook(rows))
    if as_json:
        typer.echo(json.dumps({"total": len(rows), "items": [r.as_dict() for r in rows]}, ensure_ascii=False))
        return
    table = Table(title="标准查新 / currency check")
    for col in ("输入", "标准号", "状态", "名称", "代替标准 / replaced by", "现行版本 / current"):
        table.add_column(col)
    for r in rows:
        style = STATUS_STYLE.get(r.status, "")
        table.add_row(r.given, r.number or "", f"[{style}]{r.status}[/{style}]", r.title or r.note or "",
                      " → ".join(r.replaced_by), r.current or "")
    console.print(table)
    if excel is not None:
        console.print(f"Excel: {excel}")


@app.command("reindex")
def reindex_cmd(db: DbOpt = None) -> None:
    """重建检索索引 / rebuild the search index from the store."""
    from rich.progress import Progress
    from sqlalchemy import func, select

    from chainatlas.standards import index
    from chainatlas.store.models import Standard

    store = get_store(db, reference=False)
    with store.session() as s:
        n = s.scalar(select(func.count()).select_from(Standard)) or 0
    with Progress(console=console) as bar:
        task = bar.add_task("重建索引 / rebuilding", total=n)
        state = index.rebuild(store, progress=lambda done: bar.update(task, completed=done))
    console.print(f"索引 index: {index.index_dir(store)} — {state.count} 条, 版本 revision {state.revision}")


@app.command("watch")
def watch_cmd(
    username: str = typer.Argument(..., help="用户名 / user name"),
    kind: str = typer.Argument(..., help="standard | node | organization"),
    target: str = typer.Argument(..., help="标准号、节点 id 或企业 id / number, node id or organization id"),
    email: str | None = typer.Option(None, help="提醒邮箱 / e-mail for alerts"),
    db: DbOpt = None,
) -> None:
    """关注标准、节点或企业 / watch a standard, a chain node or an enterprise."""
    from sqlalchemy import select

    from chainatlas.standards.alerts import add_watch
    from chainatlas.store.models import AppUser

    store = get_store(db)
    try:
        with store.session() as s:
            user = s.scalar(select(AppUser).where(AppUser.username == username))
            if user is None:
                raise fail(f"E972: no user {username!r}")
            w = add_watch(s, user.id, kind, target, email)
            console.print(f"关注 watch #{w.id}: {w.target_kind} {w.target}")
    except ChainAtlasError as exc:
        raise fail(str(exc)) from exc
