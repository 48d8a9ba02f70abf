"""The trace page in both directions, its examples and its Excel export (the newcomer's path in a browser)."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from fastapi.testclient import TestClient

from chainatlas.store import Store

LOT_B = "urn:epc:class:lgtin:6975001.000001.YC20240905B"
PACK = "https://id.gs1.org/01/06975001000042/21/S201"
HERB_LOT = "urn:epc:class:lgtin:6975001.000001.YC20240901A"


@pytest.fixture
def trace_client(store: Store) -> TestClient:
    from test_trace_support import HERB

    from chainatlas.api.app import create_app
    from chainatlas.trace.capture import capture_file
    from chainatlas.trace.locations import load_locations

    with store.session() as s:
        load_locations(s)
    capture_file(store, HERB)
    return TestClient(create_app(store))


def _graph(html: str) -> dict:
    return json.loads(html.split('id="lineage-data">', 1)[1].split("</script>", 1)[0])


def test_trace_back_in_the_browser_reaches_the_herb_lot_and_its_places(trace_client: TestClient) -> None:
    r = trace_client.get("/trace/recall", params={"id": PACK, "direction": "back"})
    assert r.status_code == 200
    sources = r.text.split('data-testid="recall-sources"')[1].split("</section>")[0]
    assert HERB_LOT in sources  # the raw herb lot this pack was made from
    places = r.text.split('data-testid="recall-places"')[1].split("</section>")[0]
    assert "<td" in places and "无" not in places.split("<tbody>")[1][:80]
    graph = _graph(r.text)
    assert graph["direction"] == "back" and any(n["full"] == HERB_LOT for n in graph["nodes"])
    # The same pack traced forward reaches none of its own sources.
    fwd = _graph(trace_client.get("/trace/recall", params={"id": PACK}).text)
    assert not any(n["full"] == HERB_LOT for n in fwd["nodes"])


def test_empty_trace_page_offers_identifiers_to_try(trace_client: TestClient) -> None:
    r = trace_client.get("/trace/recall")
    examples = r.text.split('data-testid="trace-examples"')[1].split("</section>")[0]
    assert "direction=back" in examples and "urn:epc:class:lgtin" in examples
    assert 'data-testid="trace-back"' in r.text


def test_recall_sheet_downloads_from_the_page(trace_client: TestClient) -> None:
    page = trace_client.get("/trace/recall", params={"id": LOT_B}).text
    assert "/trace/recall.xlsx?id=" in page
    r = trace_client.get("/trace/recall.xlsx", params={"id": LOT_B})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert {"受影响批次", "目的地", "说明"} <= set(wb.sheetnames)
    assert any("广州天河中医院" in str(c.value) for row in wb["目的地"].iter_rows() for c in row)
    assert trace_client.get("/trace/recall.xlsx", params={"id": "urn:epc:id:sgtin:6975001.000004.NONE"}).status_code == 404
