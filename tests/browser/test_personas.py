"""The four people the workbench is for, each walking their own path from the dashboard, at a
laptop's width (1366×768) and a phone's (390×844): typing into the boxes and submitting the forms
as they would, opening the workbooks they download, and failing on any console error.

- 产业链专班 (task force): dashboard → chain map → a gap node → its organization list → Excel.
- 招商局 (investment office): 企业库 filter form with its defaults and with each field → Excel →
  地区对比 typed as 「泰州 泰安」.
- 企业 (an enterprise): the search box with a short name and with 「GLP 毒理」 → profile → document.
- 质量经理 (quality manager): the trace box with a printed lot number and a 20-digit 药品追溯码 →
  recall with destinations → Excel; trace back → the planting base that produced the lot.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import openpyxl
import pytest

from .conftest import shot

pytestmark = pytest.mark.browser

WIDTHS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=list(WIDTHS))
def person(request, browser, live_server) -> Iterator[object]:  # type: ignore[no-untyped-def]
    size = request.param
    phone = size == "phone"
    ctx = browser.new_context(viewport=WIDTHS[size], is_mobile=phone, has_touch=phone, accept_downloads=True,
                              locale="zh-CN")
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    pg.problems = []  # type: ignore[attr-defined]
    pg.size = size  # type: ignore[attr-defined]
    pg.on("dialog", lambda d: (pg.problems.append(f"dialog: {d.message}"), d.dismiss()))
    pg.on("console", lambda m: m.type == "error" and pg.problems.append(f"console: {m.text}"))
    pg.on("pageerror", lambda e: pg.problems.append(f"pageerror: {e}"))
    pg.on("response", lambda r: r.status >= 500 and pg.problems.append(f"HTTP {r.status}: {r.url}"))
    yield pg
    ctx.close()


def _nav(page, label: str) -> None:  # type: ignore[no-untyped-def]
    """Follow a main-menu link the way this width shows it (behind ☰ on a phone)."""
    if page.locator("label.navbutton").is_visible():
        page.click("label.navbutton")
    page.click(f"nav.mainnav >> text={label}")
    page.wait_for_load_state("load")


def _no_overflow(page) -> None:  # type: ignore[no-untyped-def]
    """Nothing on the page is wider than the screen (tables scroll inside their own box)."""
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 1, f"page is {wide}px wider than the {page.size} screen"


def _download(page, selector: str, tmp_path, name: str):  # type: ignore[no-untyped-def]
    with page.expect_download() as dl:
        page.click(selector)
    path = tmp_path / name
    dl.value.save_as(path)
    return openpyxl.load_workbook(path)


def _clean(page) -> None:  # type: ignore[no-untyped-def]
    assert not page.problems, page.problems


def test_task_force_dashboard_to_gap_to_list_to_excel(person, live_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    page, base = person, live_server["base"]
    page.goto(base + "/")
    page.wait_for_selector("h1")
    assert "泰州市" in page.inner_text("h1")
    _no_overflow(page)
    _nav(page, "产业链图谱")
    page.wait_for_selector("a[data-node='bio.media']")
    assert page.locator("#chainmap").is_visible() == (page.size == "laptop")
    _no_overflow(page)
    shot(page, f"persona-taskforce-map-{page.size}")
    page.click("a[data-node='bio.media']")  # 培养基, the gap: the same link on every width
    page.wait_for_url(re.compile(r"node=bio\.media"))
    panel = page.wait_for_selector("[data-testid=node-panel]")
    assert panel.inner_text().startswith("培养基")
    assert "断链" in panel.inner_text() and "武汉培养基科技有限公司" in panel.inner_text()
    _no_overflow(page)
    shot(page, f"persona-taskforce-gap-{page.size}")
    page.click("[data-testid=node-org-list]")
    page.wait_for_selector("[data-testid=org-table]")
    assert "node=bio.media" in page.url
    page.goto(base + "/orgs?region=321200&node=bio.vaccine")
    wb = _download(page, "[data-testid=export-xlsx]", tmp_path, "orgs.xlsx")
    names = [r[0] for r in wb.active.iter_rows(min_row=2, values_only=True)]
    assert "泰州疫苗生物有限公司" in names
    _clean(page)


def test_task_force_map_click_hits_the_node_under_the_pointer(person, live_server) -> None:  # type: ignore[no-untyped-def]
    """With the node panel open the chart is narrower: a click on 培养基 must open 培养基."""
    page, base = person, live_server["base"]
    if page.size == "phone":
        page.goto(base + "/chain/321200?node=bio.vaccine")
        # A phone reads the chain as lists per sub-chain and stage, not as a squeezed drawing.
        assert not page.locator("#chainmap").is_visible()
        assert page.locator("a[data-node='bio.media']").is_visible()
        _clean(page)
        return
    page.goto(base + "/chain/321200?node=bio.vaccine")
    page.wait_for_selector("[data-testid=chain-map] canvas")
    page.wait_for_function("() => window.__chainmapReady === true")
    pos = page.evaluate("""() => {
        const el = document.getElementById('chainmap');
        const chart = echarts.getInstanceByDom(el);
        const data = chart.getOption().series[0].data;
        const idx = data.findIndex(n => n.id === 'bio.media');
        const layout = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(idx);
        const xy = chart.convertToPixel({seriesIndex: 0}, layout);
        const box = el.getBoundingClientRect();
        return {x: box.left + xy[0], y: box.top + xy[1], w: box.width, cw: chart.getWidth()};
    }""")
    assert abs(pos["w"] - pos["cw"]) <= 1, pos  # the chart has been laid out for the box it is drawn in
    page.mouse.click(pos["x"], pos["y"])
    page.wait_for_url(re.compile(r"node=bio\.media"))
    assert page.inner_text("[data-testid=node-panel] h2").startswith("培养基")
    _clean(page)


def test_sub_chain_map_draws_input_arrows_of_the_selected_node_only(person, live_server) -> None:  # type: ignore[no-untyped-def]
    page, base = person, live_server["base"]
    if page.size == "phone":
        pytest.skip("a phone shows the chain as lists, without arrows")
    links = """() => {
        const chart = echarts.getInstanceByDom(document.getElementById('chainmap'));
        const s = chart.getOption().series[0];
        const status = Object.fromEntries(s.data.map(n => [n.id, n.status]));
        return s.links.map(l => [l.source, l.target, status[l.source], status[l.target]]);
    }"""
    page.goto(base + "/chain/321200?subchain=bio")
    page.wait_for_function("() => window.__chainmapReady === true")
    drawn = page.evaluate(links)
    assert all(a == "covered" and b == "covered" for _s, _t, a, b in drawn), drawn
    page.goto(base + "/chain/321200?subchain=bio&node=bio.vaccine")
    page.wait_for_function("() => window.__chainmapReady === true")
    drawn = page.evaluate(links)
    assert ["bio.media", "bio.vaccine", "gap", "covered"] in drawn  # the gap's arrow, now that it matters
    assert all("bio.vaccine" in (s, t) or (a, b) == ("covered", "covered") for s, t, a, b in drawn), drawn
    _clean(page)


def test_investment_office_filters_exports_and_compares(person, live_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    page, base = person, live_server["base"]
    page.goto(base + "/")
    _nav(page, "企业库")
    form = "[data-testid=org-filters]"
    page.click(f"{form} button[type=submit]")  # every field at its default (全部)
    page.wait_for_selector("[data-testid=org-table]")
    assert "泰州疫苗生物有限公司" in page.inner_text("[data-testid=org-table]")
    for field, value, expect in (("region", "321200", "泰州疫苗生物有限公司"),
                                 ("node", "bio.vaccine", "泰州疫苗生物有限公司"),
                                 ("tier", "规上", "泰州疫苗生物有限公司"),
                                 ("kind", "enterprise", "泰州疫苗生物有限公司"),
                                 ("sort", "name", "泰州疫苗生物有限公司")):
        page.goto(base + "/orgs")
        page.select_option(f"{form} select[name={field}]", value)
        page.click(f"{form} button[type=submit]")
        page.wait_for_selector("[data-testid=org-table]")
        assert expect in page.inner_text("[data-testid=org-table]"), field
    page.goto(base + "/orgs")
    page.fill(f"{form} input[name=q]", "泰州疫苗")
    page.click(f"{form} button[type=submit]")
    rows = page.locator("[data-testid=org-table] tbody tr")
    assert rows.count() == 1 and "泰州疫苗生物有限公司" in rows.first.inner_text()
    _no_overflow(page)
    shot(page, f"persona-investment-orgs-{page.size}")
    wb = _download(page, "[data-testid=export-xlsx]", tmp_path, "filtered.xlsx")
    assert [r[0] for r in wb.active.iter_rows(min_row=2, values_only=True)] == ["泰州疫苗生物有限公司"]

    _nav(page, "地区对比")
    page.fill("input[name=regions]", "泰州 泰安")
    page.click("form.inline button[type=submit]")
    table = page.wait_for_selector("[data-testid=compare-table]")
    assert "泰州" in table.inner_text() and "泰安" in table.inner_text()
    _no_overflow(page)
    shot(page, f"persona-investment-compare-{page.size}")
    _clean(page)


def test_enterprise_searches_by_short_name_and_by_service(person, live_server) -> None:  # type: ignore[no-untyped-def]
    page, base, ids = person, live_server["base"], live_server["ids"]
    page.goto(base + "/")
    _nav(page, "搜索")
    box = "form.searchbox input[name=q]"
    page.fill(box, "GLP 毒理")
    page.press(box, "Enter")
    results = page.wait_for_selector("[data-testid=results]")
    assert "泰安安评药物研究有限公司" in results.inner_text()
    page.fill(box, "泰安安评")
    page.press(box, "Enter")
    page.wait_for_selector("[data-testid=results]")
    page.click(f"[data-testid=results] a[href='/orgs/{ids['glp']}']")
    page.wait_for_url(re.compile(rf"/orgs/{ids['glp']}$"))
    assert "泰安安评药物研究有限公司" in page.inner_text("h1")
    _no_overflow(page)
    shot(page, f"persona-enterprise-profile-{page.size}")
    page.click(f"a[href='/documents/{ids['glp_doc']}']")
    page.wait_for_selector("[data-testid=doc-text]")
    assert "GLP 毒理实验室" in page.inner_text("[data-testid=doc-text]")
    _no_overflow(page)
    _clean(page)


def test_quality_manager_recalls_a_printed_lot_and_traces_a_pack_back(person, live_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    page, base = person, live_server["base"]
    page.goto(base + "/")
    _nav(page, "追溯召回")
    page.fill("#recall-id", "ZCY2024100101")  # the lot number as printed on the pack
    page.click("[data-testid=recall-form] button[value=forward]")
    dests = page.wait_for_selector("[data-testid=recall-destinations]")
    assert "成都锦江中医医院" in dests.inner_text() and "广州天河中医院" in dests.inner_text()
    _no_overflow(page)
    shot(page, f"persona-quality-recall-{page.size}")
    wb = _download(page, "[data-testid=recall-export]", tmp_path, "recall.xlsx")
    names = " ".join(str(r[1]) for r in wb["目的地"].iter_rows(min_row=2, values_only=True))
    assert "成都锦江中医医院" in names and "广州天河中医院" in names

    # A 20-digit 药品追溯码 typed with the spaces it is printed with.
    page.fill("#recall-id", "8100 0010 0000 1001 6919")
    page.click("[data-testid=trace-back]")
    page.wait_for_selector("[data-testid=recall-sources]")
    assert page.locator("[data-testid=recall-error]").count() == 0
    assert "HJKL20241101" in page.inner_text("main")

    # Where did this herb lot grow? The base that commissioned it, not every base on the way.
    page.fill("#recall-id", "YC20240905B")
    page.click("[data-testid=trace-back]")
    origin = page.wait_for_selector("[data-testid=recall-origin]")
    assert "三都黄精GAP种植基地B区" in origin.inner_text()
    assert "A区" not in origin.inner_text()
    _no_overflow(page)
    shot(page, f"persona-quality-origin-{page.size}")
    _clean(page)
