"""``chainatlas spark ingest`` on local[2] into a throwaway PostgreSQL: the same facts as the
single-machine ``ingest`` on the same pages (canonical dumps compared), bad files named with
the rest stored, one organization per name across partitions, and a job killed mid-way then
run again equal to one clean run.

Skipped, with the reason, when PySpark or Java 17 is missing (``make test`` installs both)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import PG_URL, REPO, _pg_admin_url
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from chainatlas.ingest.pipeline import IngestReport, ingest_paths
from chainatlas.store import Store
from chainatlas.store.models import Document, IngestIssue, Metric, Organization

FIXTURES = REPO / "tests" / "fixtures" / "ingest"
sys.path.insert(0, str(FIXTURES))
from support import canonical_dump, write_corpus  # noqa: E402

pytest.importorskip("pyspark", reason="PySpark not installed: pip install '.[spark]' (make test does)")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("no Java runtime (Spark 4 needs Java 17: apt-get install openjdk-17-jre-headless)",
                allow_module_level=True)

pytestmark = [pytest.mark.pg, pytest.mark.slow]
FAKES = {"extractor": "fakes:fake_extract", "persister": "fakes:fake_persist"}
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(FIXTURES), os.environ.get("PYTHONPATH", "")])}
MAX_BYTES = 64 * 1024
SHARED_FIRM = "泰州康瑞源生物科技有限公司"


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from chainatlas.spark.job import session

    # Executors are Python processes started by the JVM: they find the test fakes on PYTHONPATH.
    os.environ["PYTHONPATH"] = ENV["PYTHONPATH"]
    s = session("local[2]", app_name="chainatlas-tests", conf={"spark.ui.showConsoleProgress": "false",
                                                                "spark.sql.shuffle.partitions": "4"})
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def new_store(_pg_template: str) -> Iterator[Callable[[], Store]]:
    """Fresh PostgreSQL databases (reference data loaded) for as many stores as a test needs."""
    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set CHAINATLAS_TEST_PG (make test does)")
    admin = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    made: list[tuple[str, Store]] = []

    def make() -> Store:
        name = f"ca_spark_{uuid.uuid4().hex[:10]}"
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{_pg_template}"'))
        store = Store(make_url(PG_URL).set(database=name).render_as_string(hide_password=False))
        made.append((name, store))
        return store

    yield make
    for name, store in made:
        store.dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def dump(store: Store) -> dict[str, list[tuple]]:
    """The canonical dump, with organizations named by their key instead of their id (ids
    depend on which partition wrote first) and the organizations themselves added."""
    out = canonical_dump(store)
    with store.session() as s:
        keys = dict(s.execute(select(Organization.id, Organization.name_key)).all())
        out["metric"] = sorted(tuple((k, keys.get(int(v), v) if k == "organization_id" and v != "\x00" else v)
                                     for k, v in row) for row in out["metric"])
        out["organization"] = sorted(s.execute(select(Organization.name_key, Organization.name,
                                                      Organization.is_candidate, Organization.kind)).all())
    return out


def count(store: Store, model: type) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def _pages(folder: Path) -> dict[str, str]:
    """Generated news (with near-duplicates and GBK/HTML pages), a firm named on pages far
    apart (so on different partitions), the same content twice, JSON Lines, and bad inputs
    with the code each must be rejected with."""
    write_corpus(folder / "news", 52, seed=21)
    for i in range(3):
        (folder / "news" / f"firm{i}.txt").write_text(
            f"第{i}则消息:{SHARED_FIRM}在泰州医药城投资{10 + i}亿元建设疫苗生产线,预计年产值{20 + i}亿元。", encoding="utf-8")
    shutil.copy(folder / "news" / "doc00003.txt", folder / "news" / "zz_copy_of_doc3.txt")
    (folder / "sub").mkdir()
    (folder / "sub" / "feed.jsonl").write_text(
        json.dumps({"url": "https://x.cn/a", "title": "签约", "text": "苏州生物医药产业园新签约项目12个,总投资40亿元。" * 3},
                   ensure_ascii=False) + "\n{broken json\n\n"
        + json.dumps({"url": "https://x.cn/b", "text": f"{SHARED_FIRM}年产值达到8亿元,同比增长20%。"}, ensure_ascii=False)
        + "\n", encoding="utf-8")
    (folder / "sub" / "empty.txt").write_bytes(b"")
    (folder / "sub" / "broken.docx").write_bytes(b"PK\x03\x04not a zip at all")
    (folder / "sub" / "big.txt").write_text("泰州医药城新闻。" * 4000, encoding="utf-8")  # over MAX_BYTES
    (folder / "sub" / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    return {"feed.jsonl:2": "E411", "empty.txt": "E403", "broken.docx": "E409", "big.txt": "E405",
            "binary.txt": "E404", "missing": "E401"}


@pytest.fixture(scope="module")
def both_paths(spark: Any, new_store: Callable[[], Store], tmp_path_factory: pytest.TempPathFactory) -> Any:
    from chainatlas.spark.job import ingest

    folder = tmp_path_factory.mktemp("spark_pages")
    expected = _pages(folder)
    inputs = [str(folder / "news"), str(folder / "sub"), str(folder / "missing")]
    single, on_spark = new_store(), new_store()
    single_report = ingest_paths(single, inputs, workers=1, progress=False, max_bytes=MAX_BYTES)
    spark_report = ingest(spark, inputs, on_spark.url, partitions=3, max_bytes=MAX_BYTES)
    return expected, single, single_report, on_spark, spark_report, inputs


def test_spark_and_single_machine_store_the_same_facts(both_paths: Any, spark: Any) -> None:
    from chainatlas.spark.job import ingest

    _, single, single_report, on_spark, spark_report, inputs = both_paths
    expected_dump = dump(single)
    assert dump(on_spark) == expected_dump
    assert count(on_spark, Metric) > 50 and count(on_spark, Document) == 57
    for field in ("documents", "unchanged", "near_duplicates", "files"):
        assert getattr(spark_report, field) == getattr(single_report, field), field
    assert spark_report.near_duplicates == 2 and spark_report.unchanged == 1  # the copy of doc 3
    # A second run stores nothing and changes nothing.
    again = ingest(spark, inputs, on_spark.url, max_bytes=MAX_BYTES)
    assert (again.documents, again.unchanged) == (0, 58)  # the copy of doc 3 too
    assert dump(on_spark) == expected_dump


def test_one_organization_per_name_across_partitions(both_paths: Any) -> None:
    on_spark = both_paths[3]
    with on_spark.session() as s:
        firms = s.scalars(select(Organization.id).where(Organization.name == SHARED_FIRM)).all()
        assert len(firms) == 1
        mentions = s.execute(text("SELECT count(DISTINCT document_id) FROM mention WHERE organization_id = :o"),
                             {"o": firms[0]}).scalar()
        assert mentions == 4  # three pages and one JSON line, read by different tasks
        dupes = s.execute(select(Organization.name_key).group_by(Organization.name_key)
                          .having(func.count() > 1)).all()
    assert dupes == []


def test_bad_inputs_named_and_the_rest_stored(both_paths: Any) -> None:
    expected, single, _, on_spark, report, _ = both_paths
    assert {Path(r.where).name: r.code for r in report.rejected} == expected
    assert report.exit_code == 1
    with on_spark.session() as s:
        issues = {Path(i.path).name: (i.code, i.reason) for i in s.scalars(select(IngestIssue))}
        stored = {Path(p).name for p in s.scalars(select(Document.path))}
    assert {k: v[0] for k, v in issues.items()} == expected
    assert "line 2" in issues["feed.jsonl:2"][1] and "--max-bytes" in issues["big.txt"][1]
    assert {"feed.jsonl:1", "feed.jsonl:4", "doc00051.txt", "firm2.txt"} <= stored


def _cli(url: str, folder: Path, plugins: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "chainatlas"), "spark", "ingest", str(folder), "--db", url,
         "--master", "local[2]", "--partitions", "4", "--batch", "4", "--json",
         "--extractor", plugins["extractor"], "--persister", plugins["persister"]],
        env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


# The real persister plans organizations in input order in one task, then every executor writes
# documents from the plans; a fake persister without that split is written whole by one task.
ORGS = {"extractor": "fakes:fake_extract_orgs", "persister": "chainatlas.resolve.persist:persist"}


@pytest.mark.parametrize("plugins", [FAKES, ORGS], ids=["written-in-order", "planned-then-parallel"])
def test_killed_job_then_rerun_equals_one_clean_run(spark: Any, new_store: Callable[[], Store],
                                                    tmp_path: Path, plugins: dict[str, str]) -> None:
    from chainatlas.spark.job import ingest

    folder = tmp_path / "corpus"
    write_corpus(folder, 300, seed=13)
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 broken")
    killed, clean = new_store(), new_store()
    proc = _cli(killed.url, folder, plugins)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None and count(killed, Document) < 12:
        time.sleep(0.05)
    assert proc.poll() is None, "the job finished before it could be killed: make the corpus bigger"
    os.killpg(proc.pid, signal.SIGKILL)  # the driver, its JVM and the Python workers: all of the job
    proc.wait()
    time.sleep(1)  # a COMMIT the server had already received still completes
    killed_at = count(killed, Document)
    assert 0 < killed_at < 300
    rerun = _cli(killed.url, folder, plugins)
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 1, err.decode()[-2000:]  # the broken .docx is named: exit code 1
    summary = json.loads(out.decode().strip().splitlines()[-1])
    assert summary["unchanged"] == killed_at and summary["documents"] == 300 - killed_at
    assert [i["where"] for i in summary["issues"]] == [str(folder / "broken.docx")]
    report: IngestReport = ingest(spark, [str(folder)], clean.url, **plugins)
    assert report.documents == 300
    assert dump(killed) == dump(clean)
    if plugins is ORGS:
        with clean.session() as s:
            assert s.scalar(select(func.count()).select_from(Organization).where(Organization.is_candidate)) > 20
