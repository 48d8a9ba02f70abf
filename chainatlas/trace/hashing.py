"""The CBV 2.0 EPCIS Event Hash ID (``ni:///sha-256;<hex>?ver=CBV2.0``).

Implements the canonical pre-hash string of CBV 2.0 §8.9 as described by the GS1 reference
implementation's documentation (github.com/RalphTro/epcis-event-hash-generator, README): fields in
the canonical property order, ``key=value`` pairs concatenated without separators, list members
and extension substrings sorted by code point, timestamps in UTC with milliseconds and ``Z``,
numbers without trailing zeros, CBV terms as Web URIs, CURIEs expanded, EPC URIs as canonical GS1
Digital Link URIs, user extensions as ``{namespace}localName=value``. eventID, recordTime,
errorDeclaration and certificationInfo are not part of the hash, so an event keeps its hash when
an error declaration is added to it later.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from chainatlas.trace import identifiers, vocab

_TIME = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$")

STANDARD_FIELDS = frozenset({
    "@context", "type", "eventTime", "eventTimeZoneOffset", "recordTime", "eventID", "errorDeclaration",
    "certificationInfo", "epcList", "parentID", "inputEPCList", "childEPCs", "quantityList", "childQuantityList",
    "inputQuantityList", "outputEPCList", "outputQuantityList", "action", "transformationID", "bizStep",
    "disposition", "persistentDisposition", "readPoint", "bizLocation", "bizTransactionList", "sourceList",
    "destinationList", "sensorElementList", "ilmd",
})
_META_FIELDS = ("time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod",
                "bizRules")
_REPORT_FIELDS = ("type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "time",
                  "microorganism", "chemicalSubstance", "value", "component", "stringValue", "booleanValue",
                  "hexBinaryValue", "uriValue", "minValue", "maxValue", "meanValue", "sDev", "percRank",
                  "percValue", "uom", "coordinateReferenceSystem")
_TIME_FIELDS = frozenset({"time", "startTime", "endTime"})


@lru_cache(maxsize=4096)  # capture parses each eventTime twice (hash, then column); datetimes are immutable
def parse_time(value: str) -> datetime:
    """RFC 3339 → aware UTC datetime, keeping sub-millisecond digits rounded half-up to the millisecond."""
    m = _TIME.match(value.strip())
    if not m:
        raise ValueError(f"not an RFC 3339 date-time: {value!r}")
    y, mo, d, h, mi, s, frac, tz = m.groups()
    if frac is None or len(frac) <= 3:
        # The common case needs no rounding: skip Decimal (this runs twice per captured event).
        dt = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), int((frac or "0").ljust(3, "0")) * 1000,
                      tzinfo=UTC)
    else:
        ms = int((Decimal("0." + frac) * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        dt = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=UTC) + timedelta(milliseconds=ms)
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        dt -= sign * timedelta(hours=int(tz[1:3]), minutes=int(tz[4:6]))
    return dt


def utc_ms(value: str) -> str:
    dt = parse_time(value)
    return (f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}."
            f"{dt.microsecond // 1000:03d}Z")


def number(value: float | int | Decimal) -> str:
    """Decimal notation without trailing zeros or exponent: 1.0 → 1, 0.3430 → 0.343."""
    d = Decimal(str(value)).normalize()
    text = format(d, "f")
    return text


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return number(v)
    s = str(v).strip()
    if s.startswith("urn:epcglobal:cbv:"):
        for kind in vocab.KINDS:
            bare = vocab.to_bare(kind, s)
            if bare:
                return vocab.web_uri(kind, bare)
    if s.startswith("urn:epc:") or identifiers.is_digital_link(s):
        return identifiers.canonical(s)
    return s


class _Hasher:
    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = prefixes

    def name(self, key: str) -> str:
        """Extension key → ``{namespace}local``."""
        head, sep, tail = key.partition(":")
        if sep and not tail.startswith("//") and head in self.prefixes:
            return "{" + self.prefixes[head] + "}" + tail
        m = re.match(r"^(.*[/#])([^/#]+)$", key)
        return "{" + m.group(1) + "}" + m.group(2) if m else key

    def ext(self, key: str, value: Any) -> list[str]:
        """Substrings of one extension element (values of a list each become their own element)."""
        name = self.name(key)
        if isinstance(value, list):
            return [s for item in value for s in self.ext(key, item)]
        if isinstance(value, dict):
            if "#text" in value or "@value" in value:
                return [f"{name}={_value(value.get('#text', value.get('@value')))}"]
            children = sorted(s for k, v in value.items() if not k.startswith("@") for s in self.ext(k, v))
            return [name + "".join(children)]
        if value is None:
            return [name]
        return [f"{name}={self.curie(_value(value))}"]

    def extensions(self, obj: dict[str, Any], standard: frozenset[str] | tuple[str, ...]) -> str:
        parts = [s for k, v in obj.items() if k not in standard and not k.startswith("@") for s in self.ext(k, v)]
        return "".join(sorted(parts))

    def curie(self, s: str) -> str:
        return vocab.expand_curie(s, self.prefixes)

    def quantity(self, q: dict[str, Any]) -> str:
        out = "quantityElement"
        if "epcClass" in q:
            out += f"epcClass={_value(q['epcClass'])}"
        if "quantity" in q:
            out += f"quantity={_value(q['quantity'])}"
        if "uom" in q:
            out += f"uom={_value(q['uom'])}"
        return out

    def sensor_field(self, section: str, key: str, v: Any) -> str:
        if key in _TIME_FIELDS and isinstance(v, str):
            return f"{key}={utc_ms(v)}"
        if section == "report" and key == "type" and isinstance(v, str):
            return f"type={self.curie(v) if ':' in v else vocab.GS1_VOC + v}"
        if section == "report" and key == "component" and isinstance(v, str):
            bare = vocab.to_bare("component", v)
            return f"component={vocab.web_uri('component', bare) if bare else self.curie(v)}"
        if section == "report" and key == "exception" and isinstance(v, str) and ":" not in v:
            return f"exception={vocab.GS1_VOC}SensorAlertType-{v}"
        return f"{key}={self.curie(_value(v))}"

    def sensor_element(self, el: dict[str, Any]) -> str:
        out = "sensorElement"
        meta = el.get("sensorMetadata")
        if isinstance(meta, dict):
            out += "sensorMetadata" + "".join(self.sensor_field("meta", k, meta[k]) for k in _META_FIELDS if k in meta)
            out += self.extensions(meta, _META_FIELDS)
        reports = []
        for r in el.get("sensorReport") or []:
            s = "sensorReport" + "".join(self.sensor_field("report", k, r[k]) for k in _REPORT_FIELDS if k in r)
            reports.append(s + self.extensions(r, _REPORT_FIELDS))
        out += "".join(sorted(reports))
        return out + self.extensions(el, ("sensorMetadata", "sensorReport"))

    def prehash(self, e: dict[str, Any]) -> str:
        out = [f"eventType={e['type']}"]
        if "eventTime" in e:
            out.append(f"eventTime={utc_ms(e['eventTime'])}")
        if "eventTimeZoneOffset" in e:
            out.append(f"eventTimeZoneOffset={e['eventTimeZoneOffset']}")
        for key in ("epcList", "parentID", "inputEPCList", "childEPCs", "quantityList", "childQuantityList",
                    "inputQuantityList", "outputEPCList", "outputQuantityList"):
            if key not in e:
                continue
            if key == "parentID":
                out.append(f"parentID={_value(e[key])}")
            elif key.endswith("QuantityList") or key == "quantityList":
                if e[key]:
                    out.append(key + "".join(sorted(self.quantity(q) for q in e[key])))
            elif e[key]:
                out.append(key + "".join(sorted(f"epc={_value(x)}" for x in e[key])))
        for key, kind in (("action", None), ("transformationID", None), ("bizStep", "bizStep"),
                          ("disposition", "disposition")):
            if key in e:
                out.append(f"{key}={vocab.web_uri(kind, e[key]) if kind else _value(e[key])}")
        pd = e.get("persistentDisposition")
        if isinstance(pd, dict) and (pd.get("set") or pd.get("unset")):
            s = "persistentDisposition"
            for side in ("set", "unset"):
                s += "".join(sorted(f"{side}={vocab.web_uri('disposition', v)}" for v in pd.get(side) or []))
            out.append(s)
        for key in ("readPoint", "bizLocation"):
            loc = e.get(key)
            if isinstance(loc, dict):
                s = key + (f"id={_value(loc['id'])}" if "id" in loc else "")
                out.append(s + self.extensions(loc, ("id",)))
        for lst, key, kind in (("bizTransactionList", "bizTransaction", "bizTransaction-type"),
                               ("sourceList", "source", "source-dest-type"),
                               ("destinationList", "destination", "source-dest-type")):
            if e.get(lst):
                items = []
                for it in e[lst]:
                    s = f"{key}={_value(it[key])}"
                    if "type" in it:  # CBV 2.0 rule 13: the type follows the value it qualifies
                        s += f"type={vocab.web_uri(kind, it['type'])}"
                    items.append(s)
                out.append(lst + "".join(sorted(items)))
        if e.get("sensorElementList"):
            out.append("sensorElementList" + "".join(sorted(self.sensor_element(x) for x in e["sensorElementList"])))
        if isinstance(e.get("ilmd"), dict) and e["ilmd"]:
            out.append("ilmd" + self.extensions(e["ilmd"], ()))
        out.append(self.extensions(e, STANDARD_FIELDS))
        return "".join(out)


def prehash_string(event: dict[str, Any], prefixes: dict[str, str] | None = None) -> str:
    return _Hasher(prefixes or dict(vocab.standard_prefixes())).prehash(event)


def event_hash(event: dict[str, Any], prefixes: dict[str, str] | None = None) -> str:
    digest = hashlib.sha256(prehash_string(event, prefixes).encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver=CBV2.0"
