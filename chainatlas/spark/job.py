"""The driver of ``chainatlas spark ingest`` (and of ``spark-submit -m chainatlas.spark.job``).

Stages: (1) Spark reads the inputs (``binaryFile``), executors skip content already stored and
run prepare → extract → sign; (2) a join on LSH bands over this run's and the stored
documents' signatures finds near-duplicates, decided on the driver in input order; (3) one
task resolves the organizations of the documents that duplicate nothing, in input order, and
every executor writes those documents from its plans; then (4) the near-duplicates, which
point at documents stored in (3) or before. Every batch is one transaction and skips what is
already stored, so a killed task is simply retried by Spark, and a killed driver is rerun."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from chainatlas.errors import IngestError
from chainatlas.ingest.discover import InputFile, iter_inputs
from chainatlas.ingest.errors import EMPTY, NOT_FOUND, UNSUPPORTED
from chainatlas.ingest.pipeline import DEFAULT_MAX_BYTES, DEFAULT_PERSISTER, IngestReport, check_available
from chainatlas.ingest.readers import kind_of
from chainatlas.ingest.worker import DEFAULT_EXTRACTOR, Rejection
from chainatlas.spark import neardup
from chainatlas.spark.inputs import Root, glob_filter, local_path, work_items
from chainatlas.spark.writer import (
    Done,
    link_input,
    link_partition,
    planned_persister,
    prepare_partition,
    store_for,
    write_partition,
    write_planned,
    write_rejections,
)
from chainatlas.store.models import Document

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

NOT_POSTGRES = "E450"
STORED_RANGE = 50_000  # document ids per task when reading stored signatures
WRITE_BATCH = 64
DEFAULT_JDBC_JAR = "/usr/share/java/postgresql.jar"
OPEN_COST = "spark.sql.files.openCostInBytes"


def session(master: str | None = None, *, app_name: str = "chainatlas-ingest",
            conf: dict[str, str] | None = None) -> SparkSession:
    """A SparkSession; local defaults that work on a laptop (loopback, no UI)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise IngestError("PySpark is not installed: pip install 'chainatlas[spark]' (and Java 17)",
                          code="E451") from exc
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    if master is None and "PYSPARK_GATEWAY_PORT" not in os.environ:
        master = "local[*]"  # not under spark-submit, which sets the master itself
    if master:
        builder = builder.master(master)
    if (master or "local").startswith("local"):
        # The host name may resolve to an address nothing listens on (containers, laptops on VPN).
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
    if Path(DEFAULT_JDBC_JAR).exists():
        builder = builder.config("spark.jars", DEFAULT_JDBC_JAR)
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    if not spark.sparkContext.getConf().contains(OPEN_COST):  # spark-submit --conf or conf= wins
        # A file counts as 4 MB by default when Spark packs files into tasks: ~32 news pages a
        # task, whose fixed cost (~0.3 s here) then weighs as much as its pages. Counted as
        # 256 KB, a task takes ~500 pages, and a small input is still split over every core.
        spark.conf.set(OPEN_COST, str(256 * 1024))
    return spark


def _roots(spark: SparkSession, paths: Sequence[str]) -> tuple[list[Root], list[Rejection], list[str]]:
    """Qualified roots of the inputs, what is missing or unsupported, and what Spark should load."""
    jvm = spark.sparkContext._jvm  # type: ignore[attr-defined]
    conf = spark.sparkContext._jsc.hadoopConfiguration()  # type: ignore[attr-defined]
    roots: list[Root] = []
    rejected: list[Rejection] = []
    load: list[str] = []
    for arg_index, text in enumerate(paths):
        hpath = jvm.org.apache.hadoop.fs.Path(text)
        fs = hpath.getFileSystem(conf)
        statuses = fs.globStatus(hpath)
        is_glob = any(c in text for c in "*?[{")
        if not statuses:
            rejected.append(Rejection(text, NOT_FOUND, "glob matches no file" if is_glob else "no such file or folder",
                                      None))
            continue
        for match_index, st in enumerate(sorted(statuses, key=lambda s: s.getPath().toString())):
            uri = st.getPath().toString()
            shown = (local_path(uri) or uri) if is_glob else (text if local_path(uri) is not None else uri)
            if not st.isDirectory() and kind_of(Path(uri)) is None:
                rejected.append(Rejection(shown, UNSUPPORTED, f"unsupported file type {Path(uri).suffix or '(none)'}",
                                          st.getLen()))
                continue
            roots.append(Root(arg_index, match_index, uri, shown, st.isDirectory()))
            load.append(uri)
    rejected += _empty_local_files(roots)
    return roots, rejected, load


def _empty_local_files(roots: list[Root]) -> list[Rejection]:
    """Spark's file sources drop zero-length files without a word; the single-machine path
    names them (E403). Local inputs are checked here; on a remote file system they are skipped."""
    found: list[Rejection] = []
    for root in roots:
        local = local_path(root.uri)
        if local is None:
            continue
        if not root.is_dir:
            if Path(local).stat().st_size == 0 and kind_of(Path(local)) not in (None, "jsonl"):
                found.append(Rejection(root.shown, EMPTY, "empty file (0 bytes)", 0))
            continue
        for entry in iter_inputs([local]):
            if isinstance(entry, InputFile) and entry.size == 0 and kind_of(entry.path) != "jsonl":
                rel = entry.path.relative_to(local)
                found.append(Rejection(str(Path(root.shown, rel)), EMPTY, "empty file (0 bytes)", 0))
    return found


def _stored_bands(spark: SparkSession, url: str) -> Any:
    """(band, member) of every stored document that others may duplicate, read by the
    executors in id ranges (psycopg; the table can be far larger than the driver's memory)."""
    store = store_for(url)
    with store.session() as s:
        low, high = s.execute(select(func.min(Document.id), func.max(Document.id))).one()
    if low is None:
        return spark.sparkContext.emptyRDD()
    ranges = [(a, min(a + STORED_RANGE - 1, high)) for a in range(low, high + 1, STORED_RANGE)]

    def read(bounds: tuple[int, int]) -> Any:
        with store_for(url).session() as s:
            rows = s.execute(select(Document.id, Document.minhash).where(
                Document.id.between(*bounds), Document.minhash.is_not(None), Document.near_duplicate_of.is_(None)))
            return [band for doc_id, sig in rows for band in neardup.bands((0, doc_id), sig)]

    return spark.sparkContext.parallelize(ranges, max(1, len(ranges))).flatMap(read)


def ingest(spark: SparkSession, paths: Sequence[str], url: str, *, partitions: int | None = None,
           max_bytes: int = DEFAULT_MAX_BYTES, extractor: str | None = None, persister: str | None = None,
           batch_size: int = WRITE_BATCH) -> IngestReport:
    """Ingest ``paths`` (files, folders, globs, any Hadoop URI) into the PostgreSQL store at ``url``."""
    from pyspark import StorageLevel

    started = time.perf_counter()
    if make_url(url).get_backend_name() != "postgresql":
        raise IngestError(f"spark ingest writes to PostgreSQL (many writers at once); got {url.split(':')[0]}",
                          code=NOT_POSTGRES)
    extractor = extractor or DEFAULT_EXTRACTOR
    persister = persister or DEFAULT_PERSISTER
    check_available(extractor, "extractor")
    check_available(persister, "persister")
    report = IngestReport()
    roots, rejected, load = _roots(spark, paths)
    empty_files = sum(1 for r in rejected if r.code == EMPTY)  # files too, though Spark never reads them
    sc = spark.sparkContext
    prepared: Any = sc.emptyRDD()
    if load:
        files = (spark.read.format("binaryFile").option("recursiveFileLookup", "true")
                 .option("pathGlobFilter", glob_filter()).load(load).select("path", "length", "content").rdd)
        if partitions:
            files = files.repartition(partitions)
        files_seen = sc.accumulator(0)

        def items(row: Any) -> list[Any]:
            files_seen.add(1)
            return work_items(row[0], row[1], bytes(row[2]), roots, max_bytes)

        prepared = (files.flatMap(items)
                    .mapPartitions(lambda rows: prepare_partition(rows, url, extractor)))
    prepared = prepared.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        _finish(spark, prepared, rejected, report, url, persister, batch_size)
    finally:
        prepared.unpersist()
    if load:
        report.files = files_seen.value + empty_files
    report.seconds = time.perf_counter() - started
    return report


def _tally(done: Any) -> Any:
    """(already stored, bytes read, rejections) of one partition."""
    known = size = 0
    failed = []
    for d in done:
        size += d.size
        if d.content_hash is None:
            failed.append(d)
        elif not d.payload:
            known += 1
    yield known, size, failed


def _finish(spark: SparkSession, prepared: Any, rejected: list[Rejection], report: IngestReport, url: str,
            persister: str, batch_size: int) -> None:
    # One pass over everything read.
    known, size, failed = prepared.mapPartitions(_tally).fold(
        (0, 0, []), lambda a, b: (a[0] + b[0], a[1] + b[1], a[2] + b[2]))
    rejected += [Done.outcome(d) for d in failed]
    report.bytes = size
    # The same content under two names: the first in input order is the document. Only the
    # (hash, key) pairs travel: a shuffle of the prepared documents themselves cost more than
    # their extraction.
    later = set(prepared.filter(lambda d: d.content_hash is not None and d.payload)
                .map(lambda d: (d.content_hash, d.key)).groupByKey()
                .flatMap(lambda kv: sorted(kv[1])[1:]).collect())
    report.unchanged = known + len(later)
    b_later = spark.sparkContext.broadcast(later)
    fresh = prepared.filter(lambda d: d.content_hash is not None and d.payload and d.key not in b_later.value)
    pairs = (fresh.flatMap(lambda d: neardup.bands((1, d.key), d.signature)).union(_stored_bands(spark, url))
             .groupByKey().flatMap(lambda kv: neardup.verified_pairs(kv[1])).distinct().collect())
    links = neardup.decide(pairs)
    targets = {rank[1] for rank in links.values() if rank[0] == 1}
    hashes = dict(fresh.filter(lambda d: d.key in targets).map(lambda d: (d.key, d.content_hash)).collect())
    b_links, b_hashes = spark.sparkContext.broadcast(links), spark.sparkContext.broadcast(hashes)

    def write(it: Any) -> Any:
        return write_partition(it, url, persister, batch_size, b_links.value, b_hashes.value)

    # Documents that duplicate nothing: their organizations are resolved in input order, as on
    # the single-machine path (so both make the same candidates and names), by one task over
    # one sorted partition (PySpark's sort spills to disk; the task streams it) that plans each
    # document; then every executor writes documents and facts from the plans. A persister
    # that cannot plan is run whole in that one sorted task.
    originals = fresh.filter(lambda d: d.key not in b_links.value)
    if planned_persister(persister) is not None:
        plans = (originals.map(link_input).sortByKey(numPartitions=1)
                 .mapPartitions(lambda rows: link_partition(rows, url, persister, batch_size)))
        results = (originals.keyBy(lambda d: d.key).join(plans, numPartitions=originals.getNumPartitions())
                   .mapPartitions(lambda rows: write_planned(rows, url, persister, batch_size)).collect())
    else:
        ordered = originals.keyBy(lambda d: d.key).sortByKey(numPartitions=1).values()
        results = ordered.mapPartitions(write).collect()
    # Near-duplicates resolve nothing: written in parallel, after what they point at.
    results += fresh.filter(lambda d: d.key in b_links.value).mapPartitions(write).collect()
    totals = [sum(r[i] for r in results) for i in range(3)]
    write_rejections(store_for(url), rejected)
    report.documents, report.near_duplicates = totals[0], totals[2]
    report.unchanged += totals[1]
    report.rejected = sorted(rejected, key=lambda r: r.where)


if __name__ == "__main__":  # spark-submit …/chainatlas/spark/job.py ingest PATH… --db URL
    from chainatlas.cli.spark import app

    app()
