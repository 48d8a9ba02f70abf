"""/docs and /redoc render in a real browser, offline, under the app's own CSP (#15)."""

from __future__ import annotations

import pytest

from .conftest import shot

pytestmark = pytest.mark.browser


def test_swagger_ui_lists_and_tries_an_endpoint(page, live_server) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server["base"] + "/docs")
    page.wait_for_selector(".opblock", timeout=60_000)
    assert page.locator(".opblock").count() > 20
    # Try one out the way a developer does: expand GET /api/regions, 「Try it out」, 「Execute」.
    block = page.locator(".opblock-get", has_text="/api/regions").first
    block.locator(".opblock-summary").click()
    block.locator("button.try-out__btn").click()
    block.locator("button.execute").click()
    status = block.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    shot(page, "docs-swagger")
    assert page.problems == []  # type: ignore[attr-defined]


def test_redoc_renders_the_operations(page, live_server) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server["base"] + "/redoc")
    page.wait_for_selector("[data-section-id^='operation/'], [id^='operation/']", timeout=60_000)
    assert "ChainAtlas API" in page.inner_text("body")
    shot(page, "docs-redoc")
    # ReDoc's sidebar credit loads its logo from the vendor's CDN: refused by the CSP (and offline),
    # which costs only that image. Any other console error fails the test.
    problems = [p for p in page.problems if "cdn.redoc.ly" not in p]  # type: ignore[attr-defined]
    assert problems == []
