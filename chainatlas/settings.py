"""One Settings object: where the store lives and where bundled data is.

Precedence for the database URL: an explicit ``--db`` option, then ``CHAINATLAS_DB``,
then a SQLite file ``chainatlas.db`` in the working directory (the embedded default).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
DEFAULT_SQLITE_FILE = "chainatlas.db"


def default_db_url() -> str:
    return os.environ.get("CHAINATLAS_DB") or f"sqlite:///{Path.cwd() / DEFAULT_SQLITE_FILE}"


@dataclass(frozen=True)
class Settings:
    db_url: str = field(default_factory=default_db_url)
    data_dir: Path = DATA_DIR
    # Shared reference material (corpus, conformance suites) lives beside the repo;
    # features that need it say so when it is absent instead of failing obscurely.
    shared_dir: Path = field(
        default_factory=lambda: Path(os.environ.get("CHAINATLAS_SHARED", PACKAGE_DIR.parent.parent / "shared"))
    )


def get_settings(db_url: str | None = None) -> Settings:
    return Settings(db_url=db_url) if db_url else Settings()
