"""Helpers for tests that count report computations against ``analyse.version.data_version``."""

from __future__ import annotations

import time

from chainatlas.analyse.version import data_version
from chainatlas.store import Store


def settle_data_version(store: Store) -> None:
    """PostgreSQL publishes an idle connection's write counters (part of ``data_version``) up to
    10 s late; a late publication would look like a write in the middle of a test. Closing the
    pooled connections makes their backends publish as they exit; then wait until it shows."""
    if store.dialect != "postgresql":
        return
    store.engine.dispose()
    last, deadline = None, time.monotonic() + 15
    while time.monotonic() < deadline:
        with store.session() as s:
            now = data_version(s)
        if now == last:
            return
        last = now
        time.sleep(0.3)
