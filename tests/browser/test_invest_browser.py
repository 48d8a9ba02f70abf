"""精准招商 in a browser: open a gap's targets, see the reasons and a timing signal, log in and
shortlist one, open the pipeline (funnel) and a project's stage timeline with its evidence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chainatlas.ingest.pipeline import ingest_paths
from chainatlas.invest.build import build_projects
from chainatlas.invest.signals import build_signals
from chainatlas.store import open_store

from .conftest import shot

PAGES = {
    "signal.txt": "发布时间：2024-06-03\n培养基企业融资\n\n2024年5月，武汉培养基科技有限公司完成2亿元B轮融资，资金将用于扩建培养基生产线。\n",
    "signed.txt": "发布时间：2023-03-02\n项目签约\n\n3月1日，泰州市与某某生物签订测试带状疱疹疫苗产业化基地项目协议，总投资12亿元。\n",
    "started.txt": "发布时间：2024-05-10\n项目开工\n\n5月8日，测试带状疱疹疫苗产业化基地项目在泰州医药高新区开工建设。\n",
}


@pytest.fixture(scope="module")
def invest_world(live_server: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("invest_pages")
    for name, text in PAGES.items():
        (folder / name).write_text(text, encoding="utf-8")
    store = open_store(live_server["db"])
    ingest_paths(store, [Path(folder)], workers=1)
    with store.session() as s:
        build_projects(s)
        build_signals(s)
    store.dispose()
    return live_server


def test_targets_shortlist_pipeline_and_timeline(page, invest_world) -> None:  # type: ignore[no-untyped-def]
    base = invest_world["base"]
    page.goto(base + "/invest?region=321200&node=bio.media")
    target = page.locator("[data-testid=target]").filter(has_text="武汉培养基科技有限公司").first
    factors = target.locator("[data-testid=factors]").inner_text()
    assert "节点与产品契合" in factors and "链主招商" in factors and "区位走廊" in factors and "泰州疫苗生物有限公司" in factors
    assert "融资" in target.locator("[data-testid=why-now]").inner_text()
    assert "B轮融资" in target.locator("[data-testid=signals]").inner_text()
    assert target.locator("[data-testid=shortlist]").count() == 0  # anonymous: a login link instead
    shot(page, "invest-01-targets")

    target.locator("a", has_text="登录").click()
    page.wait_for_url(re.compile(r"/login"))
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", "analyst password 1")
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(r"/invest\?"))
    target = page.locator("[data-testid=target]").filter(has_text="武汉培养基科技有限公司").first
    target.locator("[data-testid=shortlist]").click()
    page.wait_for_url(re.compile(r"/invest\?"))
    target = page.locator("[data-testid=target]").filter(has_text="武汉培养基科技有限公司").first
    assert "未接触" in target.inner_text()
    page.goto(base + "/invest/list")
    assert "武汉培养基科技有限公司" in page.locator("[data-testid=target-list]").inner_text()
    shot(page, "invest-02-list")

    page.goto(base + "/projects")
    page.wait_for_selector("[data-testid=funnel-chart] canvas")
    row = page.locator("[data-testid=project-row]").filter(has_text="带状疱疹疫苗产业化基地").first
    assert "开工" in row.inner_text() and "12亿元" in row.inner_text()
    shot(page, "invest-03-pipeline")
    row.locator("a").first.click()
    page.wait_for_url(re.compile(r"/projects/\d+$"))
    steps = page.locator("[data-testid=timeline-step]")
    text = page.locator("[data-testid=project-timeline]").inner_text()
    assert steps.count() >= 2 and "2023-03-01" in text and "2024-05-08" in text
    assert "签订测试带状疱疹疫苗产业化基地项目协议" in text and "开工建设" in text
    shot(page, "invest-04-timeline")
    assert not [p for p in page.problems if not p.startswith("console: Failed to load resource")], page.problems  # type: ignore[attr-defined]
