"""Test fixtures. Every test that takes ``store`` runs once on SQLite and, when
``CHAINATLAS_TEST_PG`` names a PostgreSQL server, once more on PostgreSQL. Each test gets
its own freshly migrated database (copied from a template migrated once per session)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from chainatlas.store import Store, open_store

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

PG_URL = os.environ.get("CHAINATLAS_TEST_PG")
REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CHAINATLAS_SHARED", REPO.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test with the reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared reference data not found at {path} (set CHAINATLAS_SHARED)")
    return path


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tmpl") / "template.db"
    store = open_store(f"sqlite:///{path}")
    _seed_reference(store)
    store.dispose()
    return path


def _seed_reference(store: Store) -> None:
    """Load the bundled reference data (taxonomy, regions, parks) every test may rely on."""
    from chainatlas.bootstrap import ensure_reference_data

    ensure_reference_data(store, progress=False)


def _pg_admin_url() -> str:
    return make_url(PG_URL).set(database="postgres").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def _pg_template() -> Iterator[str]:
    assert PG_URL
    name = f"ca_tmpl_{uuid.uuid4().hex[:8]}"
    admin = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    store = open_store(url)
    _seed_reference(store)
    store.dispose()
    yield name
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("_sqlite_template"), path)
        s = Store(f"sqlite:///{path}")
        yield s
        s.dispose()
        return
    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set CHAINATLAS_TEST_PG (make test does)")
    tmpl = request.getfixturevalue("_pg_template")
    name = f"ca_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{tmpl}"'))
    s = Store(make_url(PG_URL).set(database=name).render_as_string(hide_password=False))
    yield s
    s.dispose()
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def sqlite_store(tmp_path: Path, _sqlite_template: Path) -> Iterator[Store]:
    """SQLite only, for tests about the embedded default itself."""
    path = tmp_path / "test.db"
    shutil.copy(_sqlite_template, path)
    s = Store(f"sqlite:///{path}")
    yield s
    s.dispose()


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    """The whole web app over a store seeded with the web fixture data (tests/browser/seed.py);
    ``client.ids`` names the seeded rows. Test modules that mount a single router override it."""
    from browser.seed import seed_web
    from fastapi.testclient import TestClient

    from chainatlas.api.app import create_app

    ids = seed_web(store)
    with TestClient(create_app(store)) as c:
        c.ids = ids  # type: ignore[attr-defined]
        c.store = store  # type: ignore[attr-defined]
        yield c
