"""``chainatlas trace``: EPCIS capture, query, trace back/forward, recall, Chinese codes."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from chainatlas.cli.common import DbOpt, console, err_console, fail, get_store
from chainatlas.errors import TraceError

app = typer.Typer(help="追溯 (GS1 EPCIS 2.0) / traceability: capture, trace back/forward, recall.",
                  no_args_is_help=True)


@app.command("capture")
def capture(files: list[Path] = typer.Argument(..., help="EPCIS 2.0 JSON/JSON-LD 文档 / documents", exists=True,
                                               dir_okay=False),
            db: DbOpt = None) -> None:
    """采集 EPCIS 文档（整份校验，全部或全不入库）/ capture documents, all-or-nothing each."""
    from chainatlas.trace.capture import capture_file
    from chainatlas.trace.validate import CaptureRejected

    store = get_store(db)
    failed = 0
    for f in files:
        try:
            r = capture_file(store, f)
        except CaptureRejected as exc:
            failed += 1
            err_console.print(f"[red]✗ {f}: 拒绝 rejected, 未入库 nothing stored[/red]")
            for p in exc.problems[:20]:
                err_console.print(f"  - {p}")
            continue
        console.print(f"✓ {f}: {r.events} 事件 events, {r.stored} 新入库 stored, {r.duplicates} 重复 duplicates"
                      + (f", {r.corrected} 更正 corrected" if r.corrected else "") + f"  (job {r.job_id})")
        for n in r.notices[:20]:
            console.print(f"  [yellow]! 提示 notice[/yellow] event #{n['eventIndex']} ({n['eventID']}): {n['message']}")
    if failed:
        raise typer.Exit(1)


def _stored_identifier(session: Session, typed: str) -> str:
    """A lot number or 药品追溯码 as printed → the one stored identifier it names (EPCs pass through)."""
    from chainatlas.trace.lookup import find_identifiers

    keys = find_identifiers(session, typed)
    if len(keys) > 1:
        raise fail(f"「{typed}」对应多个追溯标识，请指定一个 / several identifiers match, name one:\n  "
                   + "\n  ".join(keys))
    return keys[0] if keys else typed


def _trace(ident: str, direction: str, as_json: bool, db: str | None) -> None:
    from chainatlas.trace.lineage import trace

    store = get_store(db)
    with store.session() as s:
        try:
            r = trace(s, _stored_identifier(s, ident), direction)
        except TraceError as exc:
            raise fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(r.as_dict(), ensure_ascii=False, indent=2))
        return
    table = Table("标识 item", "事件路径 event path")
    for item in r.items:
        table.add_row(item, " → ".join(r.paths[item]))
    console.print(table)
    console.print("位置 locations: " + ", ".join(r.locations))


@app.command("back")
def back(ident: str = typer.Argument(..., help="EPC URI、批次 urn:epc:class:lgtin:… 或 Digital Link"),
         as_json: bool = typer.Option(False, "--json", help="输出 JSON / print JSON"), db: DbOpt = None) -> None:
    """向上追溯（来源）/ trace back to the origins."""
    _trace(ident, "back", as_json, db)


@app.command("forward")
def forward(ident: str = typer.Argument(..., help="EPC URI、批次 urn:epc:class:lgtin:… 或 Digital Link"),
            as_json: bool = typer.Option(False, "--json", help="输出 JSON / print JSON"), db: DbOpt = None) -> None:
    """向下追踪（去向）/ trace forward to where it went."""
    _trace(ident, "forward", as_json, db)


@app.command("recall")
def recall(ident: str = typer.Argument(..., help="问题批次或单品 / the bad lot or item"),
           xlsx: Path | None = typer.Option(None, "--xlsx", help="导出 Excel / write the recall workbook"),
           as_json: bool = typer.Option(False, "--json", help="输出 JSON / print JSON"), db: DbOpt = None) -> None:
    """召回影响范围：批次、箱托、发货、目的地 / recall impact: batches, cases, shipments, destinations."""
    from chainatlas.trace.recall import build_recall, write_xlsx

    store = get_store(db)
    with store.session() as s:
        try:
            rep = build_recall(s, _stored_identifier(s, ident))
        except TraceError as exc:
            raise fail(str(exc)) from exc
    if xlsx:
        console.print(f"已写入 written: {write_xlsx(rep, xlsx)}")
    if as_json:
        typer.echo(json.dumps(rep.as_dict(), ensure_ascii=False, indent=2))
    elif not xlsx:
        console.print(f"受影响批次 {len(rep.batches)}, 箱/托 {len(rep.containers)}, 发货 {len(rep.shipments)}, "
                      f"目的地 {len(rep.destinations)}")
        for d in rep.destinations:
            console.print("  → " + " / ".join(str(x) for x in d if x))


@app.command("code")
def code(value: str = typer.Argument(..., help="药品追溯码、中药批号、EPC 或 Digital Link"),
         as_json: bool = typer.Option(False, "--json", help="输出 JSON / print JSON"), db: DbOpt = None) -> None:
    """校验并解释追溯码；给出 --db 时查本库记录 / validate and explain a code; with --db, look it up in the store."""
    from chainatlas.trace.cn_codes import explain
    from chainatlas.trace.lookup import find_identifiers, typed_form

    info = explain(typed_form(value))
    stored: list[str] | None = None
    if db is not None:
        with get_store(db).session() as s:
            stored = find_identifiers(s, value)
    if as_json:
        typer.echo(json.dumps({**info.as_dict(), **({"stored": stored} if stored is not None else {})},
                              ensure_ascii=False, indent=2))
    else:
        # 20-digit codes carry issuer check digits whose algorithm is unpublished: a well-formed
        # code is not a genuine one, so the verdict says exactly how far the check went.
        verdict = ("✗ 无效 invalid" if not info.valid else "✓ 有效 valid" if info.fully_checked
                   else "✓ 格式正确（校验位无法离线验证）/ well-formed, check digits not verifiable offline")
        console.print(f"{verdict}  {info.kind}")
        for k, v in info.parts.items():
            console.print(f"  {k}: {v}")
        if info.epc:
            console.print(f"  EPC: {info.epc}")
        for n in info.notes:
            console.print(f"  · {n}")
        if stored is not None:
            console.print("  本库追溯记录 in this store: " + ("、".join(stored) if stored
                                                            else "无 / none (never captured here)"))
    if not info.valid:
        raise typer.Exit(1)


@app.command("locations")
def load_locations(file: Path | None = typer.Argument(None, help="CSV: location,name,kind,organization,region_adcode"),
                   db: DbOpt = None) -> None:
    """导入位置与企业/地区的关联 / load GLN → organization/region links (default: the demo file)."""
    from chainatlas.trace.locations import load_locations as load

    store = get_store(db)
    with store.session() as s:
        try:
            n = load(s, file)
        except TraceError as exc:
            raise fail(str(exc)) from exc
    console.print(f"已导入 loaded {n} 个位置 locations")


@app.command("demo")
def demo(db: DbOpt = None) -> None:
    """导入演示数据（黄精产业链、药品追溯码批次）/ load the demo lineage and location links."""
    from chainatlas.trace.demo import load_trace_demo

    console.print(f"✓ {load_trace_demo(get_store(db))}")
    console.print("试试 try: chainatlas trace forward urn:epc:class:lgtin:6975001.000001.YC20240905B")
