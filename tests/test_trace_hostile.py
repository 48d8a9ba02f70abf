"""Hostile and malformed EPCIS: each refused by name (event and field) with nothing stored, every
capture job ending success or failed, and validation workers that do not outlive their parent."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select
from test_trace_support import epcis_client, event_list

from chainatlas.store import Store
from chainatlas.store.models.trace import EpcisCaptureJob, EpcisEvent
from chainatlas.trace.capture import capture_stream, capture_xml
from chainatlas.trace.validate import CaptureRejected

CTX = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"


def _event(i: int = 1, **extra: object) -> dict:
    ev = {"type": "ObjectEvent", "eventID": f"urn:uuid:00000000-0000-4000-8000-{i:012d}",
          "eventTime": "2024-05-01T08:00:00+08:00", "eventTimeZoneOffset": "+08:00", "action": "OBSERVE",
          "bizStep": "inspecting", "epcList": [f"urn:epc:id:sgtin:0614141.107346.{i}"]}
    ev.update(extra)
    return ev


def _text(events: list[str]) -> bytes:
    """A document from events given as JSON text (so it can hold what json.dumps would not write)."""
    ctx = json.dumps([CTX, {"ex": "https://example.com/ex/"}])
    return (f'{{"@context": {ctx}, "type": "EPCISDocument", "schemaVersion": "2.0", '
            f'"creationDate": "2024-01-01T00:00:00Z", "epcisBody": {{"eventList": [{", ".join(events)}]}}}}').encode()


def _stored(store: Store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(EpcisEvent)) or 0


def _with(field_json: str, i: int = 2) -> str:
    """Event ``i`` as JSON text with one more member spliced in verbatim."""
    return json.dumps(_event(i))[:-1] + ", " + field_json + "}"


HOSTILE = {
    # name: (event text, field the problem names, words in the message)
    "400-digit integer": (json.dumps(_event(2, quantityList=[{"epcClass": "urn:epc:idpat:sgtin:0614141.107346.*",
                                                                "quantity": 1}]))
                          .replace('"quantity": 1', '"quantity": ' + "9" * 400), "quantityList/0/quantity",
                          "400-digit"),
    "1e400 quantity": (json.dumps(_event(2, quantityList=[{"epcClass": "urn:epc:idpat:sgtin:0614141.107346.*",
                                                           "quantity": 1}])).replace('"quantity": 1', '"quantity": 1e400'),
                       "quantityList/0/quantity", "Infinity"),
    "nesting 100 deep": (_with('"ex:deep": ' + "[" * 100 + "]" * 100), "ex:deep", "nested deeper than 64"),
    "nesting 2000 deep": (_with('"ex:deep": ' + "[" * 2000 + "]" * 2000), "", "nested too deeply"),
    "lone surrogate": (_with('"ex:note": "abc\\ud800def"'), "ex:note", "lone surrogate U+D800"),
    "NUL": (_with('"ex:note": "a\\u0000b"'), "ex:note", "NUL"),
    "NUL in eventID": (json.dumps(_event(2)).replace('8000-000000000002"', '8000-000000000002\\u0000"'),
                       "eventID", "NUL"),
    "eventID of 600 characters": (json.dumps(_event(2, eventID="urn:uuid:" + "a" * 591)), "eventID", "at most 512"),
    "readPoint of 600 characters": (json.dumps(_event(2, readPoint={"id": "urn:epc:id:sgln:0614141.00777." + "1" * 570})),
                                    "readPoint/id", "at most 512"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_malformed_event_is_refused_by_name_and_nothing_is_stored(store: Store, name: str) -> None:
    text, field, words = HOSTILE[name]
    doc = _text([json.dumps(_event(1)), text])
    with pytest.raises(CaptureRejected) as info:
        capture_stream(store, io.BytesIO(doc))
    p = info.value.problems[0]
    assert p.index == 1, info.value  # the second event is named
    assert p.field == field and words in p.message, info.value
    assert _stored(store) == 0
    # Through REST: 202, then the job ends failed with an EPCIS ValidationException naming the same.
    client = epcis_client(store)
    r = client.post("/capture", content=doc, headers={"content-type": "application/json"})
    assert r.status_code == 202
    job = client.get(r.headers["location"]).json()
    assert not job["running"] and not job["success"]
    err = job["errors"][0]
    assert err["type"] == "epcisException:ValidationException" and err["eventIndex"] == 1
    assert err["field"] == field and words in err["message"]
    assert _stored(store) == 0
    # The events query keeps answering valid JSON.
    assert client.get("/events").json()["type"] == "EPCISQueryDocument"


def test_event_id_reused_for_a_different_event_is_refused(store: Store) -> None:
    first = _event(7)
    assert capture_stream(store, io.BytesIO(_text([json.dumps(first)]))).stored == 1
    # The same event again: idempotent.
    again = capture_stream(store, io.BytesIO(_text([json.dumps(first)])))
    assert (again.stored, again.duplicates) == (0, 1)
    other = _event(7, bizStep="shipping")
    with pytest.raises(CaptureRejected) as info:
        capture_stream(store, io.BytesIO(_text([json.dumps(_event(8)), json.dumps(other)])))
    p = info.value.problems[0]
    assert (p.index, p.field, p.event_id) == (1, "eventID", first["eventID"]) and "different event" in p.message
    assert _stored(store) == 1  # event 8 was rolled back with it
    # Within one document too.
    with pytest.raises(CaptureRejected, match="event #0 of this document"):
        capture_stream(store, io.BytesIO(_text([json.dumps(_event(9)), json.dumps(_event(9, bizStep="shipping"))])))
    with store.session() as s:
        assert s.scalar(select(EpcisEvent.biz_step).where(EpcisEvent.event_id == first["eventID"])) == "inspecting"


def test_error_declaration_for_an_event_never_captured_is_stored_and_said(store: Store) -> None:
    """EPCIS 2.0 lets a declaration travel alone (the GS1 examples capture one without its
    original), so it is stored — and the capture job says the original was never captured."""
    decl = _event(11, errorDeclaration={"declarationTime": "2024-05-02T08:00:00+08:00", "reason": "did_not_occur"})
    client = epcis_client(store)
    r = client.post("/capture", content=_text([json.dumps(decl)]), headers={"content-type": "application/json"})
    job = client.get(r.headers["location"]).json()
    assert job["success"] and job["storedCount"] == 1 and job["errors"] == []
    assert job["notices"][0]["eventID"] == decl["eventID"] and "never captured" in job["notices"][0]["message"]
    # A declaration of an event that is stored is applied, with no notice.
    capture_stream(store, io.BytesIO(_text([json.dumps(_event(12))])))
    decl12 = _event(12, errorDeclaration={"declarationTime": "2024-05-02T08:00:00+08:00"})
    res = capture_stream(store, io.BytesIO(_text([json.dumps(decl12)])))
    assert res.corrected == 1 and res.notices == []


def test_xml_with_a_dtd_or_entities_is_refused(store: Store) -> None:
    xml = b"""<?xml version="1.0"?>
<!DOCTYPE epcis:EPCISDocument [<!ENTITY xxe "0b6f1a00">]>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0"
 creationDate="2024-01-01T00:00:00Z"><EPCISBody><EventList><ObjectEvent>
<eventTime>2024-01-01T08:00:00+08:00</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
<eventID>urn:uuid:&xxe;</eventID>
<epcList><epc>urn:epc:id:sgtin:0614141.107346.7</epc></epcList><action>ADD</action>
</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>"""
    with pytest.raises(CaptureRejected, match="DTD"):
        capture_xml(store, io.BytesIO(xml))
    external = xml.replace(b'[<!ENTITY xxe "0b6f1a00">]', b'SYSTEM "http://example.com/epcis.dtd"')
    with pytest.raises(CaptureRejected, match="DTD"):
        capture_xml(store, io.BytesIO(external))
    # A bare <!DOCTYPE x> declares nothing (GS1's own examples carry one); a reference then is refused.
    bare = xml.replace(b'[<!ENTITY xxe "0b6f1a00">]', b"")
    with pytest.raises(CaptureRejected, match="(?i)entit|XML"):
        capture_xml(store, io.BytesIO(bare))
    assert _stored(store) == 0
    deep = (b'<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" '
            b'creationDate="2024-01-01T00:00:00Z"><EPCISBody><EventList><ObjectEvent>'
            + b"<x>" * 3000 + b"</x>" * 3000 + b"</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>")
    with pytest.raises(CaptureRejected, match="nested deeper"):
        capture_xml(store, io.BytesIO(deep))


def test_a_capture_that_fails_unexpectedly_ends_failed(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from chainatlas.trace import capture

    def broken(*a: object, **k: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(capture, "index_event", broken)
    client = epcis_client(store)
    r = client.post("/capture", content=_text([json.dumps(_event(1))]), headers={"content-type": "application/json"})
    job = client.get(r.headers["location"]).json()
    assert not job["running"] and not job["success"] and "disk on fire" in job["errors"][0]["message"]


def _dead_process_owner() -> str:
    from chainatlas.trace import jobs

    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        owner = f"{jobs._host()}:{proc.pid}:{jobs._start_time(proc.pid)}"
    finally:
        proc.kill()
        proc.wait()
    return owner


def test_a_job_left_running_by_a_dead_process_reads_as_failed(store: Store) -> None:
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc to tell whether a process is alive")
    from chainatlas.trace import jobs

    dead, live = str(uuid.uuid4()), str(uuid.uuid4())
    with store.session() as s:
        s.add(EpcisCaptureJob(id=dead, status="running", source="POST /capture", owner=_dead_process_owner()))
        s.add(EpcisCaptureJob(id=live, status="running", source="POST /capture", owner=jobs.this_process()))
    client = epcis_client(store)
    job = client.get(f"/capture/{dead}").json()
    assert not job["running"] and not job["success"] and "stopped before it finished" in job["errors"][0]["message"]
    assert client.get(f"/capture/{live}").json()["running"]  # its process (this one) is alive


def _running(pid: int) -> bool:
    """Alive and not a zombie (an exited orphan waits for init to collect it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def test_validation_worker_dies_with_its_parent(tmp_path: Path) -> None:
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc to watch processes")
    script = tmp_path / "parent.py"
    script.write_text(
        "import os, sys, time\n"
        "from chainatlas.trace import capture\n"
        "if __name__ == '__main__':\n"
        "    pool = capture._worker_pool()\n"
        "    print(pool.submit(os.getpid).result(), flush=True)\n"
        "    time.sleep(60)\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parent.parent),
                                                       os.environ.get("PYTHONPATH", "")]))
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        worker = int(parent.stdout.readline())  # type: ignore[union-attr]
        assert Path(f"/proc/{worker}").exists()
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 20
        while _running(worker) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _running(worker), "the validation worker outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()


def test_valid_documents_still_capture(store: Store) -> None:
    client = epcis_client(store)
    ev = _event(3, quantityList=[{"epcClass": "urn:epc:idpat:sgtin:0614141.107346.*", "quantity": 12.5, "uom": "KGM"}])
    r = client.post("/capture", content=_text([json.dumps(ev)]), headers={"content-type": "application/json"})
    assert client.get(r.headers["location"]).json()["success"]
    got = event_list(client.get("/events").json())
    assert got[0]["quantityList"][0]["quantity"] == 12.5
