"""Projects read from the sample news and ../shared/corpus/news against the hand list
(tests/fixtures/invest/projects_gold.yaml): precision and recall on the design half (pages
read while writing the reader) and on the check half (pages only measured)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from chainatlas.ingest.pipeline import ingest_paths
from chainatlas.invest.build import page_city, report_region, reports_of
from chainatlas.invest.evaluate import Score, score
from chainatlas.regions import RegionIndex
from chainatlas.settings import DATA_DIR
from chainatlas.store import Store, open_store
from chainatlas.store.models import Document
from tests.conftest import SHARED

GOLD = Path(__file__).parent / "fixtures" / "invest" / "projects_gold.yaml"
SAMPLE = DATA_DIR / "sample_news" / "pages"
CORPUS = SHARED / "corpus" / "news"


def _half(doc_key: str, pages: dict) -> str:
    if doc_key in pages:
        return pages[doc_key]["half"]
    number = int(doc_key.split("_")[0])
    return "design" if number % 2 == 0 else "check"


def _scores(store: Store) -> dict[str, Score]:
    gold = yaml.safe_load(GOLD.read_text(encoding="utf-8"))
    out = {"design": Score(), "check": Score()}
    with store.session() as s:
        index = RegionIndex(s)
        by_doc: dict[str, list[dict]] = {}
        for g in gold["projects"]:
            g = dict(g)
            g["region_adcode"] = index.get(g["region"]).adcode
            by_doc.setdefault(str(g["doc"]), []).append(g)
        for doc in s.query(Document).filter(Document.near_duplicate_of.is_(None)):
            city = page_city(doc)
            predicted = [(r, report_region(r, doc.region_adcode, city)) for r in reports_of(doc, s)]
            score(by_doc.get(doc.doc_key, []), predicted, into=out[_half(doc.doc_key, gold["pages"])])
    return out


@pytest.fixture(scope="module")
def news_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    if not CORPUS.is_dir():
        pytest.skip(f"../shared/corpus/news not found at {CORPUS} (set CHAINATLAS_SHARED)")
    path = tmp_path_factory.mktemp("invest") / "news.db"
    store = open_store(f"sqlite:///{path}")
    from chainatlas.bootstrap import ensure_reference_data

    ensure_reference_data(store)
    ingest_paths(store, [SAMPLE, CORPUS], workers=1)
    return store


def test_projects_against_the_hand_list(news_store: Store) -> None:
    scores = _scores(news_store)
    for half, sc in scores.items():
        print(half, sc.as_dict(), "misses:", sc.misses, "extras:", sc.extras, "wrong:", sc.wrong)
    design, check = scores["design"], scores["check"]
    assert design.gold >= 10 and check.gold >= 2
    # Bars set below what the reader reaches, so that a regression fails the test.
    assert design.precision >= 0.75 and design.recall >= 0.75
    assert design.exact_recall >= 0.6
    assert check.recall >= 0.5


def test_a_ceremony_naming_three_projects_yields_three(news_store: Store) -> None:
    with news_store.session() as s:
        doc = s.query(Document).filter(Document.doc_key == "taizhou-signing-2024").one()
        names = sorted(r.name for r in reports_of(doc))
    assert names == sorted(["江苏研诺医药科技高端制剂项目", "华诺泰带状疱疹疫苗项目", "润方生物动物药项目"])
