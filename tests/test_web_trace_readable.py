"""The trace pages read as a quality manager reads a batch record: product names, lot and serial
numbers as printed, dates as 2024年10月5日, business steps and place roles in Chinese, the lot's
actual planting base — and the URNs folded one click away, never in the cells' text."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from test_trace_support import DRUG, HERB

from chainatlas.store import Store
from chainatlas.trace.capture import capture_file
from chainatlas.trace.locations import load_locations
from chainatlas.trace.present import cn_date, printed, product


@pytest.fixture
def client(store: Store) -> TestClient:
    from chainatlas.api.app import create_app

    with store.session() as s:
        load_locations(s)
    capture_file(store, HERB)
    capture_file(store, DRUG)
    return TestClient(create_app(store))


def _section(html: str, key: str) -> str:
    return html.split(f'data-testid="recall-{key}"', 1)[1].split("</section>", 1)[0]


def _visible(html: str) -> str:
    """Cell text without attributes and without the folded URNs."""
    html = re.sub(r"<details class=\"urn\">.*?</details>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_present_helpers() -> None:
    assert printed("https://id.gs1.org/01/06975001000011/10/YC20240905B") == "YC20240905B"
    assert printed("https://id.gs1.org/01/06975001000059/21/81000010000010016919") == "81000010000010016919"
    assert product("https://id.gs1.org/01/06975001000059/21/81000010000010016919").startswith("黄精颗粒")
    assert cn_date("2024-10-04T17:00:00Z") == "2024年10月5日"  # 01:00 in Beijing is the next day


def test_recall_tables_name_products_lots_dates_steps_and_places(client: TestClient) -> None:
    html = client.get("/trace/recall", params={"id": "ZCY2024100101"}).text
    batches = _visible(_section(html, "batches"))
    assert "黄精养元丸" in batches and "S101" in batches and "urn:epc" not in batches
    ships = _visible(_section(html, "shipments"))
    assert "2024年10月5日" in ships and "发货" in ships and "收货" in ships
    assert "黄精药业成品仓" in ships and "urn:" not in ships and "https://" not in ships and "T0" not in ships
    dests = _visible(_section(html, "destinations"))
    assert "医院" in dests and "经销商" in dests
    assert "urn:epc:class:lgtin:6975001.000004.ZCY2024100101" in html  # the URN is one click away


def test_trace_back_names_the_base_that_produced_the_lot(client: TestClient) -> None:
    html = client.get("/trace/recall", params={"id": "YC20240905B", "direction": "back"}).text
    origin = _visible(_section(html, "origin"))
    assert "三都黄精GAP种植基地B区" in origin and "A区" not in origin
    assert "种植基地" in origin and "2024年9月5日" in origin
    # A pack made from a blend of both bases' lots names both, each with its own lot.
    pack = client.get("/trace/recall", params={"id": "https://id.gs1.org/01/06975001000042/21/S201", "direction": "back"}).text
    origin = _visible(_section(pack, "origin"))
    assert "YC20240901A" in origin and "YC20240905B" in origin and "A区" in origin and "B区" in origin


def test_a_pack_traced_back_by_its_printed_code_shows_its_lot(client: TestClient) -> None:
    html = client.get("/trace/recall", params={"id": "8100 0010 0000 1001 6919", "direction": "back"}).text
    label = html.split('data-testid="trace-label">', 1)[1].split("<", 1)[0]
    assert label.startswith("黄精颗粒") and "81000010000010016919" in label and "批号 HJKL20241101" in label
