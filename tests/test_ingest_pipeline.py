"""The ingest pipeline on SQLite and PostgreSQL: storing, idempotence, near-duplicates,
the bad-file corpus, parallel workers, and kill -9 then rerun (ingest.pipeline)."""

from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, shared_path
from sqlalchemy import func, select

from chainatlas.ingest.pipeline import ingest_paths
from chainatlas.store import Store, open_store
from chainatlas.store.models import Document, IngestIssue, Metric

FIXTURES = REPO / "tests" / "fixtures" / "ingest"
sys.path.insert(0, str(FIXTURES))
from support import canonical_dump, write_corpus  # noqa: E402  (test helpers live beside the fixtures)

FAKES = {"extractor": "fakes:fake_extract", "persister": "fakes:fake_persist"}
CLI_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(FIXTURES), os.environ.get("PYTHONPATH", "")])}


def count(store: Store, model: type) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_ingest_folder_and_rerun_changes_nothing(store: Store, tmp_path: Path) -> None:
    write_corpus(tmp_path / "c", 30)
    report = ingest_paths(store, [tmp_path / "c", FIXTURES], workers=1, progress=False, **FAKES)
    assert report.rejected == [] and report.exit_code == 0
    assert report.documents == 32 and report.near_duplicates == 1
    with store.session() as s:
        doc = s.scalar(select(Document).where(Document.doc_key == "traditional_pinyin"))
        assert doc is not None and doc.encoding == "utf-8"
        assert "協(xié)同" in doc.original_text and "协同" in doc.normalized_text
        assert doc.segments and doc.offset_map and doc.minhash
        gbk = s.scalar(select(Document).where(Document.doc_key == "doc00001"))
        assert gbk is not None and gbk.encoding in {"gbk", "gb18030"}
    before = canonical_dump(store)
    metrics = count(store, Metric)
    assert metrics > 30
    again = ingest_paths(store, [tmp_path / "c", FIXTURES], workers=1, progress=False, **FAKES)
    assert again.documents == 0 and again.unchanged == 32
    assert canonical_dump(store) == before


def test_near_duplicate_linked_and_facts_not_stored_twice(store: Store, tmp_path: Path) -> None:
    paths = write_corpus(tmp_path / "c", 25)
    ingest_paths(store, paths, workers=1, progress=False, **FAKES)
    with store.session() as s:
        dup = s.scalar(select(Document).where(Document.doc_key == "doc00024"))
        orig = s.scalar(select(Document).where(Document.doc_key == "doc00023"))
        assert dup is not None and orig is not None
        assert dup.near_duplicate_of == orig.id and dup.status == "near_duplicate"
        assert s.scalar(select(func.count()).where(Metric.document_id == dup.id)) == 0
        assert s.scalar(select(func.count()).where(Metric.document_id == orig.id)) > 0


def _bad_corpus(folder: Path) -> dict[str, str]:
    """Bad files of each kind, with the code each must be rejected with."""
    from pypdf import PdfWriter

    folder.mkdir()
    (folder / "good.txt").write_text("泰州医药城今年新签约项目20个,总投资85亿元,涵盖疫苗和高端医疗器械等领域。" * 3,
                                     encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.md").write_bytes(b"   \n\n")
    page = "<html><head><title>新闻</title></head><body><article><p>" + "泰州医药城正式启用。" * 30
    (folder / "truncated.html").write_text(page + "</p><div class=", encoding="utf-8")
    with (folder / "huge.txt").open("wb") as fh:  # 50 MB, generated here, never committed
        chunk = ("泰州医药城新闻。" * 4096).encode("utf-8")
        for _ in range(50 * 1024 * 1024 // len(chunk) + 1):
            fh.write(chunk)
    rng = random.Random(5)
    (folder / "mojibake.txt").write_bytes(bytes(rng.randint(0x81, 0xFE) for _ in range(4000)))
    w = PdfWriter()
    w.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    w.write(buf)
    (folder / "scanned.pdf").write_bytes(buf.getvalue())
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\n1 0 obj <</Type /Catalog>> garbage")
    (folder / "broken.docx").write_bytes(b"PK\x03\x04not a zip at all")
    (folder / "feed.jsonl").write_text(
        json.dumps({"url": "https://x.cn/ok", "title": "好", "text": "泰州医药城新签约项目20个,总投资85亿元。" * 3},
                   ensure_ascii=False) + "\n{broken json\n", encoding="utf-8")
    return {
        "binary.txt": "E404", "empty.txt": "E403", "blank.md": "E403", "truncated.html": "E407",
        "huge.txt": "E405", "mojibake.txt": "E406", "scanned.pdf": "E408", "broken.pdf": "E410",
        "broken.docx": "E409", "feed.jsonl:2": "E411",
    }


def test_bad_file_corpus_reported_rest_goes_in(store: Store, tmp_path: Path) -> None:
    expected = _bad_corpus(tmp_path / "bad")
    report = ingest_paths(store, [tmp_path / "bad", tmp_path / "missing.txt"], workers=1, progress=False,
                          **FAKES)
    got = {Path(r.where).name: r.code for r in report.rejected}
    assert got == {**expected, "missing.txt": "E401"}
    assert report.documents == 2 and report.exit_code == 1
    with store.session() as s:
        issues = {Path(i.path).name: (i.code, i.reason) for i in s.scalars(select(IngestIssue))}
    assert {k: v[0] for k, v in issues.items()} == {**expected, "missing.txt": "E401"}
    assert "scanned" in issues["scanned.pdf"][1] and "line 2" in issues["feed.jsonl:2"][1]
    assert "--max-bytes" in issues["huge.txt"][1]
    # A rerun reports them again but keeps one issue row per input.
    ingest_paths(store, [tmp_path / "bad"], workers=1, progress=False, **FAKES)
    assert count(store, IngestIssue) == len(expected) + 1


def test_extraction_failure_reported_and_retried(store: Store, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("泰州医药城新签约项目20个,总投资85亿元。EXPLODE", encoding="utf-8")
    (tmp_path / "b.txt").write_text("泰州医药城新签约项目21个,总投资86亿元。", encoding="utf-8")
    report = ingest_paths(store, [tmp_path], workers=1, progress=False, extractor="fakes:failing_extract",
                          persister="fakes:fake_persist")
    assert [(Path(r.where).name, r.code) for r in report.rejected] == [("a.txt", "E420")]
    assert report.documents == 1


def test_parallel_workers_equal_inline(store: Store, tmp_path: Path) -> None:
    write_corpus(tmp_path / "c", 40, seed=3)
    ingest_paths(store, [tmp_path / "c"], workers=2, progress=False, batch_size=3, **FAKES)
    reference = open_store(f"sqlite:///{tmp_path / 'ref.db'}")
    ingest_paths(reference, [tmp_path / "c"], workers=1, progress=False, **FAKES)
    assert canonical_dump(store) == canonical_dump(reference)
    reference.dispose()


def test_missing_extractor_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    from chainatlas.errors import IngestError

    with pytest.raises(IngestError) as err:
        ingest_paths(store, [tmp_path], progress=False, extractor="chainatlas.nope:extract",
                     persister="fakes:fake_persist")
    assert err.value.code == "E430"


def _cli(db_url: str, folder: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "chainatlas"), "ingest", str(folder), "--db", db_url, "--workers", "2",
         "--quiet", "--extractor", FAKES["extractor"], "--persister", FAKES["persister"], *extra],
        env=CLI_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def _descendants(pid: int) -> list[int]:
    """Descendant process ids (Linux /proc; empty elsewhere)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.slow
def test_kill_9_then_rerun_equals_clean_run(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    write_corpus(folder, 240, seed=11)
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 broken")
    proc = _cli(store.url, folder)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        if count(store, Document) >= 30:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "ingest finished before it could be killed: make the corpus bigger"
    helpers = _descendants(proc.pid)  # the forkserver and the workers
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_at = count(store, Document)
    # Nothing of the killed run stays behind holding memory: the workers exit with it.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_alive(p) for p in helpers):
        time.sleep(0.2)
    assert not [p for p in helpers if _alive(p)], "worker processes outlived the killed ingest"
    assert 0 < killed_at < 240
    rerun = _cli(store.url, folder)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 1, err.decode()  # the broken .docx is reported: exit code 1
    clean = f"sqlite:///{tmp_path / 'clean.db'}"
    once = _cli(clean, folder)
    once.communicate(timeout=300)
    assert once.returncode == 1
    clean_store = Store(clean)
    assert canonical_dump(store) == canonical_dump(clean_store)
    assert count(store, Document) == 240
    clean_store.dispose()


def test_cli_exit_codes(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    good = tmp_path / "good"
    good.mkdir()
    (good / "a.txt").write_text("泰州医药城新签约项目20个,总投资85亿元,涵盖疫苗领域。", encoding="utf-8")
    ok = subprocess.run([str(REPO / ".venv" / "bin" / "chainatlas"), "ingest", str(good), "--db", db, "--json",
                         "--extractor", FAKES["extractor"], "--persister", FAKES["persister"]],
                        env=CLI_ENV, capture_output=True, timeout=120)
    assert ok.returncode == 0, ok.stderr.decode()
    summary = json.loads(ok.stdout.decode().strip().splitlines()[-1])
    assert summary["documents"] == 1 and summary["rejected"] == 0
    (good / "b.pdf").write_bytes(b"%PDF-1.4 nonsense")
    bad = subprocess.run([str(REPO / ".venv" / "bin" / "chainatlas"), "ingest", str(good), "--db", db, "--json",
                          "--extractor", FAKES["extractor"], "--persister", FAKES["persister"]],
                         env=CLI_ENV, capture_output=True, timeout=120)
    assert bad.returncode == 1
    summary = json.loads(bad.stdout.decode().strip().splitlines()[-1])
    assert summary["unchanged"] == 1 and summary["issues"][0]["code"] in ("E410", "E408")


def test_corpus_end_to_end_with_real_extraction(store: Store) -> None:
    """The default extractor and persister, when the extraction half is installed."""
    pytest.importorskip("chainatlas.resolve.persist", reason="chainatlas.resolve.persist not built yet")
    news = shared_path("corpus", "news")
    pages = len(list(Path(news).glob("*.txt")))  # the corpus grows (3 seed pages, then 43)
    report = ingest_paths(store, [news], workers=1, progress=False)
    assert pages >= 3 and report.documents == pages and report.exit_code == 0
    before = canonical_dump(store)
    again = ingest_paths(store, [news], workers=1, progress=False)
    assert again.unchanged == pages and canonical_dump(store) == before


def test_globs_folders_and_unsupported_types(store: Store, tmp_path: Path) -> None:
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    (nested / "one.txt").write_text("泰州医药城新签约项目20个,总投资85亿元,涵盖疫苗领域。", encoding="utf-8")
    (tmp_path / "a" / "two.md").write_text("# 标题\n\n武汉光谷生物城新增企业30家,总投资50亿元。", encoding="utf-8")
    (tmp_path / "a" / "photo.png").write_bytes(b"\x89PNG")  # inside a folder: skipped silently
    (tmp_path / "tool.exe").write_bytes(b"MZ")
    report = ingest_paths(store, [str(tmp_path / "a" / "**" / "*.txt"), tmp_path / "a", tmp_path / "tool.exe",
                                  str(tmp_path / "nothing-*.txt")], workers=1, progress=False, **FAKES)
    assert report.documents == 2 and report.unchanged == 0  # one.txt named twice, stored once
    assert sorted((Path(r.where).name, r.code) for r in report.rejected) == [
        ("nothing-*.txt", "E401"), ("tool.exe", "E402")]


# --- workers > 1 from a plain script (no __main__ guard), a guarded one, a server thread -------
SCRIPT_BODY = """
import sys, threading
sys.path.insert(0, {fixtures!r})
from chainatlas.ingest.pipeline import ingest_paths
from chainatlas.store import open_store

def run():
    store = open_store({db!r})
    report = ingest_paths(store, [{folder!r}], workers=2, progress=False,
                          extractor="fakes:fake_extract", persister="fakes:fake_persist")
    print("STORED", report.documents, len(report.rejected), flush=True)
"""
SCRIPT_MAIN = {
    "plain": "run()\n",
    "guarded": "if __name__ == '__main__':\n    run()\n",
    # as from a request handler of a server running in a thread of an unguarded script
    "thread": "t = threading.Thread(target=run)\nt.start()\nt.join()\n",
}


@pytest.mark.parametrize("shape", sorted(SCRIPT_MAIN))
def test_workers_from_a_script(tmp_path: Path, shape: str) -> None:
    write_corpus(tmp_path / "c", 12)
    db = f"sqlite:///{tmp_path / 'script.db'}"
    script = tmp_path / f"ingest_{shape}.py"
    script.write_text(SCRIPT_BODY.format(fixtures=str(FIXTURES), db=db, folder=str(tmp_path / "c"))
                      + SCRIPT_MAIN[shape], encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=240,
                          cwd=tmp_path, env=CLI_ENV)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("STORED") == 1, done.stdout  # the script ran once, not again in a worker
    assert "STORED 12 0" in done.stdout
