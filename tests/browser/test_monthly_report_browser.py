"""The task force's monthly report from the dashboard, on a laptop and on a phone (#15)."""

from __future__ import annotations

import openpyxl
import pytest

from .conftest import shot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)])
def test_dashboard_exports_and_prints_the_monthly_report(browser, live_server, tmp_path, width, height) -> None:  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True, locale="zh-CN")
    page = ctx.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(live_server["base"] + "/dashboard/321200")
    page.wait_for_selector("[data-testid=indicator-row], h1")
    with page.expect_download() as dl:
        page.click("[data-testid=monthly-xlsx]")
    path = tmp_path / "monthly.xlsx"
    dl.value.save_as(path)
    assert dl.value.suggested_filename.startswith("泰州市产业链月报")
    wb = openpyxl.load_workbook(path)
    assert "断链" in wb.sheetnames and wb["说明"]["B1"].value.startswith("泰州市")
    page.click("[data-testid=monthly-print]")
    page.wait_for_selector("[data-testid=monthly-report]")
    assert "产业链月报" in page.inner_text("h1")
    shot(page, f"monthly-report-{width}")
    ctx.close()
    assert problems == []
