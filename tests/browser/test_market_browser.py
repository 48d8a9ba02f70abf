"""科创供应链 in a real browser: log in, type a need, confirm the constraints read from it, see
explained matches; an impossible need gets an honest "no match" with the reasons."""

from __future__ import annotations

import re

from chainatlas.market.demo import load_market_demo
from chainatlas.store import open_store

from .conftest import shot


def _post_draft(page, base: str, title: str, text: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/market/post")
    page.fill("input[name=requester]", "（示例）浏览器测试企业")
    page.fill("input[name=region]", "江苏省泰州市")
    page.fill("input[name=title]", title)
    page.fill("textarea[name=description]", text)
    page.click("[data-testid=read]")
    page.wait_for_selector("[data-testid=constraints]")


def test_post_a_need_confirm_constraints_and_see_explained_matches(page, live_server) -> None:  # type: ignore[no-untyped-def]
    store = open_store(live_server["db"])
    load_market_demo(store)
    store.dispose()
    base = live_server["base"]
    page.goto(f"{base}/market/post")
    assert "/login" in page.url
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", "analyst password 1")
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(r"/market/post$"))

    _post_draft(page, base, "单抗临床样品代工", "人源化单抗需代工生产I期临床样品，须在NMPA GMP条件下生产，"
                "须为哺乳动物细胞表达平台，单批规模200–500 L。优先泰州的工厂。")
    constraints = page.inner_text("[data-testid=constraints]")
    assert "委托生产" in constraints and "药品GMP" in constraints and "哺乳动物细胞表达" in constraints
    first = page.locator("[data-testid=matches] li").first
    assert "可承接" in first.inner_text() and "江枫生物" in first.inner_text()
    assert "满足" in first.inner_text() and "具备药品GMP" in first.inner_text()
    cards = page.locator("[data-testid=matches] li").all_inner_texts()
    expired = next(i for i, c in enumerate(cards) if "2026年春季单抗代工档期" in c)
    assert "已过期" in cards[expired] and "不符合硬性条件" in cards[expired]
    assert all("可承接" not in c for c in cards[expired:])  # the expired slot ranks below every fit
    shot(page, "market-01-constraints-and-matches")
    page.click("[data-testid=confirm]")
    page.wait_for_url(re.compile(r"/market/needs/\d+$"))
    assert page.inner_text("[data-testid=need-status]") == "待审核"

    _post_draft(page, base, "兽用单抗委托生产", "犬用单抗委托生产，CHO表达，必须在取得兽药GMP证书的车间生产，人用药品GMP证书不能替代。")
    assert "兽药GMP" in page.inner_text("[data-testid=constraints]")
    no_match = page.inner_text("[data-testid=no-match]")
    assert "暂无匹配" in no_match and "缺少兽药GMP" in no_match
    shot(page, "market-02-no-match")
    assert not [p for p in page.problems if not p.startswith("console: Failed to load resource")], page.problems  # type: ignore[attr-defined]
