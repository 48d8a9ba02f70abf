"""End to end in a real browser: dashboard → chain map → click a gap node → its
organizations → Excel export → document with highlights; and untrusted text never runs."""

from __future__ import annotations

import re

import openpyxl
import pytest

from .conftest import shot
from .seed import XSS_NAME

pytestmark = pytest.mark.browser


def test_dashboard_to_gap_to_orgs_to_excel_to_document(page, live_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    base, ids = live_server["base"], live_server["ids"]
    page.goto(base + "/")
    assert re.search(r"/dashboard/321200$", page.url)
    page.wait_for_selector("h1")
    assert "泰州市" in page.inner_text("h1")
    shot(page, "01-dashboard")

    page.click("nav.mainnav >> text=产业链图谱")
    page.wait_for_selector("[data-testid=chain-map] canvas")
    page.wait_for_timeout(1000)  # let ECharts finish its first layout before reading positions
    shot(page, "02-chain-map")
    # Click the gap node *on the ECharts canvas*: ask the chart where the node is drawn.
    pos = page.evaluate("""() => {
        const el = document.getElementById('chainmap');
        const chart = echarts.getInstanceByDom(el);
        const data = chart.getOption().series[0].data;
        const idx = data.findIndex(n => n.id === 'bio.media');
        const layout = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(idx);
        const xy = chart.convertToPixel({seriesIndex: 0}, layout);
        const box = el.getBoundingClientRect();
        return {x: box.left + xy[0] + window.scrollX, y: box.top + xy[1] + window.scrollY, status: data[idx].status};
    }""")
    assert pos["status"] == "gap", pos
    page.mouse.click(pos["x"] - page.evaluate("window.scrollX"), pos["y"] - page.evaluate("window.scrollY"))
    page.wait_for_url(re.compile(r"node=bio\.media"))
    panel = page.wait_for_selector("[data-testid=node-panel]")
    assert "培养基" in panel.inner_text()
    assert "断链" in panel.inner_text()
    assert "武汉培养基科技有限公司" in panel.inner_text()  # candidate supplier outside 泰州
    shot(page, "03-gap-node")

    # The node's organization list (泰州 has none on 培养基: the gap), then the vaccine node's.
    page.click("[data-testid=node-org-list]")
    page.wait_for_selector("[data-testid=org-table]")
    assert "bio.media" in page.url
    page.goto(base + "/orgs?region=321200&node=bio.vaccine")
    rows = page.locator("[data-testid=org-table] tbody tr")
    shown = [rows.nth(i).locator("td").first.inner_text().strip() for i in range(rows.count())]
    assert "泰州疫苗生物有限公司" in shown[0]
    shot(page, "04-org-list")
    with page.expect_download() as dl:
        page.click("[data-testid=export-xlsx]")
    path = tmp_path / "orgs.xlsx"
    dl.value.save_as(path)
    ws = openpyxl.load_workbook(path).active
    names = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert names == [s.replace(" ?", "").strip() for s in shown]
    assert ws.cell(row=2, column=6).value == "12.3亿元"

    page.goto(f"{base}/documents/{ids['doc']}")
    page.wait_for_selector("[data-testid=doc-text]")
    assert page.locator(".hl-org").count() >= 1
    assert page.locator(".hl-figure").count() >= 1
    assert page.locator(".hl-event").count() >= 1
    assert page.locator(".seg.noise").count() == 2  # navigation and the sidebar, greyed
    link = page.locator("a.hl-org").first
    assert link.get_attribute("href") == f"/orgs/{ids['vac']}"
    shot(page, "05-document")
    link.click()
    page.wait_for_url(re.compile(rf"/orgs/{ids['vac']}$"))
    page.wait_for_selector("canvas")
    shot(page, "06-org-profile")
    assert not page.problems, page.problems  # type: ignore[attr-defined]


def test_untrusted_text_never_runs(page, live_server) -> None:  # type: ignore[no-untyped-def]
    base, ids = live_server["base"], live_server["ids"]
    urls = [f"/documents/{ids['doc']}", f"/documents/{ids['doc']}?view=original", "/news", "/search?q=泰州疫苗",
            "/search?q=恶意公司", f"/orgs/{ids['evil']}", "/orgs?region=321200", "/dashboard/321200",
            f"/orgs/{ids['vac']}", "/chain/321200?node=bio.vaccine", "/search?q=<script>window.__xss=7</script>"]
    for url in urls:
        page.goto(base + url)
        page.wait_for_load_state("load")
        page.mouse.move(200, 300)
        assert page.evaluate("typeof window.__xss") == "undefined", url
    # The payloads are on the page as text, visibly, not as elements.
    page.goto(f"{base}/documents/{ids['doc']}")
    text = page.inner_text("[data-testid=doc-text]")
    assert "<script>window.__xss=1</script>" in text
    assert page.locator("[data-testid=doc-text] script, [data-testid=doc-text] img").count() == 0
    assert page.locator("a[href^='javascript:']").count() == 0
    page.goto(f"{base}/orgs/{ids['evil']}")
    assert XSS_NAME in page.inner_text("h1")
    shot(page, "07-xss-escaped")
    assert not [p for p in page.problems if not p.startswith("console: Failed to load resource")], page.problems  # type: ignore[attr-defined]


def test_login_and_edit_with_csrf(page, live_server) -> None:  # type: ignore[no-untyped-def]
    base, ids = live_server["base"], live_server["ids"]
    page.goto(f"{base}/orgs/{ids['ab']}/edit")
    assert "/login" in page.url
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", "analyst password 1")
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(rf"/orgs/{ids['ab']}/edit$"))
    page.fill("input[name=listing_code]", "688001.SH")
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(rf"/orgs/{ids['ab']}$"))
    assert "688001.SH" in page.inner_text("main")
    cookie = next(c for c in page.context.cookies() if c["name"] == "chainatlas_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"


def test_tablet_and_english(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport={"width": 820, "height": 1180}, is_mobile=True, has_touch=True)
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    pg.goto(live_server["base"] + "/dashboard/321200?lang=en")
    assert "overview" in pg.inner_text("h1")
    shot(pg, "08-tablet-dashboard-en")
    pg.goto(live_server["base"] + "/chain/321200?node=bio.media")
    pg.wait_for_selector("[data-testid=node-panel]")
    assert "Gap" in pg.inner_text("[data-testid=node-panel]")  # the language stuck via its cookie
    shot(pg, "09-tablet-chain")
    ctx.close()
