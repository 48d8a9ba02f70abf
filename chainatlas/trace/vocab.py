"""CBV 2.0 vocabularies, read from the vendored EPCIS JSON Schema (the one normative list we ship),
and the conversions between bare words, CBV URNs and CBV Web URIs.

EPCIS 2.0 JSON writes standard terms bare (``shipping``); XML and 1.x data use URNs
(``urn:epcglobal:cbv:bizstep:shipping``); the event hash uses Web URIs
(``https://ref.gs1.org/cbv/BizStep-shipping``). We store the bare word for standard terms and the
full URI for extensions, so a query for any of the three spellings finds the same events.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data" / "trace"
CBV = "https://ref.gs1.org/cbv/"
GS1_VOC = "https://gs1.org/voc/"

# vocabulary name in the schema → (Web URI term prefix, URN infix)
KINDS: dict[str, tuple[str, str]] = {
    "bizStep": ("BizStep-", "bizstep"),
    "disposition": ("Disp-", "disp"),
    "bizTransaction-type": ("BTT-", "btt"),
    "source-dest-type": ("SDT-", "sdt"),
    "error-reason": ("ER-", "er"),
    "component": ("Comp-", "comp"),
}


@cache
def schema() -> dict[str, Any]:
    return json.loads((DATA / "EPCIS-JSON-Schema.json").read_text(encoding="utf-8"))


@cache
def query_schema() -> dict[str, Any]:
    return json.loads((DATA / "query-schema.json").read_text(encoding="utf-8"))


@cache
def epcis_context() -> dict[str, Any]:
    return json.loads((DATA / "epcis-context.jsonld").read_text(encoding="utf-8"))["@context"]


@cache
def terms(kind: str) -> frozenset[str]:
    """The standard bare terms of one vocabulary, from the schema's enum."""
    node = schema()["definitions"][kind]
    for alt in node.get("anyOf", [node]):
        if "enum" in alt:
            return frozenset(alt["enum"])
    return frozenset()


@cache
def standard_prefixes() -> dict[str, str]:
    """CURIE prefixes the EPCIS context defines (gs1:, cbv:, cbvmda: …)."""
    return {k: v for k, v in epcis_context().items()
            if isinstance(v, str) and v.endswith(("/", "#", ":")) and not v.startswith("@")}


def to_bare(kind: str, value: str) -> str | None:
    """Standard term in any spelling → bare word; None when it is not a standard term."""
    web_prefix, urn = KINDS[kind]
    v = value.strip()
    if v in terms(kind):
        return v
    for prefix in (CBV + web_prefix, f"http://ref.gs1.org/cbv/{web_prefix}", f"cbv:{web_prefix}",
                   f"urn:epcglobal:cbv:{urn}:"):
        if v.startswith(prefix) and v[len(prefix):] in terms(kind):
            return v[len(prefix):]
    return None


def is_cbv_namespace(value: str) -> bool:
    return value.startswith(("urn:epcglobal:cbv:", "https://ref.gs1.org/cbv/", "http://ref.gs1.org/cbv/",
                             "https://ns.gs1.org/cbv/", "http://ns.gs1.org/cbv/", "cbv:"))


def normalize(kind: str, value: str) -> str:
    """Storage form: bare word for standard terms, the URI itself for extensions."""
    return to_bare(kind, value) or value.strip()


def web_uri(kind: str, value: str) -> str:
    """CBV 2.0 Web URI form (used by the event hash); extension URIs pass through."""
    bare = to_bare(kind, value)
    return f"{CBV}{KINDS[kind][0]}{bare}" if bare else value.strip()


def expand_curie(value: str, prefixes: dict[str, str]) -> str:
    """``gs1:Temperature`` → ``https://gs1.org/voc/Temperature`` using the document's prefixes."""
    head, sep, tail = value.partition(":")
    if sep and not tail.startswith("//") and head in prefixes:
        return prefixes[head] + tail
    return value
