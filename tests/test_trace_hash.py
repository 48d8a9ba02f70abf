"""CBV 2.0 event hash: a published test vector and the invariances the algorithm promises."""

from __future__ import annotations

import copy
import json

from chainatlas.trace.hashing import event_hash, parse_time, prehash_string, utc_ms

# Test vector published with the GS1 reference implementation (RalphTro/epcis-event-hash-generator,
# tests/examples/epcisDocWithSingleEvent.jsonld / .prehashes / .hashes, CBV 2.0).
SINGLE = {
    "type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
    "epcList": ["urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:id:sgtin:0614141.107346.2018"],
    "eventTime": "2022-02-16T20:33:31.116000-06:00", "eventTimeZoneOffset": "-06:00",
    "readPoint": {"id": "urn:epc:id:sgln:0614141.07346.1234"},
    "bizTransactionList": [{"type": "po", "bizTransaction": "http://transaction.acme.com/po/12345678"}],
}
SINGLE_PREHASH = (
    "eventType=ObjectEventeventTime=2022-02-17T02:33:31.116ZeventTimeZoneOffset=-06:00"
    "epcListepc=https://id.gs1.org/01/10614141073464/21/2017epc=https://id.gs1.org/01/10614141073464/21/2018"
    "action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-shippingdisposition=https://ref.gs1.org/cbv/Disp-in_transit"
    "readPointid=https://id.gs1.org/414/0614141073467/254/1234"
    "bizTransactionListbizTransaction=http://transaction.acme.com/po/12345678type=https://ref.gs1.org/cbv/BTT-po")
SINGLE_HASH = "ni:///sha-256;3e0f2437f4cb5e8a1b832b769c0eed1bf3e1421f14061132e9800ded03f10182?ver=CBV2.0"


def test_published_vector() -> None:
    assert prehash_string(SINGLE) == SINGLE_PREHASH
    assert event_hash(SINGLE) == SINGLE_HASH


def test_same_event_other_spelling_same_hash() -> None:
    other = json.loads(json.dumps(SINGLE))
    other = dict(reversed(list(other.items())))  # field order
    other["epcList"] = list(reversed(other["epcList"]))  # list order
    other["eventTime"] = "2022-02-17T02:33:31.116Z"  # same instant, other zone and precision
    other["bizStep"] = "urn:epcglobal:cbv:bizstep:shipping"  # URN spelling of the CBV term
    other["disposition"] = "https://ref.gs1.org/cbv/Disp-in_transit"  # Web URI spelling
    other["epcList"][0] = "https://id.gs1.org/01/10614141073464/21/2018"  # Digital Link spelling
    other["eventID"] = "urn:uuid:6f0b4b2c-0000-4000-8000-000000000001"  # not part of the hash
    other["recordTime"] = "2030-01-01T00:00:00Z"
    assert event_hash(other) == SINGLE_HASH


def test_error_declaration_keeps_the_hash_and_changes_change_it() -> None:
    declared = copy.deepcopy(SINGLE)
    declared["errorDeclaration"] = {"declarationTime": "2022-03-01T00:00:00Z", "reason": "incorrect_data"}
    assert event_hash(declared) == SINGLE_HASH
    changed = copy.deepcopy(SINGLE)
    changed["disposition"] = "in_progress"
    assert event_hash(changed) != SINGLE_HASH
    extended = copy.deepcopy(SINGLE)
    extended["ex:note"] = "x"
    assert event_hash(extended, {"ex": "https://ns.example.com/"}) != SINGLE_HASH


def test_extensions_use_namespaces_not_prefixes() -> None:
    a = dict(SINGLE, **{"a:f": {"a:g": "1", "a:h": 2.50}})
    b = dict(SINGLE, **{"b:f": {"b:h": 2.5, "b:g": "1"}})
    ns = "https://ns.example.com/epcis/"
    assert event_hash(a, {"a": ns}) == event_hash(b, {"b": ns})
    assert "{https://ns.example.com/epcis/}f{https://ns.example.com/epcis/}g=1{https://ns.example.com/epcis/}h=2.5" \
        in prehash_string(a, {"a": ns})


def test_timestamps() -> None:
    assert utc_ms("2020-03-04T11:00:30+01:00") == "2020-03-04T10:00:30.000Z"
    assert utc_ms("2020-03-04T10:00:30.1234Z") == "2020-03-04T10:00:30.123Z"
    assert utc_ms("2020-03-04T10:00:30.9996Z") == "2020-03-04T10:00:31.000Z"  # rounds, carries
    assert parse_time("2005-07-11T11:30:47.0Z").year == 2005


def test_quantities_lose_trailing_zeros() -> None:
    ev = {"type": "ObjectEvent", "eventTime": "2024-01-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
          "action": "OBSERVE",
          "quantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.012345.998877", "quantity": 200.0, "uom": "KGM"}]}
    assert "quantityListquantityElementepcClass=https://id.gs1.org/01/04012345123456/10/998877quantity=200uom=KGM" \
        in prehash_string(ev)
