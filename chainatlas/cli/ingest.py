"""``chainatlas ingest PATH...``: read files, folders and globs into the store."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from chainatlas.cli.common import DbOpt, console, err_console, fail, get_store, ingest_summary
from chainatlas.errors import ChainAtlasError


def ingest(
    paths: Annotated[list[str], typer.Argument(help="文件、文件夹或通配符 / files, folders (recursive) or globs",
                                               show_default=False)],
    workers: Annotated[int | None, typer.Option("--workers", "-w", min=1,
                                                help="并行进程数 / worker processes (default: CPU count)")] = None,
    max_bytes: Annotated[int, typer.Option("--max-bytes", min=1,
                                           help="单个文件上限 / size limit per file or JSON line")] = 20 * 1024 * 1024,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 摘要 / print a JSON summary")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度条 / no progress bar")] = False,
    extractor: Annotated[str | None, typer.Option("--extractor", hidden=True)] = None,
    persister: Annotated[str | None, typer.Option("--persister", hidden=True)] = None,
    db: DbOpt = None,
) -> None:
    """导入文档 / ingest documents: .txt .md .html .docx .pdf and JSON Lines ({url, title, published_at, html|text}); decode, normalize, separate noise, extract and store.

    Re-ingesting the same content changes nothing; an interrupted run (even kill -9) can simply be run again.

    Exit code: 0 when every input went in; 1 when some inputs were rejected (each listed with its reason and kept in the ingest_issue table); 2 on a usage or store error.
    """
    from chainatlas.ingest.pipeline import ingest_paths

    store = get_store(db)
    try:
        report = ingest_paths(store, paths, workers=workers, progress=not quiet and not as_json,
                              max_bytes=max_bytes, extractor=extractor, persister=persister)
    except ChainAtlasError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        console.print(ingest_summary(report))
        if report.rejected:
            table = Table("code", "文件 input", "原因 reason", title="被拒绝的输入 / rejected inputs")
            for r in report.rejected:
                table.add_row(r.code, r.where, r.reason)
            err_console.print(table)
    raise typer.Exit(report.exit_code)
