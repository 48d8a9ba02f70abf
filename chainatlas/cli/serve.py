"""``chainatlas serve``: the web UI and REST API on a local port."""

from __future__ import annotations

import gc
import logging
import threading
import webbrowser

import typer

from chainatlas.cli.common import DbOpt, console, get_store
from chainatlas.store import Store

log = logging.getLogger(__name__)


def run_server(db_url: str | None, *, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
               log_level: str = "info") -> None:
    import uvicorn

    from chainatlas.api.app import create_app

    store = get_store(db_url)
    app = create_app(store)
    # Everything loaded so far (libraries, taxonomy, regions: ~200k objects) lives as long as the
    # server. Freezing it keeps the collector from re-scanning it in every full collection,
    # each of which stalls all requests in flight (measured: ~170 ms per full pass → the p99).
    # Requests free their objects by reference counting; the collector only has cycles left
    # to find, so it can run far less often than CPython's default (every 700 allocations).
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 10)
    threading.Thread(target=warm_up, args=(store,), name="chainatlas-warm-up", daemon=True).start()
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    console.print(f"ChainAtlas 网页 / web UI: [bold]{url}[/bold]  ·  API: {url}docs  ·  数据库 store: {store.url}")
    if open_browser:
        # Give uvicorn a moment to bind before the browser asks for the page.
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(app, host=host, port=port, log_level=log_level, proxy_headers=False)


def warm_up(store: Store) -> None:
    """Compute the home region's chain report while the server starts. At national scale the
    first report of a process costs seconds (it builds the organization directory); a visitor
    arriving meanwhile waits for this same computation instead of starting another."""
    from chainatlas.web import chain_view
    from chainatlas.web.views.dashboard import default_region

    try:
        with store.session() as s:
            chain_view.region_report(s, default_region(s))
    except Exception:  # noqa: BLE001 - never stop the server: the first visitor computes it instead
        log.warning("warm-up of the home region's chain report failed", exc_info=True)


def serve(
    db: DbOpt = None,
    host: str = typer.Option("127.0.0.1", help="监听地址 / interface to listen on (0.0.0.0 to share on a LAN)"),
    port: int = typer.Option(8000, help="端口 / port"),
    open_browser: bool = typer.Option(False, "--open/--no-open", help="打开浏览器 / open a browser"),
    log_level: str = typer.Option("info", help="日志级别 / log level (warning hides the access log)"),
) -> None:
    """启动网页与 API / start the web UI and REST API."""
    run_server(db, host=host, port=port, open_browser=open_browser, log_level=log_level)
