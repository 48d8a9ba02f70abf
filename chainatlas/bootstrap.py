"""Load the bundled reference data into a store when it is missing or out of date.

Each data set is recorded in ``reference_data`` with the digest of the files it came
from, so opening a store is cheap when nothing changed and reloads when the team
edits a data file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy import select

from chainatlas.store import Store
from chainatlas.store.models import ReferenceData


def files_digest(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _loaders() -> list[tuple[str, Callable[[], list[Path]], Callable[..., None]]]:
    # Imported here: each capability owns its loader; bootstrap only orders them.
    from chainatlas.regions.load import load_parks, load_regions, park_files, region_files
    from chainatlas.taxonomy.load import load_taxonomy, taxonomy_files

    return [
        ("regions", region_files, load_regions),
        ("parks", park_files, load_parks),
        ("taxonomy", taxonomy_files, load_taxonomy),
    ]


def ensure_reference_data(store: Store, *, progress: bool = True, force: bool = False) -> list[str]:
    """Load what is missing or changed; return the names of the data sets (re)loaded."""
    loaded: list[str] = []
    for name, files, load in _loaders():
        digest = files_digest(files())
        with store.session() as s:
            row = s.get(ReferenceData, name)
            if row is not None and row.digest == digest and not force:
                continue
            load(s, progress=progress)
            if row is None:
                s.add(ReferenceData(name=name, digest=digest))
            else:
                row.digest = digest
        loaded.append(name)
    return loaded


def loaded_digests(store: Store) -> dict[str, str]:
    with store.session() as s:
        return {r.name: r.digest for r in s.scalars(select(ReferenceData))}
