"""``chainatlas ingest PATH...``: read files, folders and globs into the store."""

from __future__ import annotations

from typing import Annotated

import typer

from chainatlas.cli.common import DbOpt, fail, get_store, print_ingest_report
from chainatlas.errors import ChainAtlasError
from chainatlas.ingest.limits import DEFAULT, MB, Limits


def ingest(
    paths: Annotated[list[str], typer.Argument(help="文件、文件夹或通配符 / files, folders (recursive) or globs",
                                               show_default=False)],
    workers: Annotated[int | None, typer.Option("--workers", "-w", min=1,
                                                help="并行进程数 / worker processes (default: CPU count)")] = None,
    max_bytes: Annotated[int, typer.Option("--max-bytes", min=1,
                                           help="单个文件上限 / size limit per file or JSON line")] = 20 * 1024 * 1024,
    max_chars: Annotated[int, typer.Option("--max-chars", min=1, help="单个文档字符上限 / characters of text per "
                                           "document")] = DEFAULT.max_chars,
    max_inflated: Annotated[int, typer.Option("--max-inflated", min=1, help="docx/PDF 解压后上限(MB)/ what a .docx "
                                              "or PDF may decompress to, MB")] = DEFAULT.max_inflated // MB,
    max_seconds: Annotated[float, typer.Option("--max-seconds", min=0, help="单个文档处理时限(秒,0 不限)/ work "
                                               "time per document, s (0: none)")] = DEFAULT.seconds,
    max_memory: Annotated[int, typer.Option("--max-memory", min=256, help="每个工作进程内存上限(MB)/ memory per "
                                            "worker process, MB")] = DEFAULT.worker_memory // MB,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 摘要 / print a JSON summary")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度条 / no progress bar")] = False,
    extractor: Annotated[str | None, typer.Option("--extractor", hidden=True)] = None,
    persister: Annotated[str | None, typer.Option("--persister", hidden=True)] = None,
    db: DbOpt = None,
) -> None:
    """导入文档 / ingest documents: .txt .md .html .docx .pdf and JSON Lines ({url, title, published_at, html|text}); decode, normalize, separate noise, extract and store.

    Re-ingesting the same content changes nothing; an interrupted run (even kill -9) can simply be run again.

    Each document is bounded (--max-bytes, --max-chars, --max-inflated, --max-seconds, --max-memory): one over a bound is set aside with its reason and the run goes on.

    Exit code: 0 when every input went in; 1 when some inputs were rejected (each listed with its reason and kept in the ingest_issue table); 2 on a usage or store error.
    """
    from chainatlas.ingest.pipeline import ingest_paths

    store = get_store(db)
    try:
        bounds = Limits(max_bytes=max_bytes, max_chars=max_chars, max_inflated=max_inflated * MB,
                        max_xml=min(DEFAULT.max_xml, max_inflated * MB), seconds=max_seconds,
                        worker_memory=max_memory * MB)
        report = ingest_paths(store, paths, workers=workers, progress=not quiet and not as_json,
                              extractor=extractor, persister=persister, bounds=bounds)
    except ChainAtlasError as exc:
        raise fail(str(exc)) from exc
    raise print_ingest_report(report, as_json=as_json)
