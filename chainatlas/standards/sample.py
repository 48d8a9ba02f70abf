"""The demo's standards: the bundled sample, then the shared NMPA catalogue when it is present."""

from __future__ import annotations

from chainatlas.settings import DATA_DIR, Settings
from chainatlas.standards.catalogue import read_catalogue
from chainatlas.standards.importer import import_catalogue
from chainatlas.store import Store

SAMPLE = DATA_DIR / "standards" / "sample.csv"
SHARED_CATALOGUE = "data/standards/RASAAS-docmcp-knowledge/nmpa/standards"


def load_standards_demo(store: Store, *, shared: bool = True) -> list[str]:
    """Idempotent: a second run records no changes."""
    out = [str(import_catalogue(store, read_catalogue([SAMPLE], source="ChainAtlas 示例标准")))]
    folder = Settings().shared_dir / SHARED_CATALOGUE
    if shared and folder.is_dir():
        out.append(str(import_catalogue(store, read_catalogue([folder]))))
    return out
