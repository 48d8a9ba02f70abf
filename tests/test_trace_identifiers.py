"""EPC URI ↔ GS1 Digital Link conversion, EPC patterns, and Chinese traceability codes."""

from __future__ import annotations

import pytest

from chainatlas.errors import TraceError
from chainatlas.trace import cn_codes, identifiers

PAIRS = [
    ("urn:epc:id:sgtin:0614141.107346.2017", "https://id.gs1.org/01/10614141073464/21/2017"),
    ("urn:epc:id:sscc:4012345.0000000111", "https://id.gs1.org/00/040123450000001112"),
    ("urn:epc:id:sgln:0614141.07346.1234", "https://id.gs1.org/414/0614141073467/254/1234"),
    ("urn:epc:id:sgln:4012345.00011.0", "https://id.gs1.org/414/4012345000115"),
    ("urn:epc:id:pgln:4012345.00000", "https://id.gs1.org/417/4012345000009"),
    ("urn:epc:id:gdti:4012345.11111.123", "https://id.gs1.org/253/4012345111118123"),
    ("urn:epc:id:giai:4000001.111", "https://id.gs1.org/8004/4000001111"),
    ("urn:epc:class:lgtin:4012345.012345.998877", "https://id.gs1.org/01/04012345123456/10/998877"),
]


@pytest.mark.parametrize(("epc", "dl"), PAIRS)
def test_epc_to_digital_link(epc: str, dl: str) -> None:
    assert identifiers.parse(epc).key == dl
    assert identifiers.parse(dl).key == dl  # a Digital Link is its own canonical key


@pytest.mark.parametrize(("epc", "dl"), [p for p in PAIRS if "giai" not in p[0] and "gdti" not in p[0]])
def test_digital_link_back_to_epc_with_prefix_length(epc: str, dl: str) -> None:
    cp_len = len(epc.rsplit(":", 1)[1].split(".")[0])
    assert identifiers.dl_to_epc(dl, cp_len) == epc


def test_digital_link_to_epc_needs_prefix_length() -> None:
    with pytest.raises(TraceError, match="Company Prefix length"):
        identifiers.dl_to_epc("https://id.gs1.org/01/09521141012345/21/2017")


def test_custom_domain_query_string_and_short_gtin_are_canonicalised() -> None:
    assert identifiers.parse("https://example.com/shop/01/9521141012345/10/L1?x=1").key == \
        "https://id.gs1.org/01/09521141012345/10/L1"


def test_bad_check_digit_and_bad_epc_rejected() -> None:
    with pytest.raises(TraceError, match="check digit"):
        identifiers.parse("https://id.gs1.org/01/09521141012346/21/1")
    with pytest.raises(TraceError, match="13 digits"):
        identifiers.parse("urn:epc:id:sgtin:0614141.10734.2017")  # 12 digits, not 13


def test_epc_patterns() -> None:
    assert identifiers.match_pattern("urn:epc:idpat:sgtin:0614141.107346.*") == \
        ("like", "https://id.gs1.org/01/10614141073464/%")
    assert identifiers.match_pattern("urn:epc:idpat:sgtin:0614141.*.*") == ("like", "https://id.gs1.org/01/_0614141%")
    assert identifiers.match_pattern("https://id.gs1.org/01/10614141073464") == \
        ("like", "https://id.gs1.org/01/10614141073464%")
    assert identifiers.match_pattern("urn:epc:id:sgtin:0614141.107346.2017")[0] == "eq"


def test_drug_trace_code() -> None:
    info = cn_codes.parse_drug_code("81000010000010016919")
    assert info.valid
    assert info.parts == {"药品标识码": "8100001", "单品序列号": "000001001", "校验位": "6919"}
    assert info.epc == "urn:epc:id:sgtin:6975001.000005.81000010000010016919"  # via drug_gtin.csv
    assert cn_codes.drug_code_to_epc("83200450000012345678") == "urn:chainatlas:cn:nmpa-drug-code:83200450000012345678"
    assert not cn_codes.parse_drug_code("8100001000001001691").valid  # 19 digits
    assert not cn_codes.parse_drug_code("8100001000001001691X").valid
    gs1 = cn_codes.parse_drug_code("(01)06975001000059(21)ABC123")
    assert gs1.valid and gs1.epc == "https://id.gs1.org/01/06975001000059/21/ABC123"
    assert not cn_codes.parse_drug_code("(01)06975001000050(21)ABC123").valid


@pytest.mark.parametrize(("lot", "kind", "day"), [
    ("YC20240901A", "中药材", "2024-09-01"), ("YP2024091502", "中药饮片", "2024-09-15"),
    ("TQ2024092001", "提取物", "2024-09-20"), ("24091502", "中药批号", "2024-09-15")])
def test_herb_lot_grammar(lot: str, kind: str, day: str) -> None:
    info = cn_codes.parse_herb_lot(lot)
    assert info.valid and info.kind == kind and info.parts["日期"] == day


def test_herb_lot_rejected_and_mapped() -> None:
    assert not cn_codes.parse_herb_lot("YC20241301A").valid
    assert not cn_codes.parse_herb_lot("黄精一批").valid
    assert cn_codes.herb_lot_to_epc("YC20240901A", "06975001000011", 7) == \
        "urn:epc:class:lgtin:6975001.000001.YC20240901A"
