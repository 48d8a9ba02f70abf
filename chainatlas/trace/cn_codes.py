"""Chinese traceability codes: 药品追溯码 and 中药材 / 中药饮片 lot numbers, and their EPC forms.

药品追溯码 — what we implement and why
--------------------------------------
NMPA 《药品追溯码编码要求》 (NMPAB/T 1002-2019) defines the drug traceability code as a code that
uniquely identifies a sales packaging unit, made of a 药品标识码 segment (identifies the marketing
authorisation holder / manufacturer, name, dosage form, strength and package) and a 生产标识码
segment (at least the 单品序列号; optionally batch, production date, expiry). It allows any coding
scheme that meets those rules (the GS1 system included). The code almost every Chinese drug pack
carries today is the 20-digit code inherited from 中国药品电子监管码 and issued through the 码上放心
platform: digits 1-7 药品标识码 (assigned per product and package by the issuing platform),
digits 8-16 单品序列号 (9 digits), digits 17-20 a 4-digit 校验位 computed by the issuer. The issuer's
check algorithm is not published, so we can check the structure but not the 4 check digits — we say
so in the explanation instead of pretending. GS1 element strings ((01)GTIN(21)serial…) on Chinese
packs are accepted too and become SGTINs directly.

Mapping to EPC: when ``drug_gtin.csv`` maps a 药品标识码 to a GTIN, the pack becomes
``urn:epc:id:sgtin:<GCP>.<item>.<20-digit code>`` (the full code as serial keeps it unique and
reversible). Without a mapping it becomes ``urn:chainatlas:cn:nmpa-drug-code:<code>`` — a URI, which
EPCIS accepts as an identifier, but not an EPC, because no EPC scheme exists for it.

Herb lot numbers (批号) — a documented grammar
--------------------------------------------
There is no national format for 中药材/饮片 批号; makers use date-based numbers. ChainAtlas reads:

    HERB_LOT  := KIND DATE SEQ [SUFFIX]
    KIND      := "YC" (中药材) | "YP" (中药饮片) | "TQ" (提取物) | "ZCY" (中成药)   -- optional
    DATE      := YYYYMMDD | YYMMDD
    SEQ       := 1-4 digits (the batch of that day)
    SUFFIX    := one capital letter (planting area / base, e.g. "A")

e.g. ``YC20240901A``, ``YP2024091502``, ``240915`` + ``02``. Such a lot becomes an LGTIN EPC class
when the product's GTIN is known (``urn:epc:class:lgtin:<GCP>.<item>.<lot>``).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from chainatlas.errors import TraceError
from chainatlas.trace import identifiers

DATA = Path(__file__).resolve().parent.parent / "data" / "trace"
_GS1_ELEMENT = re.compile(r"^\(?01\)?(\d{14})\(?21\)?([!-~]{1,20})$")
_HERB = [re.compile(r"^(?P<kind>YC|YP|TQ|ZCY)?(?P<date>\d{" + str(n) + r"})(?P<seq>\d{1,4})?(?P<suffix>[A-Z])?$")
         for n in (8, 6)]
_KINDS = {"YC": "中药材", "YP": "中药饮片", "TQ": "提取物", "ZCY": "中成药"}


class CodeError(TraceError):
    code = "E750"


@dataclass
class CodeInfo:
    code: str
    kind: str
    valid: bool
    parts: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    epc: str | None = None
    # False where only the structure could be checked (20-digit codes: issuer check digits).
    fully_checked: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "kind": self.kind, "valid": self.valid, "fully_checked": self.fully_checked,
                "parts": self.parts, "notes": self.notes, "epc": self.epc}


@cache
def gtin_table() -> dict[str, tuple[str, int]]:
    """药品标识码 → (GTIN-14, GS1 company-prefix length), from data/trace/drug_gtin.csv."""
    path = DATA / "drug_gtin.csv"
    out: dict[str, tuple[str, int]] = {}
    if path.exists():
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                out[row["product_code"]] = (row["gtin"], int(row["gcp_length"]))
    return out


def _sgtin(gtin: str, cp_len: int, serial: str) -> str:
    cp, item = gtin[1:1 + cp_len], gtin[0] + gtin[1 + cp_len:13]
    return f"urn:epc:id:sgtin:{cp}.{item}.{serial}"


def parse_drug_code(code: str) -> CodeInfo:
    c = re.sub(r"[\s-]", "", code)
    m = _GS1_ELEMENT.match(c)
    if m:
        gtin, serial = m.groups()
        info = CodeInfo(code, "药品追溯码 (GS1 GTIN+序列号)", True, {"GTIN": gtin, "序列号": serial})
        if identifiers.check_digit(gtin[:-1]) != gtin[-1]:
            info.valid = False
            info.notes.append(f"GTIN 校验位错误 / wrong GTIN check digit (expected {identifiers.check_digit(gtin[:-1])})")
        else:
            info.epc = identifiers.parse(f"https://id.gs1.org/01/{gtin}/21/{serial}").key
            info.notes.append("GS1 编码：公司前缀长度未知，EPC 以 GS1 Digital Link 表示")
        return info
    info = CodeInfo(code, "药品追溯码 (20位)", False)
    if not c.isdigit():
        info.notes.append("药品追溯码应为数字 / must be digits only")
        return info
    if len(c) != 20:
        info.notes.append(f"药品追溯码应为20位，实际 {len(c)} 位 / must be 20 digits, got {len(c)}")
        return info
    info.valid, info.fully_checked = True, False
    info.parts = {"药品标识码": c[:7], "单品序列号": c[7:16], "校验位": c[16:]}
    info.notes.append("校验位由发码机构计算，算法未公开，无法离线验证 / check part is issuer-computed; "
                      "structure verified only")
    if not c.startswith("8"):
        info.notes.append("注意：现行码上放心追溯码一般以 8 开头 / codes issued today usually start with 8")
    info.epc = drug_code_to_epc(c)
    return info


def drug_code_to_epc(code: str) -> str:
    mapped = gtin_table().get(code[:7])
    if mapped:
        return _sgtin(mapped[0], mapped[1], code)
    return f"urn:chainatlas:cn:nmpa-drug-code:{code}"


def parse_herb_lot(lot: str) -> CodeInfo:
    info = CodeInfo(lot, "中药批号", False)
    m, day = None, None
    for rx in _HERB:  # YYYYMMDD first, then YYMMDD: "24091502" is 2024-09-15 batch 02
        m = rx.match(lot.strip())
        if m:
            d = m.group("date")
            try:
                day = date(int(d[:4]), int(d[4:6]), int(d[6:8])) if len(d) == 8 else date(
                    2000 + int(d[:2]), int(d[2:4]), int(d[4:6]))
                break
            except ValueError:
                m = None
    if not m or day is None:
        info.notes.append("不符合批号语法 KIND? DATE SEQ? SUFFIX? (如 YC20240901A、YP2024091502) 或日期无效")
        return info
    info.valid = True
    info.kind = _KINDS.get(m.group("kind") or "", "中药批号")
    info.parts = {"日期": day.isoformat(), **({"序号": m.group("seq")} if m.group("seq") else {}),
                  **({"基地/分区": m.group("suffix")} if m.group("suffix") else {})}
    return info


def herb_lot_to_epc(lot: str, gtin: str, gcp_length: int) -> str:
    if not parse_herb_lot(lot).valid:
        raise CodeError(f"not a herb lot number in the documented grammar: {lot!r}")
    cp, item = gtin[1:1 + gcp_length], gtin[0] + gtin[1 + gcp_length:13]
    return f"urn:epc:class:lgtin:{cp}.{item}.{lot}"


def explain(code: str) -> CodeInfo:
    """Whatever the user typed: a 药品追溯码, a herb lot number, an EPC URI or a Digital Link."""
    c = code.strip()
    if c.startswith(("urn:", "http://", "https://")):
        try:
            ident = identifiers.parse(c)
        except TraceError as exc:
            return CodeInfo(c, "EPC / Digital Link", False, notes=[exc.message])
        info = CodeInfo(c, f"EPC {ident.scheme} ({ident.level})", True, {"Digital Link": ident.key})
        if ident.company_prefix:
            info.parts["GS1 公司前缀"] = ident.company_prefix
        info.epc = c
        return info
    digits = re.sub(r"[\s-]", "", c)
    if digits.isdigit() and len(digits) >= 16 or _GS1_ELEMENT.match(digits):
        return parse_drug_code(c)
    return parse_herb_lot(c)
