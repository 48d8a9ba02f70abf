"""GET /events with the EPCIS 2.0 query parameters, on the demo lineage."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from test_trace_support import HERB, epcis_client, event_list

from chainatlas.store import Store
from chainatlas.trace.capture import capture_file

N = "urn:uuid:0b6f1a00-0000-4000-8000-0000000000"


@pytest.fixture
def client(store: Store) -> TestClient:
    capture_file(store, HERB)
    return epcis_client(store)


def ids(client: TestClient, **params: str) -> list[str]:
    r = client.get("/events", params={"perPage": "100", **params})
    assert r.status_code == 200, r.text
    assert r.json()["type"] == "EPCISQueryDocument"
    return [e["eventID"][-2:] for e in event_list(r.json())]


def test_filters(client: TestClient) -> None:
    assert sorted(ids(client, eventType="AggregationEvent")) == ["10", "11", "12", "13", "17"]
    assert sorted(ids(client, EQ_action="DELETE")) == ["17"]
    assert sorted(ids(client, EQ_bizStep="shipping")) == ["03", "14", "15", "18"]
    assert sorted(ids(client, EQ_bizStep="https://ref.gs1.org/cbv/BizStep-receiving")) == ["16", "19"]
    assert sorted(ids(client, EQ_bizStep="urn:epcglobal:cbv:bizstep:packing,unpacking")) == ["10", "11", "12", "13", "17"]
    assert sorted(ids(client, EQ_disposition="in_transit", EQ_bizStep="shipping")) == ["03", "14", "15", "18"]
    assert ids(client, GE_eventTime="2024-10-09T00:00:00+08:00", LT_eventTime="2024-10-10T00:00:00+08:00") == ["18"]
    assert ids(client, EQ_readPoint="urn:epc:id:sgln:6975002.00001.0", orderDirection="ASC") == ["16", "17", "18"]
    assert sorted(ids(client, WD_bizLocation="https://id.gs1.org/414/6975001000301")) == ["08", "09"]
    assert ids(client, EQ_eventID=f"{N}07") == ["07"]


def test_identifier_matching_across_forms_and_patterns(client: TestClient) -> None:
    case2_dl, case2_epc = "https://id.gs1.org/00/069750010000000226", "urn:epc:id:sscc:6975001.0000000022"
    assert sorted(ids(client, MATCH_epc=case2_epc)) == ["15"]  # captured as a Digital Link
    assert sorted(ids(client, MATCH_anyEPC=case2_dl)) == ["11", "15"]  # parentID of the packing event
    assert sorted(ids(client, MATCH_parentID="urn:epc:id:sscc:6975001.1000000099")) == ["13", "17"]
    assert sorted(ids(client, MATCH_epc="urn:epc:idpat:sgtin:6975001.000004.*")) == ["10", "11", "12"]
    assert sorted(ids(client, MATCH_outputEPC="urn:epc:idpat:sgtin:6975001.000004.*")) == ["08", "09"]
    assert sorted(ids(client, MATCH_inputEPCClass="urn:epc:class:lgtin:6975001.000002.YP2024091502")) == ["06", "07"]
    assert sorted(ids(client, MATCH_outputEPCClass="urn:epc:idpat:sgtin:6975001.000003.*")) == ["06", "07"]
    assert sorted(ids(client, MATCH_epcClass="urn:epc:class:lgtin:6975001.000001.YC20240901A")) == ["01", "03"]
    assert sorted(ids(client, MATCH_anyEPCClass="urn:epc:idpat:sgtin:6975001.000001.*")) == ["01", "02", "03", "04", "05"]
    assert sorted(ids(client, GE_quantity="700", MATCH_anyEPCClass="urn:epc:idpat:sgtin:6975001.000001.*")) == [
        "01", "03", "05"]


def test_business_transactions_sources_destinations(client: TestClient) -> None:
    assert ids(client, EQ_bizTransaction_po="urn:epc:id:gdti:6975002.00001.PO20241001") == ["14"]
    assert ids(client, **{"EQ_bizTransaction_https://ref.gs1.org/cbv/BTT-desadv":
                          "https://id.gs1.org/253/6975001000011ASN1005"}) == ["14"]
    assert sorted(ids(client, EQ_destination_location="urn:epc:id:sgln:6975002.00001.0")) == ["14"]
    assert sorted(ids(client, EQ_source_location="urn:epc:id:sgln:6975002.00001.0")) == ["18"]
    assert ids(client, EQ_source_owning_party="urn:epc:id:pgln:6975001.00000") == ["14"]


def test_order_limit_and_pages(client: TestClient) -> None:
    asc = ids(client, orderBy="eventTime", orderDirection="ASC")
    assert asc == sorted(asc) and len(asc) == 19
    assert ids(client, orderDirection="DESC", eventCountLimit="3") == ["19", "18", "17"]
    r = client.get("/events", params={"perPage": "7", "orderDirection": "ASC"})
    seen = [e["eventID"][-2:] for e in event_list(r.json())]
    while "link" in r.headers:
        url = r.headers["link"].split(";")[0].strip("<>")
        r = client.get(url)
        seen += [e["eventID"][-2:] for e in event_list(r.json())]
    assert seen == asc
    too_many = client.get("/events", params={"maxEventCount": "5"})
    assert too_many.status_code == 413 and too_many.json()["type"] == "epcisException:QueryTooLargeException"


@pytest.mark.parametrize("params", [{"EQ_nonsense": "1"}, {"GE_eventTime": "yesterday"}, {"EQ_action": "SHIP"},
                                    {"orderBy": "bizStep"}, {"orderDirection": "UP"}, {"perPage": "0"},
                                    {"eventType": "ThingEvent"}, {"nextPageToken": "forged"},
                                    {"MATCH_epc": "urn:epc:idpat:foo:1.*"}])
def test_bad_parameters_are_rejected(client: TestClient, params: dict) -> None:
    r = client.get("/events", params=params)
    assert r.status_code == 400
    assert r.json()["type"] == "epcisException:QueryParameterException"


def test_single_event_resource_and_named_query(client: TestClient) -> None:
    r = client.get(f"/events/{N}14")
    assert r.status_code == 200 and r.json()["bizStep"] == "shipping" and "@context" in r.json()
    assert client.get("/events/urn:uuid:none").status_code == 404
    assert client.get("/queries").json()[0]["name"] == "SimpleEventQuery"
    body = {"eventType": ["ObjectEvent"], "EQ_bizStep": ["https://ref.gs1.org/cbv/BizStep-receiving"]}
    r = client.post("/queries/SimpleEventQuery/events", json=body)
    assert sorted(e["eventID"][-2:] for e in event_list(r.json())) == ["16", "19"]
    assert client.post("/queries/SimpleEventQuery/events", json={"GE_eventDate": "x"}).status_code == 400


def test_persistent_disposition_error_reason_and_transformation_id(store: Store) -> None:
    import io
    import json

    from chainatlas.trace.capture import capture_stream

    base = {"eventTimeZoneOffset": "+00:00", "readPoint": {"id": "urn:epc:id:sgln:0614141.07346.0"}}
    evs = [
        dict(base, type="ObjectEvent", eventID="urn:uuid:pd-1", eventTime="2024-01-01T00:00:00Z", action="OBSERVE",
             epcList=["urn:epc:id:sgtin:0614141.107346.1"], persistentDisposition={"set": ["completeness_verified"],
                                                                                   "unset": ["completeness_inferred"]}),
        dict(base, type="TransformationEvent", eventID="urn:uuid:tf-1", eventTime="2024-01-02T00:00:00Z",
             transformationID="urn:uuid:batch-7", inputEPCList=["urn:epc:id:sgtin:0614141.107346.1"],
             outputEPCList=["urn:epc:id:sgtin:0614141.107347.1"],
             errorDeclaration={"declarationTime": "2024-02-01T00:00:00Z", "reason": "did_not_occur"}),
    ]
    doc = {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument",
           "schemaVersion": "2.0", "creationDate": "2024-01-01T00:00:00Z", "epcisBody": {"eventList": evs}}
    capture_stream(store, io.BytesIO(json.dumps(doc).encode()))
    client = epcis_client(store)

    def got(**p: str) -> list[str]:
        return [e["eventID"] for e in event_list(client.get("/events", params=p).json())]

    assert got(EQ_persistentDisposition_set="completeness_verified") == ["urn:uuid:pd-1"]
    assert got(EQ_persistentDisposition_unset="https://ref.gs1.org/cbv/Disp-completeness_inferred") == ["urn:uuid:pd-1"]
    assert got(EQ_persistentDisposition_set="completeness_inferred") == []
    assert got(EQ_errorReason="did_not_occur") == ["urn:uuid:tf-1"]
    assert got(EQ_correctiveEventID="urn:uuid:none") == []
    assert got(EQ_transformationID="urn:uuid:batch-7") == ["urn:uuid:tf-1"]
    assert got(EQ_eventType="TransformationEvent", LT_errorDeclaration_Time="2024-03-01T00:00:00Z") == ["urn:uuid:tf-1"]
