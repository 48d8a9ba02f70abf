"""Capture: atomic rejection, idempotent recapture, error declarations, streaming reader, REST capture jobs."""

from __future__ import annotations

import copy
import io
import json

import pytest
from sqlalchemy import func, select
from test_trace_support import DRUG, HERB, epcis_client, event_list

from chainatlas.store import Store
from chainatlas.store.models.trace import EpcisCaptureJob, EpcisEvent, TraceEdge, TraceIdentifier
from chainatlas.trace.capture import capture_file, capture_stream
from chainatlas.trace.validate import CaptureRejected


def _count(store: Store, model: type = EpcisEvent) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def _doc(events: list[dict], ns: dict | None = None) -> io.BytesIO:
    ctx: list = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"] + ([ns] if ns else [])
    doc = {"@context": ctx, "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2024-01-01T00:00:00Z",
           "epcisBody": {"eventList": events}}
    return io.BytesIO(json.dumps(doc).encode())


def test_demo_documents_capture_and_recapture_is_idempotent(store: Store) -> None:
    first = capture_file(store, HERB)
    assert (first.events, first.stored, first.duplicates) == (19, 19, 0)
    again = capture_file(store, HERB)
    assert (again.stored, again.duplicates) == (0, 19)
    assert _count(store) == 19
    capture_file(store, DRUG)
    assert _count(store) == 23


def test_event_without_id_gets_the_hash_and_is_stored_once(store: Store) -> None:
    ev = {"type": "ObjectEvent", "eventTime": "2024-05-01T08:00:00+08:00", "eventTimeZoneOffset": "+08:00",
          "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.2017"], "bizStep": "inspecting"}
    twin = dict(reversed(list(ev.items())))
    twin["eventTime"] = "2024-05-01T00:00:00.000Z"
    twin["epcList"] = ["https://id.gs1.org/01/10614141073464/21/2017"]
    r = capture_stream(store, _doc([ev, twin]))
    assert (r.stored, r.duplicates) == (1, 1)
    with store.session() as s:
        eid = s.scalar(select(EpcisEvent.event_id))
    assert eid.startswith("ni:///sha-256;") and eid.endswith("?ver=CBV2.0")


def test_invalid_event_rejects_the_whole_document(store: Store) -> None:
    doc = json.loads(HERB.read_text(encoding="utf-8"))
    doc["epcisBody"]["eventList"][17]["bizStep"] = "transforming"
    doc["epcisBody"]["eventList"][18]["eventTime"] = "2024-10-10T08:00:00"  # no offset
    with pytest.raises(CaptureRejected) as info:
        capture_stream(store, io.BytesIO(json.dumps(doc).encode()))
    problems = {(p.index, p.field) for p in info.value.problems}
    assert (17, "bizStep") in problems and (18, "eventTime") in problems
    assert "urn:uuid:0b6f1a00-0000-4000-8000-000000000018" in str(info.value)  # names the event
    assert _count(store) == 0 and _count(store, TraceIdentifier) == 0 and _count(store, TraceEdge) == 0


def test_rejection_after_many_batches_rolls_back(store: Store) -> None:
    base = {"type": "ObjectEvent", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning"}
    events = [dict(base, eventTime=f"2024-01-01T{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z",
                   epcList=[f"urn:epc:id:sgtin:0614141.107346.{i}"]) for i in range(4500)]
    events.append(dict(base, eventTime="2024-01-02T00:00:00Z", epcList=["urn:epc:id:sgtin:0614141.10734.1"]))
    with pytest.raises(CaptureRejected, match=r"event #4500.*epcList/0"):
        capture_stream(store, _doc(events))
    assert _count(store) == 0


def test_extension_prefix_must_be_declared(store: Store) -> None:
    ev = {"type": "ObjectEvent", "eventTime": "2024-05-01T08:00:00+08:00", "eventTimeZoneOffset": "+08:00",
          "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"], "zz:note": "x"}
    with pytest.raises(CaptureRejected, match="zz"):
        capture_stream(store, _doc([ev]))
    assert capture_stream(store, _doc([ev], {"zz": "https://example.com/zz/"})).stored == 1


def test_not_json_is_rejected(store: Store) -> None:
    with pytest.raises(CaptureRejected, match="JSON"):
        capture_stream(store, io.BytesIO(b'{"type": "EPCISDocument", "epcisBody": {"eventList": [{"type": '))


def test_error_declaration_marks_the_event_corrected(store: Store) -> None:
    doc = json.loads(HERB.read_text(encoding="utf-8"))
    capture_stream(store, io.BytesIO(json.dumps(doc).encode()))
    wrong = copy.deepcopy(doc["epcisBody"]["eventList"][14])
    wrong["errorDeclaration"] = {"declarationTime": "2024-10-06T09:00:00+08:00", "reason": "incorrect_data",
                                 "correctiveEventIDs": ["urn:uuid:0b6f1a00-0000-4000-8000-000000000099"]}
    fixed = copy.deepcopy(doc["epcisBody"]["eventList"][14])
    fixed["eventID"] = "urn:uuid:0b6f1a00-0000-4000-8000-000000000099"
    fixed["destinationList"] = [{"type": "location", "destination": "urn:epc:id:sgln:6975005.00001.0"}]
    r = capture_stream(store, _doc([wrong, fixed]))
    assert (r.stored, r.corrected) == (1, 1)
    client = epcis_client(store)
    got = event_list(client.get("/events", params={"EXISTS_errorDeclaration": "", "perPage": "10"}).json())
    assert [e["eventID"] for e in got] == ["urn:uuid:0b6f1a00-0000-4000-8000-000000000015"]
    assert got[0]["errorDeclaration"]["correctiveEventIDs"] == ["urn:uuid:0b6f1a00-0000-4000-8000-000000000099"]
    # the corrected event stays queryable by everything else
    assert len(event_list(client.get("/events", params={"EQ_bizStep": "shipping"}).json())) == 5
    since = client.get("/events", params={"GE_errorDeclarationTime": "2024-10-06T00:00:00Z"}).json()
    assert len(event_list(since)) == 1
    by_fix = client.get("/events", params={"EQ_correctiveEventID": "urn:uuid:0b6f1a00-0000-4000-8000-000000000099"})
    assert [e["eventID"] for e in event_list(by_fix.json())] == ["urn:uuid:0b6f1a00-0000-4000-8000-000000000015"]


def test_rest_capture_job(store: Store) -> None:
    client = epcis_client(store)
    r = client.post("/capture", content=HERB.read_bytes(), headers={"content-type": "application/ld+json"})
    assert r.status_code == 202 and r.headers["location"].startswith("/capture/")
    job = client.get(r.headers["location"]).json()
    assert job["success"] and not job["running"] and job["storedCount"] == 19
    bad = json.loads(HERB.read_text(encoding="utf-8"))
    bad["epcisBody"]["eventList"][2]["quantityList"][0]["quantity"] = "800kg"
    r = client.post("/capture", json=bad)
    job = client.get(r.headers["location"]).json()
    assert not job["success"] and job["errors"][0]["field"] == "quantityList/0/quantity"
    assert job["errors"][0]["eventID"] == "urn:uuid:0b6f1a00-0000-4000-8000-000000000003"
    assert client.get("/capture/nope").status_code == 404
    assert client.post("/capture", content=b"<x/>", headers={"content-type": "text/plain"}).status_code == 415
    assert len(client.get("/capture").json()) == 2


def test_rest_capture_xml(store: Store) -> None:
    xml = b"""<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0"
 creationDate="2024-01-01T00:00:00Z"><EPCISBody><EventList><ObjectEvent>
<eventTime>2024-01-01T08:00:00+08:00</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
<epcList><epc>urn:epc:id:sgtin:0614141.107346.7</epc></epcList><action>ADD</action>
<bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep></ObjectEvent></EventList></EPCISBody>
</epcis:EPCISDocument>"""
    client = epcis_client(store)
    r = client.post("/capture", content=xml, headers={"content-type": "application/xml"})
    assert client.get(r.headers["location"]).json()["storedCount"] == 1
    got = event_list(client.get("/events", params={"MATCH_epc": "https://id.gs1.org/01/10614141073464/21/7"}).json())
    assert got[0]["bizStep"] == "commissioning"


def _many(n: int, start: int = 0) -> list[dict]:
    base = {"type": "ObjectEvent", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning"}
    return [dict(base, eventID=f"urn:uuid:00000000-0000-4000-8000-{i:012d}",
                 eventTime=f"2024-01-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z",
                 epcList=[f"urn:epc:id:sgtin:0614141.107346.{i}"]) for i in range(start, start + n)]


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 50 and the worker process from 100 events on, so tests cross every hand-over."""
    from chainatlas.trace import capture

    monkeypatch.setattr(capture, "BATCH", 50)
    monkeypatch.setattr(capture, "PIPELINE_MIN_EVENTS", 100)
    monkeypatch.setattr(capture.capture_events, "__kwdefaults__",
                        {**capture.capture_events.__kwdefaults__, "batch": 50})


def test_bad_event_deep_in_a_pipelined_capture_stores_nothing(store: Store, small_batches: None) -> None:
    events = _many(1200)
    events[1000]["epcList"] = ["urn:epc:id:sgtin:0614141.10734.1"]  # after 20 batches were written
    with pytest.raises(CaptureRejected, match=r"event #1000.*epcList/0"):
        capture_stream(store, _doc(events))
    assert _count(store) == 0 and _count(store, TraceIdentifier) == 0
    from chainatlas.trace import capture

    if store.dialect == "postgresql":
        assert capture._pool is not None  # the worker path was taken


def test_pipelined_recapture_dedups_across_batches_and_documents(store: Store, small_batches: None) -> None:
    events = _many(300)
    r = capture_stream(store, _doc(events + events[:120]))  # repeats land in later batches
    assert (r.events, r.stored, r.duplicates) == (420, 300, 120)
    r = capture_stream(store, _doc(events[150:] + _many(60, 300)))
    assert (r.stored, r.duplicates) == (60, 150)
    assert _count(store) == 360 and _count(store, TraceIdentifier) == 360


def test_pipelined_capture_applies_error_declarations(store: Store, small_batches: None) -> None:
    events = _many(250)
    capture_stream(store, _doc(events))
    again = copy.deepcopy(events)
    again[200]["errorDeclaration"] = {"declarationTime": "2024-02-01T00:00:00Z", "reason": "incorrect_data"}
    r = capture_stream(store, _doc(again))
    assert (r.stored, r.duplicates, r.corrected) == (0, 250, 1)
    with store.session() as s:
        doc = s.scalar(select(EpcisEvent.doc).where(EpcisEvent.error_time.is_not(None)))
    assert doc["eventID"] == events[200]["eventID"] and doc["errorDeclaration"]["reason"] == "incorrect_data"


def test_stored_doc_is_the_captured_json(store: Store, small_batches: None) -> None:
    events = _many(120)
    events[7]["quantityList"] = [{"epcClass": "urn:epc:class:lgtin:4012345.012345.998877", "quantity": 2.50,
                                  "uom": "KGM"}]
    events[7]["ext:note"] = "中药 \\ tab\there"
    capture_stream(store, _doc(events, {"ext": "https://example.com/ext/"}))
    with store.session() as s:
        doc = s.scalar(select(EpcisEvent.doc).where(EpcisEvent.event_id == events[7]["eventID"]))
    assert doc == events[7]


def test_reader_streams_events_with_their_text_and_late_headers() -> None:
    from chainatlas.trace.reader import DocumentError, read_document

    body = '{"epcisBody": {"eventList": [ {"a": 1} ,\n{"b": [2, 3.5]}]}, "@context": ["x"], "type": "EPCISDocument"}'
    header, events = read_document(io.BytesIO(body.encode()))
    assert header["@context"] == ["x"] and header["epcisBody"] == {"eventList": []}
    assert list(events) == [({"a": 1}, '{"a": 1}'), ({"b": [2, 3.5]}, '{"b": [2, 3.5]}')]
    big = '{"type": "EPCISDocument", "@context": [], "epcisBody": {"eventList": [' + ",".join(
        json.dumps({"n": i, "s": "é" * 300}) for i in range(5000)) + "]}}"
    _h, events = read_document(io.BytesIO(big.encode()))  # > 1 MB: values cross the reading window
    assert [e["n"] for e, _t in events] == list(range(5000))
    for bad in (b'{"epcisBody": {"eventList": [{"a": NaN}]}}', b'{"epcisBody": {"eventList": [{"a": 1}]}} x',
                b'{"epcisBody": {"eventList": [{"a": 1} {"b": 2}]}}'):
        with pytest.raises(DocumentError):
            _h, events = read_document(io.BytesIO(bad))
            list(events)


@pytest.mark.parametrize("who", ["anonymous", "enterprise", "no-csrf", "wrong-csrf"])
def test_rest_capture_refuses_without_writer_role_and_csrf(store: Store, who: str) -> None:
    client = epcis_client(store, role=None if who == "anonymous" else
                          ("enterprise" if who == "enterprise" else "analyst"))
    if who == "no-csrf":
        del client.headers["X-CSRF-Token"]
    elif who == "wrong-csrf":
        client.headers["X-CSRF-Token"] = "forged"
    r = client.post("/capture", content=HERB.read_bytes(), headers={"content-type": "application/ld+json"})
    assert r.status_code in (401, 403), r.text
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(EpcisEvent)) == 0
        assert s.scalar(select(func.count()).select_from(EpcisCaptureJob)) == 0
