"""Browser tests: ``chainatlas serve`` in a subprocess on a random loopback port over a
seeded SQLite store, driven by Playwright through Debian's chromium (never a downloaded
browser). Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from chainatlas.bootstrap import ensure_reference_data
from chainatlas.store import open_store

from .seed import seed_web

CHROMIUM = Path(os.environ.get("CHAINATLAS_CHROMIUM", "/usr/bin/chromium"))
REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    if not CHROMIUM.exists():
        pytest.skip(f"chromium not found at {CHROMIUM}: apt-get update && apt-get install -y chromium")
    db = tmp_path_factory.mktemp("web") / "web.db"
    url = f"sqlite:///{db}"
    store = open_store(url)
    ensure_reference_data(store, progress=False)
    ids = seed_web(store)
    store.dispose()
    port = _free_port()
    log = open(db.parent / "server.log", "w")  # noqa: SIM115 - closed in teardown
    proc = subprocess.Popen([sys.executable, "-m", "chainatlas.cli.main", "serve", "--db", url, "--port", str(port),
                             "--no-open"], stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/api/regions", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                log.close()
                pytest.fail(f"chainatlas serve did not start: {(db.parent / 'server.log').read_text()[-2000:]}")
            time.sleep(0.3)
    yield {"base": base, "ids": ids, "db": url, "log": db.parent / "server.log"}
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser(live_server: dict) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server: dict, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A fresh context per test that records console errors, dialogs and CSP violations."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True, locale="zh-CN")
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)  # the machine is shared: allow slow first renders
    pg.problems = []  # type: ignore[attr-defined]
    pg.on("dialog", lambda d: (pg.problems.append(f"dialog: {d.message}"), d.dismiss()))
    pg.on("console", lambda m: m.type == "error" and pg.problems.append(f"console: {m.text}"))
    pg.on("pageerror", lambda e: pg.problems.append(f"pageerror: {e}"))
    yield pg
    ctx.close()


def shot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
