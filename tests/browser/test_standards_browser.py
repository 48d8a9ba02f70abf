"""标准云享站 in a real browser: a number typed every which way, a word query filtered by status,
a standard's replacement timeline, 查新 and its Excel sheet."""

from __future__ import annotations

import openpyxl
import pytest

from chainatlas.standards.catalogue import read_catalogue
from chainatlas.standards.importer import import_catalogue
from chainatlas.standards.sample import SAMPLE
from chainatlas.store import open_store

from .conftest import shot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def catalogue(live_server: dict) -> dict:
    store = open_store(live_server["db"])
    import_catalogue(store, read_catalogue([SAMPLE], source="ChainAtlas 示例标准"))  # the server follows the revision
    store.dispose()
    return live_server


def test_search_filter_open_and_check(page, catalogue, tmp_path) -> None:  # type: ignore[no-untyped-def]
    base = catalogue["base"]
    page.goto(base + "/")
    page.click("nav.mainnav >> text=标准云享站")
    page.wait_for_selector("[data-testid=standards-search]")
    page.fill("[data-testid=standards-search] input[name=q]", "yy/t0287")
    page.press("[data-testid=standards-search] input[name=q]", "Enter")
    page.wait_for_selector("[data-testid=results] li[data-number]")
    numbers = page.eval_on_selector_all("[data-testid=results] li[data-number]", "els => els.map(e => e.dataset.number)")
    assert numbers == ["YY/T 0287-2017", "YY/T 0287-2003"]
    shot(page, "std-01-number")

    page.fill("[data-testid=standards-search] input[name=q]", "质量管理体系")
    page.press("[data-testid=standards-search] input[name=q]", "Enter")
    page.wait_for_selector("[data-facet=status]")
    assert page.locator("[data-testid=results] mark").first.inner_text() == "质量管理体系"
    page.click("[data-facet=status] >> text=现行")
    page.wait_for_url("**status=**")
    statuses = page.eval_on_selector_all("[data-testid=results] .badge[data-status]", "els => els.map(e => e.dataset.status)")
    assert statuses == ["现行"]
    shot(page, "std-02-words-current")

    page.click("[data-testid=results] li[data-number] a")
    page.wait_for_selector("[data-testid=standard-chain]")
    chain = page.inner_text("[data-testid=standard-chain]")
    assert chain.index("YY/T 0287-2003") < chain.index("YY/T 0287-2017") < chain.index("GB/T 42061-2022")
    assert "ISO 13485:2016" in page.inner_text("[data-testid=standard-fields]")
    shot(page, "std-03-standard")

    page.goto(base + "/standards/check")
    page.fill("[data-testid=check-form] textarea", "YY/T 0287-2017\nGBT 16886.5\nISO 10993-5\n不是标准号")
    page.click("[data-testid=check-form] button")
    page.wait_for_selector("[data-testid=check-table]")
    rows = page.locator("[data-testid=check-table] tbody tr")
    assert rows.count() == 4
    assert "GB/T 42061-2022" in rows.nth(0).inner_text()
    shot(page, "std-04-check")
    with page.expect_download() as dl:
        page.click("[data-testid=check-excel]")
    path = tmp_path / "check.xlsx"
    dl.value.save_as(path)
    ws = openpyxl.load_workbook(path).active
    values = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert [v[2] for v in values] == ["废止", "现行", "现行", "无法识别"]
    assert values[0][5] == "GB/T 42061-2022"
    assert page.problems == []  # type: ignore[attr-defined]
