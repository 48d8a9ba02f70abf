"""The chain report cache: one computation for concurrent first requests, stale-while-revalidate after."""

from __future__ import annotations

import threading
import time

import pytest
from browser.seed import seed_web

from chainatlas.store import Store
from chainatlas.web import chain_view as cv


def test_report_cache_single_flight_and_refresh(sqlite_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    seed_web(sqlite_store)
    cv.clear_reports()
    calls = []
    real = cv._compute

    def counting(session, region):  # type: ignore[no-untyped-def]
        calls.append(region)
        time.sleep(0.2)
        return real(session, region)

    monkeypatch.setattr(cv, "_compute", counting)
    results = []

    def visit() -> None:
        with sqlite_store.session() as s:
            results.append(cv.region_report(s, "321200"))

    threads = [threading.Thread(target=visit) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and all(r is results[0] for r in results)
    assert cv.node_status(results[0])["bio.media"] == "gap"

    monkeypatch.setattr(cv, "REPORT_TTL", 0.0)
    with sqlite_store.session() as s:
        stale = cv.region_report(s, "321200")
    assert stale is results[0]  # served at once, while a refresh runs in the background
    for _ in range(100):
        if len(calls) == 2 and cv._reports and next(iter(cv._reports.values()))[1] is not stale:
            break
        time.sleep(0.05)
    assert len(calls) == 2
    cv.clear_reports()
