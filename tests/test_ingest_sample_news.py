"""The bundled sample news: ``chainatlas demo`` ingests the pages only, never the folder's
README/SOURCES notes (chainatlas.cli.demo, chainatlas/data/sample_news/pages)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from chainatlas.ingest.discover import InputFile, iter_inputs
from chainatlas.ingest.prepare import prepare_path
from chainatlas.settings import DATA_DIR


def _demo_paths(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    import chainatlas.analyse.targets as targets
    import chainatlas.cli.demo as demo_mod
    import chainatlas.ingest.pipeline as pipeline
    import chainatlas.invest.demo as invest_demo
    import chainatlas.market.demo as market_demo
    import chainatlas.registry.sample as sample
    import chainatlas.standards.sample as standards_sample
    import chainatlas.trace.demo as trace_demo

    seen: list[Path] = []

    def fake_ingest(store: Any, paths: Any, **kw: Any) -> pipeline.IngestReport:
        seen.extend(Path(p) for p in paths)
        return pipeline.IngestReport()

    monkeypatch.setattr(demo_mod, "get_store", lambda db: SimpleNamespace(url="sqlite://"))
    monkeypatch.setattr(sample, "load_sample", lambda store: 0)
    monkeypatch.setattr(targets, "load_targets", lambda store: 0)
    monkeypatch.setattr(trace_demo, "load_trace_demo", lambda store: 0)
    monkeypatch.setattr(market_demo, "load_market_demo", lambda store: 0)
    monkeypatch.setattr(invest_demo, "load_invest_demo", lambda store: "")
    monkeypatch.setattr(standards_sample, "load_standards_demo", lambda store, shared: [])
    monkeypatch.setattr(pipeline, "ingest_paths", fake_ingest)
    demo_mod.demo(db=None, serve=False, open_browser=False, port=0, shared=False, workers=1)
    return seen


def test_demo_ingests_pages_not_notes(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _demo_paths(monkeypatch)
    files = [e.path for e in iter_inputs(paths) if isinstance(e, InputFile)]
    names = {p.name for p in files}
    assert "README.md" not in names and "SOURCES.md" not in names
    assert {"taizhou-vaccine-2024.html", "gedian-2024.html", "jingjinji-2024.jsonl"} <= names


def test_notes_stay_beside_the_pages() -> None:
    folder = DATA_DIR / "sample_news"
    assert (folder / "README.md").is_file() and (folder / "SOURCES.md").is_file()
    assert not list(folder.glob("*.html")) and not list(folder.glob("*.txt"))


def test_gbk_page_moved_byte_for_byte() -> None:
    page = DATA_DIR / "sample_news" / "pages" / "gedian-2024.html"
    raw = page.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    doc = next(prepare_path(page))
    assert doc.encoding.lower().replace("-", "") in {"gbk", "gb18030", "gb2312"}
    assert "葛店" in doc.normalized_text
