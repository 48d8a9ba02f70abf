"""精准招商 in ``chainatlas demo``: the projects and timing signals read from the stored news."""

from __future__ import annotations

from chainatlas.invest.build import build_projects
from chainatlas.invest.signals import build_signals
from chainatlas.store import Store


def load_invest_demo(store: Store) -> str:
    """Read projects and signals from whatever news the store holds (idempotent)."""
    with store.session() as session:
        projects = build_projects(session)
        signals = build_signals(session)
    return f"{projects} · 时机信号 signals {signals}"
