"""Recall from a finished-product lot: the lot (an LGTIN class) is commissioned together with its
serialised packs, and only the packs are then packed and shipped. A recall of the lot must reach
the packs, their cases and pallets and the places they were shipped to (the demo's answer is known,
see test_trace_lineage.py's drawing)."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from fastapi.testclient import TestClient
from test_trace_support import DRUG, HERB

from chainatlas.store import Store
from chainatlas.trace.capture import capture_file
from chainatlas.trace.lineage import trace
from chainatlas.trace.locations import load_locations
from chainatlas.trace.recall import build_recall

CP = "6975001"
ZCY01 = f"urn:epc:class:lgtin:{CP}.000004.ZCY2024100101"
ZCY02 = f"urn:epc:class:lgtin:{CP}.000004.ZCY2024100102"
HJKL = f"urn:epc:class:lgtin:{CP}.000005.HJKL20241101"
H1, H2, D1 = "https://id.gs1.org/414/6975004000018", "https://id.gs1.org/414/6975005000017", \
    "https://id.gs1.org/414/6975002000010"


def _unit(serial: str, item: str = "000004") -> str:
    return f"urn:epc:id:sgtin:{CP}.{item}.{serial}"


def _sscc(ref: str) -> str:
    return f"urn:epc:id:sscc:{CP}.{ref}"


@pytest.fixture
def demo(store: Store) -> Store:
    with store.session() as s:
        load_locations(s)
    capture_file(store, HERB)
    capture_file(store, DRUG)
    return store


def test_forward_from_a_finished_lot_reaches_its_packs_cases_and_destinations(demo: Store) -> None:
    with demo.session() as s:
        r = trace(s, ZCY01, "forward")
    assert set(r.items) == {_unit(f"S10{i}") for i in range(1, 5)} | {
        _sscc("0000000011"), _sscc("0000000022"), _sscc("1000000099")}
    assert {H1, H2, D1} <= set(r.locations)
    assert any(lk["kind"] == "lot" and lk["source"] == ZCY01 for lk in r.links)
    # The other lot of the same product is not dragged in (same GTIN, other event).
    assert _unit("S201") not in r.items


def test_recall_of_the_drug_batch_reaches_all_six_traced_packs_and_the_hospital(demo: Store) -> None:
    with demo.session() as s:
        rep = build_recall(s, HJKL)
    packs = [row[0] for row in rep.batches]
    assert len(packs) == 6 and all(p.startswith(f"urn:epc:id:sgtin:{CP}.000005.8100001") for p in packs)
    assert [c[0] for c in rep.containers] == [_sscc("0000000501")]
    assert [d[0] for d in rep.destinations] == ["urn:epc:id:sgln:6975004.00001.0"]


def test_back_from_a_pack_is_unchanged_by_lot_links(demo: Store) -> None:
    with demo.session() as s:
        back = trace(s, _unit("S201"), "back")
    assert f"urn:epc:class:lgtin:{CP}.000003.TQ2024092002" in back.items
    assert ZCY02 not in back.items and not any(lk["kind"] == "lot" for lk in back.links)


def _client(store: Store) -> TestClient:
    from chainatlas.api.app import create_app

    return TestClient(create_app(store))


def test_recall_page_of_a_finished_lot_lists_destinations_and_its_workbook_has_them(demo: Store) -> None:
    c = _client(demo)
    r = c.get("/trace/recall", params={"id": "ZCY2024100101"})  # as printed on the pack
    assert r.status_code == 200
    dests = r.text.split('data-testid="recall-destinations"')[1].split("</section>")[0]
    assert "成都锦江中医医院" in dests and "广州天河中医院" in dests
    assert 'href="/trace/recall.xlsx' in r.text
    wb = openpyxl.load_workbook(io.BytesIO(c.get("/trace/recall.xlsx", params={"id": ZCY01}).content))
    names = {row[1] for row in wb["目的地"].iter_rows(min_row=2, values_only=True)}
    assert all(any(want in n for n in names) for want in ("成都锦江中医医院", "广州天河中医院", "贵阳康泰医药物流中心"))


def test_no_recall_sheet_is_offered_when_nothing_is_affected(store: Store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    doc = {"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"], "type": "EPCISDocument",
           "schemaVersion": "2.0", "creationDate": "2024-09-01T00:00:00Z",
           "epcisBody": {"eventList": [{
               "type": "ObjectEvent", "eventID": "urn:uuid:7d1e0000-0000-4000-8000-000000000001",
               "eventTime": "2024-09-01T08:00:00+08:00", "eventTimeZoneOffset": "+08:00", "action": "ADD",
               "bizStep": "commissioning",
               "quantityList": [{"epcClass": f"urn:epc:class:lgtin:{CP}.000001.LONE01", "quantity": 5, "uom": "KGM"}]}]}}
    path = tmp_path / "lone.jsonld"
    path.write_text(json.dumps(doc), encoding="utf-8")
    capture_file(store, path)
    r = _client(store).get("/trace/recall", params={"id": f"urn:epc:class:lgtin:{CP}.000001.LONE01"})
    assert r.status_code == 200
    assert "recall.xlsx" not in r.text
    assert 'data-testid="recall-nothing"' in r.text
