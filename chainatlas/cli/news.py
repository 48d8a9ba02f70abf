"""``chainatlas extract``, ``chainatlas eval`` and ``chainatlas docs``: facts from news pages,
their scores against gold files, and browsing stored documents with their evidence.

``extract --json`` writes JSON Lines to stdout and nothing else: progress, warnings and
library chatter go to stderr."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import func, select

from chainatlas.cli.common import DbOpt, console, err_console, fail, get_store

docs_app = typer.Typer(help="浏览已入库文档 / browse stored documents with their facts.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add ``extract``, ``eval`` and the ``docs`` group to the main command."""
    app.command("extract")(extract)
    app.command("eval")(evaluate)
    app.add_typer(docs_app, name="docs")


def _files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(q for q in p.rglob("*") if q.is_file() and not q.name.startswith("."))
        else:
            out.append(p)
    return out


def _prepare(path: Path) -> list[Any]:
    """Prepared documents of one file (the ingest pipeline's reader, noise separation included)."""
    from chainatlas.ingest.prepare import prepare_path

    return list(prepare_path(path))


def document_json(prepared: Any, extraction: Any) -> dict[str, Any]:
    out = extraction.to_format_json(prepared.doc_key)
    out["title"] = getattr(prepared, "title", None)
    out["url"] = getattr(prepared, "url", None)
    published = getattr(prepared, "published_at", None)
    out["published_at"] = published.isoformat() if published else None
    out["noise_organizations"] = []
    return out


def extract(
    files: Annotated[list[Path], typer.Argument(help="文件或目录 / files or folders", exists=True)],
    as_json: Annotated[bool, typer.Option("--json", help="每个文档一行 JSON / one JSON object per line")] = False,
    no_model: Annotated[bool, typer.Option(
        "--no-model", help="只用规则, 不用 LAC 模型 / rules only (also CHAINATLAS_EXTRACT_MODEL=0)")] = False,
) -> None:
    """抽取机构、数字与事件 / extract organizations, figures and events (FORMAT.md shape)."""
    from chainatlas.extract.pipeline import Pipeline, model_enabled

    # Libraries that print on import or load (banners, warnings) must not reach the JSON stream.
    with contextlib.redirect_stdout(sys.stderr):
        pipeline = Pipeline(use_model=model_enabled() and not no_model)
    failed = 0
    for path in _files(files):
        try:
            with contextlib.redirect_stdout(sys.stderr):
                docs = _prepare(path)
                results = [(d, pipeline(d)) for d in docs]
        except Exception as exc:  # one bad file must not stop the others; it is reported
            failed += 1
            err_console.print(f"[red]E301: {path}: {exc}[/red]")
            continue
        for prepared, extraction in results:
            data = document_json(prepared, extraction)
            if as_json:
                sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
            else:
                _print_extraction(data)
    sys.stdout.flush()
    if failed:
        raise typer.Exit(1)


def _print_extraction(data: dict[str, Any]) -> None:
    console.rule(f"{data['doc']}  {data.get('title') or ''}")
    table = Table("机构 organization", "类型 kind", "地区 region", "细分 segment", "别名 aliases")
    for o in data["organizations"]:
        table.add_row(o["name"], o["type"], o["region"] or "", o["segment"] or "", "、".join(o["aliases"]))
    console.print(table)
    table = Table("数字 figure", "值 value", "单位 unit", "年 year", "主体 subject")
    for m in data["metrics"]:
        table.add_row(m["text"], f"{m['value']:g}", m["unit"], str(m["year"] or ""), m["subject"])
    console.print(table)
    table = Table("事件 event", "日期 date", "主体 subject", "原文 text")
    for e in data["events"]:
        table.add_row(e["type"], e["date"] or "", e["subject"] or "", e["text"])
    console.print(table)


def evaluate(
    pred: Annotated[Path, typer.Argument(help="预测 JSON Lines / predictions (extract --json output)", exists=True)],
    gold: Annotated[Path, typer.Option("--gold", help="金标目录 / folder of gold *.json", exists=True)],
    as_json: Annotated[bool, typer.Option("--json", help="机器可读输出 / machine-readable output")] = False,
    details: Annotated[bool, typer.Option("--details", help="逐文档的漏报与误报 / per-document misses")] = False,
    min_org_f1: Annotated[float | None, typer.Option("--min-org-f1")] = None,
    min_metric_f1: Annotated[float | None, typer.Option("--min-metric-f1")] = None,
    min_event_f1: Annotated[float | None, typer.Option("--min-event-f1")] = None,
    max_noise: Annotated[int | None, typer.Option("--max-noise", help="允许的噪声机构数 / noise orgs allowed")] = None,
) -> None:
    """按 FORMAT.md 评分 / precision, recall and F1 against gold files."""
    from chainatlas.extract.scoring import score

    golds = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(gold.glob("*.json"))]
    if not golds:
        raise fail(f"E311: no gold *.json files in {gold}")
    preds: list[dict[str, Any]] = []
    for n, line in enumerate(pred.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                preds.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise fail(f"E312: {pred}:{n}: not JSON ({exc})") from exc
    report = score(golds, preds)
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(details=details), ensure_ascii=False) + "\n")
    else:
        table = Table("", "P", "R", "F1", "TP", "FP", "FN")
        for kind in ("organizations", "metrics", "events"):
            c = getattr(report, kind)
            table.add_row(kind, f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}", str(c.tp), str(c.fp),
                          str(c.fn))
        console.print(table)
        console.print(f"noise organizations reported: {report.noise}")
        if report.missing_predictions:
            console.print(f"[yellow]no prediction for: {', '.join(report.missing_predictions)}[/yellow]")
        if details:
            console.print_json(json.dumps(report.to_json(details=True)["per_document"], ensure_ascii=False))
    missed = [
        name for name, bar, got in (("organizations", min_org_f1, report.organizations.f1),
                                    ("metrics", min_metric_f1, report.metrics.f1),
                                    ("events", min_event_f1, report.events.f1))
        if bar is not None and got < bar
    ]
    if max_noise is not None and report.noise > max_noise:
        missed.append("noise")
    if missed:
        err_console.print(f"[red]below the bar: {', '.join(missed)}[/red]")
        raise typer.Exit(1)


@docs_app.command("list")
def docs_list(
    db: DbOpt = None,
    limit: Annotated[int, typer.Option(help="最多显示 / at most")] = 50,
    query: Annotated[str | None, typer.Option("--q", help="标题包含 / title contains")] = None,
) -> None:
    """列出文档及其事实数 / documents with counts of their facts."""
    from chainatlas.store.models import Document, Event, Mention, Metric

    store = get_store(db)
    with store.session() as s:
        stmt = select(Document).order_by(Document.id).limit(limit)
        if query:
            stmt = stmt.where(Document.title.contains(query))
        docs = list(s.scalars(stmt))
        counts: dict[str, dict[int, int]] = {}
        for name, model in (("orgs", Mention), ("metrics", Metric), ("events", Event)):
            rows = s.execute(select(model.document_id, func.count()).where(
                model.document_id.in_([d.id for d in docs])).group_by(model.document_id))
            counts[name] = {doc_id: n for doc_id, n in rows}
        table = Table("id", "doc", "发布 published", "标题 title", "机构 orgs", "数字 figures", "事件 events")
        for d in docs:
            table.add_row(str(d.id), d.doc_key, str(d.published_at or ""), (d.title or "")[:40],
                          str(counts["orgs"].get(d.id, 0)), str(counts["metrics"].get(d.id, 0)),
                          str(counts["events"].get(d.id, 0)))
        console.print(table)


@docs_app.command("show")
def docs_show(
    doc_id: Annotated[str, typer.Argument(help="文档 id 或 doc key")],
    db: DbOpt = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """显示文档的机构、数字、事件及证据 / a document's facts with their evidence."""
    from chainatlas.resolve.browse import document_facts

    store = get_store(db)
    with store.session() as s:
        facts = document_facts(s, doc_id)
        if facts is None:
            raise fail(f"E313: no document {doc_id!r}")
    if as_json:
        sys.stdout.write(json.dumps(facts, ensure_ascii=False, default=str) + "\n")
        return
    d = facts["document"]
    console.rule(f"[{d['id']}] {d['doc_key']}  {d['title'] or ''}")
    console.print(f"发布 published: {d['published_at']}  地区 region: {d['region_adcode']}  "
                  f"链节点 nodes: {', '.join(d['node_ids'] or [])}")
    table = Table("机构 organization (链接 link)", "类型", "写法 surfaces", "次数 n", "证据 evidence (norm → orig)")
    groups: dict[str, list[dict[str, Any]]] = {}
    for m in facts["organizations"]:
        groups.setdefault(m["link"] if m["link"] != "-" else m["surface"], []).append(m)
    for link, ms in groups.items():
        surfaces = "、".join(dict.fromkeys(m["surface"] for m in ms))
        table.add_row(link, ms[0]["kind"], surfaces, str(len(ms)), " ".join(_ev(m["evidence"]) for m in ms[:3]))
    console.print(table)
    table = Table("数字 figure", "值 value", "单位", "年", "主体 subject", "证据 evidence")
    for m in facts["metrics"]:
        table.add_row(m["text"], f"{m['value']:g}", m["unit"], str(m["year"] or ""), m["subject"], _ev(m["evidence"]))
    console.print(table)
    table = Table("事件 event", "日期 date", "主体 subject", "原文 text", "证据 evidence")
    for e in facts["events"]:
        table.add_row(e["type"], e["date_text"] or "", e["subject"] or "", e["text"], _ev(e["evidence"]))
    console.print(table)


def _ev(ev: dict[str, Any]) -> str:
    return f"[{ev['start']}:{ev['end']}] → [{ev['orig_start']}:{ev['orig_end']}]"
