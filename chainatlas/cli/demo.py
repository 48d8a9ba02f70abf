"""``chainatlas demo``: the embedded default end to end — a SQLite store with the bundled
reference data, sample registry, targets, sample news and traceability records, then the web UI."""

from __future__ import annotations

from pathlib import Path

import typer

from chainatlas.cli.common import DbOpt, console, get_store, ingest_summary
from chainatlas.settings import DATA_DIR, Settings


def demo(
    db: DbOpt = None,
    serve: bool = typer.Option(True, "--serve/--no-serve", help="之后启动网页 / start the web UI afterwards"),
    open_browser: bool = typer.Option(True, "--open/--no-open", help="打开浏览器 / open a browser"),
    port: int = typer.Option(8000, help="端口 / port"),
    shared: bool = typer.Option(
        True, "--shared/--no-shared", help="若存在 ../shared 的新闻语料与医疗器械标准目录也一并导入 / also load ../shared/corpus/news "
             "and the shared NMPA standards catalogue if present"
    ),
    workers: int = typer.Option(2, help="并行进程数 / ingest worker processes"),
) -> None:
    """演示：加载示例数据并打开网页 / load the bundled sample data and open the web UI."""
    from chainatlas.analyse.targets import load_targets
    from chainatlas.ingest.pipeline import ingest_paths
    from chainatlas.invest.demo import load_invest_demo
    from chainatlas.market.demo import load_market_demo
    from chainatlas.registry.sample import load_sample
    from chainatlas.standards.sample import load_standards_demo
    from chainatlas.trace.demo import load_trace_demo

    store = get_store(db)
    console.rule("[bold]ChainAtlas 演示 / demo")
    console.print(f"数据库 store: {store.url}")
    console.print(f"示例企业库 sample registry: {load_sample(store)}")
    console.print(f"指标目标 indicator targets: {load_targets(store)}")
    paths: list[Path] = [DATA_DIR / "sample_news" / "pages"]
    corpus = Settings().shared_dir / "corpus" / "news"
    if shared and corpus.is_dir():
        paths.append(corpus)
    report = ingest_paths(store, paths, workers=workers, progress=True)
    console.print(f"新闻导入 news ingest: {ingest_summary(report)}")
    console.print(f"项目库 projects: {load_invest_demo(store)}")
    console.print(f"溯源示例 traceability demo: {load_trace_demo(store)}")
    console.print(f"科创供应链示例 marketplace demo: {load_market_demo(store)}")
    for line in load_standards_demo(store, shared=shared):
        console.print(f"标准云享站 standards: {line}")
    if serve:
        from chainatlas.cli.serve import run_server

        run_server(store.url, host="127.0.0.1", port=port, open_browser=open_browser)
