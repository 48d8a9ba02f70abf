"""Two ``chainatlas ingest`` processes at once, on the same and on overlapping folders, with
searches running beside them, on SQLite and PostgreSQL: the store ends exactly as one run
over the union leaves it (documents, facts, organizations — no duplicate candidate), and
search finds every document (issue 16, item 3)."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO
from sqlalchemy import func, select

from chainatlas.store import Store
from chainatlas.store.models import Document, Mention, Organization, OrganizationAlias

FIXTURES = REPO / "tests" / "fixtures" / "ingest"
sys.path.insert(0, str(FIXTURES))
from support import article, canonical_dump, sidebar  # noqa: E402

CLI = str(REPO / ".venv" / "bin" / "chainatlas")
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(FIXTURES), os.environ.get("PYTHONPATH", "")])}
# Every page also names one of a few partner firms: the same candidate is met by both runs
# again and again, which is where concurrent runs used to make one candidate each.
PARTNERS = [f"{c}{k}" for c in ("泰州", "武汉", "成都", "苏州") for k in ("康宁生物科技有限公司", "瑞博医药科技有限公司")]


def write_pages(folder: Path, n: int, seed: int, tag: str) -> list[str]:
    """``n`` pages, each with a marker word of its own (to search for), every 25th a near
    duplicate of the one before (kept inside one folder: which of the two is the original
    follows storing order, so a pair split across two runs' inputs could come out either way)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    markers = []
    body = ""
    for i in range(n):
        if i % 25 != 24:
            body = article(i + seed * 1000, rng) + f"\n\n合作伙伴{PARTNERS[rng.randrange(len(PARTNERS))]}参与建设,总投资3亿元。"
        marker = f"{tag}x{i:04d}"
        markers.append(marker)
        (folder / f"p{i:04d}.txt").write_text(f"{body}\n\n项目编号 {marker} 。{sidebar(rng)}", encoding="utf-8")
    return markers


def run(db: str, *paths: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([CLI, "ingest", *map(str, paths), "--db", db, "--workers", "2", "--quiet",
                             "--extractor", "fakes:fake_extract_orgs", "--persister", "chainatlas.resolve.persist:persist"],
                            env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


_READER = """
import sys, time
from chainatlas.store import Store
from chainatlas.search import search
store = Store(sys.argv[1])
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    with store.session() as s:
        search(s, "项目编号")
    time.sleep(0.05)
"""


def org_dump(store: Store) -> dict[str, list[tuple]]:
    """Organizations by name key (ids and which page happened to name one first left out) and
    what each mention links to."""
    with store.session() as s:
        keys = dict(s.execute(select(Organization.id, Organization.name_key)).all())
        docs = dict(s.execute(select(Document.id, Document.content_hash)).all())
        return {
            "organization": sorted((o.name, o.name_key, o.kind, bool(o.is_candidate))
                                   for o in s.scalars(select(Organization))),
            "alias": sorted((keys[a.organization_id], a.alias_key) for a in s.scalars(select(OrganizationAlias))),
            "mention": sorted((docs[m.document_id], m.surface, keys.get(m.organization_id))
                              for m in s.scalars(select(Mention))),
        }


def both_at_once(db: str, first: list[Path], second: list[Path], seconds: float = 240) -> None:
    reader = subprocess.Popen([sys.executable, "-c", _READER, db, "20"], env=ENV)
    a, b = run(db, *first), run(db, *second)
    for proc in (a, b):
        out, err = proc.communicate(timeout=seconds)
        assert proc.returncode == 0, err.decode()[-2000:]
    reader.wait(timeout=60)


def every_page_found(store: Store, markers: list[str]) -> None:
    from chainatlas.search import search

    with store.session() as s:
        missing = [m for m in markers if search(s, m, kind="document").total != 1]
        n = s.scalar(select(func.count()).select_from(Document))
    assert not missing, f"{len(missing)} of {len(markers)} pages not found by search, e.g. {missing[:5]}"
    assert n == len(markers)


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["same", "overlapping"])
def test_two_ingests_at_once_equal_one_run(store: Store, tmp_path: Path, shape: str, _sqlite_template: Path) -> None:
    root = tmp_path / "c"
    markers = write_pages(root / "a", 40, 1, "aa") + write_pages(root / "b", 40, 2, "bb") \
        + write_pages(root / "c", 40, 3, "cc")
    if shape == "same":
        both_at_once(store.url, [root], [root])
    else:
        both_at_once(store.url, [root / "a", root / "b"], [root / "b", root / "c"])
    shutil.copy(_sqlite_template, tmp_path / "clean.db")
    clean = Store(f"sqlite:///{tmp_path / 'clean.db'}")
    once = run(clean.url, root)
    _, err = once.communicate(timeout=240)
    assert once.returncode == 0, err.decode()[-2000:]
    with store.session() as s:
        duplicated = s.execute(select(Organization.name_key).where(Organization.is_candidate.is_(True))
                               .group_by(Organization.name_key).having(func.count() > 1)).all()
    assert duplicated == []
    assert org_dump(store) == org_dump(clean)
    assert canonical_dump(store) == canonical_dump(clean)
    every_page_found(store, markers)
    clean.dispose()
