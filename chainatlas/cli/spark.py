"""``chainatlas spark ingest PATH...``: the ingest pipeline as a Spark job into PostgreSQL."""

from __future__ import annotations

from typing import Annotated

import typer

from chainatlas.cli.common import DbOpt, fail, get_store, print_ingest_report
from chainatlas.errors import ChainAtlasError

app = typer.Typer(help="Spark 批处理 / batch jobs on Apache Spark (pip install 'chainatlas[spark]', Java 17)",
                  no_args_is_help=True)


@app.command("ingest")
def ingest(
    paths: Annotated[list[str], typer.Argument(
        help="文件、文件夹、通配符或 Hadoop URI / files, folders, globs or any URI Spark reads (hdfs://, s3a://…)",
        show_default=False)],
    master: Annotated[str | None, typer.Option(
        "--master", help="Spark master, 如 local[2] / e.g. local[2] (default local[*]; spark-submit sets its own)")] = None,
    partitions: Annotated[int | None, typer.Option(
        "--partitions", min=1, help="输入分区数 / repartition the inputs into N tasks")] = None,
    max_bytes: Annotated[int, typer.Option("--max-bytes", min=1,
                                           help="单个文件上限 / size limit per file or JSON line")] = 20 * 1024 * 1024,
    batch: Annotated[int, typer.Option("--batch", min=1, help="每个事务的文档数 / documents per transaction")] = 64,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 摘要 / print a JSON summary")] = False,
    extractor: Annotated[str | None, typer.Option("--extractor", hidden=True)] = None,
    persister: Annotated[str | None, typer.Option("--persister", hidden=True)] = None,
    db: DbOpt = None,
) -> None:
    """用 Spark 导入文档到 PostgreSQL / ingest documents with Apache Spark into PostgreSQL: the same prepare, extract and resolve code as `chainatlas ingest`, run in Spark tasks.

    Idempotent per document (content hash), one transaction per batch; a killed task is retried by Spark and a killed job can simply be run again. Near-duplicates are found across the whole corpus.

    Exit code: 0 when every input went in; 1 when some inputs were rejected (each listed, kept in ingest_issue); 2 on a usage or store error.
    """
    from chainatlas.spark import job

    store = get_store(db)
    try:
        spark = job.session(master)
        try:
            report = job.ingest(spark, paths, store.url, partitions=partitions, max_bytes=max_bytes,
                                extractor=extractor, persister=persister, batch_size=batch)
        finally:
            spark.stop()
    except ChainAtlasError as exc:
        raise fail(str(exc)) from exc
    raise print_ingest_report(report, as_json=as_json)
