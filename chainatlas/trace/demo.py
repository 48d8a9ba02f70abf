"""The bundled traceability demo: location links and the herb / drug-batch lineages."""

from __future__ import annotations

from dataclasses import dataclass

from chainatlas.store import Store
from chainatlas.trace.capture import capture_file
from chainatlas.trace.locations import DEFAULT_FILE, load_locations

DEMO_DIR = DEFAULT_FILE.parent / "demo"


@dataclass
class TraceDemoReport:
    locations: int
    stored: int
    duplicates: int

    def __str__(self) -> str:
        return f"{self.locations} 位置 locations, {self.stored} 事件入库 events stored, {self.duplicates} 重复 duplicates"


def load_trace_demo(store: Store) -> TraceDemoReport:
    """Idempotent: a second run stores nothing new (events are identified by eventID / hash)."""
    with store.session() as s:
        n = load_locations(s, DEFAULT_FILE)
    stored = duplicates = 0
    for f in sorted(DEMO_DIR.glob("*.jsonld")):
        r = capture_file(store, f)
        stored, duplicates = stored + r.stored, duplicates + r.duplicates
    return TraceDemoReport(n, stored, duplicates)
