"""Trace back / forward and recall on the demo lineage, whose answer is known:

    YC…901A (base A) ─┬─ T1a → YP…01 ─┐
                      └─ T1b → YP…02 ─┼─ T2a → TQ…01 → T3a → ZCY…01 + S101-S104 → case 11 (S101,S102) ┐→ pallet 99 → D1 → case 11 → H2
    YC…905B (base B) ─── T1b ┘        └─ T2b → TQ…02 → T3b → ZCY…02 + S201,S202 → case 33 ─────────────┘
                                                             case 22 (S103,S104) → H1
    (YP…02 is split between TQ…01 and TQ…02; TQ…01 merges YP…01 and YP…02; TQ…02 also feeds the drug batch)
"""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook
from test_trace_support import DRUG, HERB

from chainatlas.errors import TraceError
from chainatlas.store import Store
from chainatlas.trace.capture import capture_file
from chainatlas.trace.lineage import trace
from chainatlas.trace.locations import load_locations
from chainatlas.trace.recall import build_recall, write_xlsx

CP = "6975001"


def lot(item: str, lot_: str) -> str:
    return f"urn:epc:class:lgtin:{CP}.{item}.{lot_}"


def unit(serial: str) -> str:
    return f"urn:epc:id:sgtin:{CP}.000004.{serial}"


def sscc(ref: str) -> str:
    return f"urn:epc:id:sscc:{CP}.{ref}"


YC_A, YC_B = lot("000001", "YC20240901A"), lot("000001", "YC20240905B")
YP01, YP02 = lot("000002", "YP2024091501"), lot("000002", "YP2024091502")
TQ01, TQ02 = lot("000003", "TQ2024092001"), lot("000003", "TQ2024092002")
ZCY01, ZCY02 = lot("000004", "ZCY2024100101"), lot("000004", "ZCY2024100102")
CASE1, CASE2, CASE3, PALLET = sscc("0000000011"), sscc("0000000022"), sscc("0000000033"), sscc("1000000099")
H1, H2, D1 = "https://id.gs1.org/414/6975004000018", "https://id.gs1.org/414/6975005000017", \
    "https://id.gs1.org/414/6975002000010"


@pytest.fixture
def herb(store: Store) -> Store:
    capture_file(store, HERB)
    return store


def test_forward_from_one_herb_lot_reaches_everything_it_was_merged_into(herb: Store) -> None:
    with herb.session() as s:
        r = trace(s, YC_B, "forward")
    assert r.items == sorted([YP02, TQ01, TQ02, ZCY01, ZCY02, *(unit(f"S10{i}") for i in range(1, 5)),
                              unit("S201"), unit("S202"), CASE1, CASE2, CASE3, PALLET])
    assert {H1, H2, D1} <= set(r.locations)
    assert r.paths[PALLET] == ["urn:uuid:0b6f1a00-0000-4000-8000-0000000000" + n for n in ("05", "06", "08", "10", "13")]


def test_forward_from_a_split_lot_stays_on_its_branch(herb: Store) -> None:
    with herb.session() as s:
        r = trace(s, YP01, "forward")
    assert TQ02 not in r.items and ZCY02 not in r.items and CASE3 not in r.items
    assert {TQ01, ZCY01, CASE1, CASE2, PALLET} <= set(r.items)


def test_back_from_a_unit_finds_both_bases_but_not_the_sibling_lot(herb: Store) -> None:
    with herb.session() as s:
        r = trace(s, unit("S201"), "back")
        dl = trace(s, "https://id.gs1.org/01/06975001000042/21/S201", "back")  # same item as a Digital Link
    assert r.items == sorted([YC_A, YC_B, YP02, TQ02])
    assert dl.items == r.items
    assert "https://id.gs1.org/414/6975001000028" in r.locations  # base B


def test_back_from_a_shipped_case_goes_through_aggregation(herb: Store) -> None:
    with herb.session() as s:
        r = trace(s, "https://id.gs1.org/00/069750010000000226", "back")  # case 22 as captured (Digital Link)
    assert r.items == sorted([unit("S103"), unit("S104"), TQ01, YP01, YP02, YC_A, YC_B])


def test_unpacking_does_not_drag_later_contents_into_a_recall(herb: Store) -> None:
    """After D1 unpacks the pallet (DELETE), anything packed into the pallet later is not affected."""
    import io

    from chainatlas.trace.capture import capture_stream

    late = {"type": "AggregationEvent", "eventID": "urn:uuid:late", "eventTime": "2024-12-01T08:00:00+08:00",
            "eventTimeZoneOffset": "+08:00", "action": "ADD", "bizStep": "packing", "parentID": PALLET,
            "childEPCs": ["urn:epc:id:sscc:6975002.0000000077"]}
    doc = {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument",
           "schemaVersion": "2.0", "creationDate": "2024-12-01T00:00:00Z", "epcisBody": {"eventList": [late]}}
    capture_stream(herb, io.BytesIO(json.dumps(doc).encode()))
    with herb.session() as s:
        back = trace(s, PALLET, "back")
        fwd = trace(s, YC_A, "forward")
    assert "urn:epc:id:sscc:6975002.0000000077" in back.items  # the pallet did hold it, later
    assert "urn:epc:id:sscc:6975002.0000000077" not in fwd.items  # but the herb lot never met it


def test_naive_walk_gives_the_same_answer(herb: Store) -> None:
    with herb.session() as s:
        for ident, d in ((YC_A, "forward"), (unit("S101"), "back"), (PALLET, "back")):
            fast, slow = trace(s, ident, d), trace(s, ident, d, naive=True)
            frontier = trace(s, ident, d, mode="frontier")
            assert (fast.items, fast.paths, fast.locations) == (slow.items, slow.paths, slow.locations)
            assert (frontier.items, frontier.paths) == (fast.items, fast.paths)


def test_unknown_and_malformed_identifiers(herb: Store) -> None:
    with herb.session() as s, pytest.raises(TraceError, match="no event names"):
        trace(s, "urn:epc:id:sgtin:6975001.000004.NOPE", "back")
    with herb.session() as s, pytest.raises(TraceError, match="check digit"):
        trace(s, "https://id.gs1.org/01/06975001000043/21/S201", "back")


def test_recall_report_and_workbook(store: Store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with store.session() as s:
        load_locations(s)
    capture_file(store, HERB)
    capture_file(store, DRUG)
    with store.session() as s:
        rep = build_recall(s, YC_B)
    dest = {row[1]: row for row in rep.destinations}
    assert dest["广州天河中医院药房(演示)"][3:] == ["广州天河中医院(演示)", "天河区"]
    assert "成都锦江中医医院药房(演示)" in dest and "贵阳康泰医药物流中心(演示)" in dest
    assert {row[0] for row in rep.containers} == {CASE1, CASE2, CASE3, PALLET, sscc("0000000501")}
    assert any(row[1] == "托 pallet" for row in rep.containers)
    drug_units = [row[0] for row in rep.batches if row[0].startswith(f"urn:epc:id:sgtin:{CP}.000005.8100001")]
    assert len(drug_units) == 6  # the 药品追溯码 packs made from TQ…02
    out = write_xlsx(rep, tmp_path / "recall.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames[:5] == ["受影响批次", "箱／托", "发货", "目的地", "事件路径"]
    assert wb["目的地"].max_row == len(rep.destinations) + 1


def test_association_links_a_logger_to_the_pallet(herb: Store) -> None:
    import io

    from chainatlas.trace.capture import capture_stream

    logger = "urn:epc:id:giai:6975001.LOGGER7"
    assoc = {"type": "AssociationEvent", "eventID": "urn:uuid:assoc-1", "eventTime": "2024-10-04T08:00:00+08:00",
             "eventTimeZoneOffset": "+08:00", "action": "ADD", "bizStep": "assembling", "parentID": PALLET,
             "childEPCs": [logger], "readPoint": {"id": "urn:epc:id:sgln:6975001.00040.0"}}
    doc = {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument",
           "schemaVersion": "2.0", "creationDate": "2024-10-04T00:00:00Z", "epcisBody": {"eventList": [assoc]}}
    capture_stream(herb, io.BytesIO(json.dumps(doc).encode()))
    with herb.session() as s:
        fwd = trace(s, logger, "forward")
        back = trace(s, PALLET, "back")
    assert fwd.items == [PALLET] and fwd.paths[PALLET] == ["urn:uuid:assoc-1"]
    assert D1 in fwd.locations  # the logger travelled with the pallet to the distributor
    assert logger in back.items


# ── error declarations: an event declared wrong contributes nothing; its corrective events do ──
XCP = "6975009"
XA, XB1, XB2 = (f"urn:epc:class:lgtin:{XCP}.000001.{x}" for x in ("A1", "B1", "B2"))
XOTHER, XC, XD = (f"urn:epc:class:lgtin:{XCP}.000001.{x}" for x in ("X9", "C1", "D1"))
XP1, XP2, XPW = (f"urn:epc:id:sscc:{XCP}.{r}" for r in ("0000000001", "0000000002", "0000000077"))
SITE, WRONG, RIGHT, RIGHT2 = (f"urn:epc:id:sgln:{XCP}.{r}.0" for r in ("00001", "00066", "00011", "00012"))


def _ev(eid: str, etype: str, day: int, **rest: object) -> dict:
    return {"type": etype, "eventID": f"urn:uuid:e0000000-0000-4000-8000-{eid:0>12}", "eventTimeZoneOffset": "+08:00",
            "eventTime": f"2025-03-{day:02d}T08:00:00+08:00", "readPoint": {"id": SITE}, **rest}


def _qty(*classes: str) -> list[dict]:
    return [{"epcClass": c, "quantity": 10, "uom": "KGM"} for c in classes]


def _ship(eid: str, day: int, what: str, dest: str) -> dict:
    return _ev(eid, "ObjectEvent", day, action="OBSERVE", bizStep="shipping", epcList=[what],
               destinationList=[{"type": "location", "destination": dest}])


def _doc(events: list[dict]) -> bytes:
    return json.dumps({"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
                       "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-03-20T00:00:00Z",
                       "epcisBody": {"eventList": events}}).encode()


FIRST = [
    _ev("1", "ObjectEvent", 1, action="ADD", bizStep="commissioning", quantityList=_qty(XA, XOTHER)),
    _ev("2", "TransformationEvent", 2, inputQuantityList=_qty(XA), outputQuantityList=_qty(XB1, XB2)),  # split
    _ev("3", "TransformationEvent", 3, inputQuantityList=_qty(XB1, XOTHER), outputQuantityList=_qty(XC)),  # merge
    # One transformation told in two events that share a transformationID (EPCIS §7.4.6).
    _ev("4", "TransformationEvent", 4, transformationID="urn:uuid:7a000000-0000-4000-8000-000000000001",
        inputQuantityList=_qty(XB2)),
    _ev("5", "TransformationEvent", 5, transformationID="urn:uuid:7a000000-0000-4000-8000-000000000001",
        outputQuantityList=_qty(XD)),
    _ev("6", "AggregationEvent", 6, action="ADD", bizStep="packing", parentID=XP1, childQuantityList=_qty(XC)),
    _ev("7", "AggregationEvent", 6, action="ADD", bizStep="packing", parentID=XPW, childQuantityList=_qty(XD)),
    _ship("8", 7, XP1, WRONG),
]
DECLARED = {"declarationTime": "2025-03-09T10:00:00+08:00", "reason": "incorrect_data"}
CORRECTIONS = [
    {**FIRST[6], "errorDeclaration": {**DECLARED, "correctiveEventIDs": ["urn:uuid:e0000000-0000-4000-8000-000000000009"]}},
    {**FIRST[7], "errorDeclaration": {**DECLARED, "correctiveEventIDs": ["urn:uuid:e0000000-0000-4000-8000-000000000010"]}},
    _ev("9", "AggregationEvent", 6, action="ADD", bizStep="packing", parentID=XP2, childQuantityList=_qty(XD)),
    _ship("10", 7, XP1, RIGHT),
    _ship("11", 8, XP2, RIGHT2),
]


def test_error_declared_events_leave_lineage_and_their_corrections_take_their_place(store: Store) -> None:
    import io

    from chainatlas.trace.capture import capture_stream
    from chainatlas.trace.identifiers import canonical

    wrong, right, right2 = canonical(WRONG), canonical(RIGHT), canonical(RIGHT2)
    capture_stream(store, io.BytesIO(_doc(FIRST)))
    with store.session() as s:
        before = trace(s, XA, "forward")
    # As first recorded, the lot went to the wrong destination and into the wrong pallet.
    assert wrong in before.locations and XPW in before.items

    result = capture_stream(store, io.BytesIO(_doc(CORRECTIONS)))
    assert result.corrected == 2
    with store.session() as s:
        runs = {mode: trace(s, XA, "forward", mode=mode) for mode in ("cte", "frontier")}
        runs["naive"] = trace(s, XA, "forward", naive=True)
        into_wrong_pallet = trace(s, XPW, "back")
        into_right_pallet = trace(s, XP2, "back")
        recall = build_recall(s, XA)
    fwd = runs["cte"]
    assert fwd.items == sorted([XB1, XB2, XC, XD, XP1, XP2])  # split, merge, transformationID, aggregation
    assert XPW not in fwd.items
    assert wrong not in fwd.locations and {right, right2} <= set(fwd.locations)
    assert fwd.paths[XP2] == [f"urn:uuid:e0000000-0000-4000-8000-{n:0>12}" for n in ("2", "4", "5", "9")]
    assert all(r.items == fwd.items and r.locations == fwd.locations for r in runs.values())
    assert not any(link["eventID"].endswith("000000000007") for link in fwd.links)
    assert into_wrong_pallet.items == []
    assert into_right_pallet.items == sorted([XA, XB2, XD])
    assert [row[0] for row in recall.destinations] == [right, right2]
    assert {row[0][-2:] for row in recall.shipments} == {"10", "11"}
    assert {row[0] for row in recall.containers} == {XP1, XP2}
