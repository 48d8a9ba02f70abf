"""EPCIS 2.0 XML → the JSON/JSON-LD event structure, streamed with lxml ``iterparse``.

Each event element is converted as soon as it ends and then cleared, so an XML document streams
like a JSON one. The conversion follows the EPCIS 2.0 JSON binding: CBV URNs become bare terms,
quantities and sensor values numbers, user extensions ``prefix:local`` keys whose prefixes are
added to the document's ``@context`` from the XML namespace declarations. The parser never
resolves entities nor loads DTDs (no XXE).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from lxml import etree

from chainatlas.trace import vocab
from chainatlas.trace.reader import DocumentError

EPCIS_NS = ("urn:epcglobal:epcis:xsd:2", "urn:epcglobal:epcis:xsd:1")
EVENTS = {"ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent"}
ID_LISTS = {"epcList", "childEPCs", "inputEPCList", "outputEPCList"}
QTY_LISTS = {"quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"}
TYPED_LISTS = {"bizTransactionList": ("bizTransaction", "bizTransaction-type"),
               "sourceList": ("source", "source-dest-type"), "destinationList": ("destination", "source-dest-type")}
NUMERIC = {"value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"}
CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
# Document → body → eventList → event is 4; the JSON limit (validate.MAX_DEPTH) applies below that.
MAX_XML_DEPTH = 72


def _local(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        ns, local = tag[1:].split("}", 1)
        return ns, local
    return None, tag


def _num(text: str) -> int | float | str:
    try:
        f = float(text)
    except ValueError:
        return text
    return int(f) if f.is_integer() and "." not in text and "e" not in text.lower() else f


class _Converter:
    def __init__(self) -> None:
        self.ns: dict[str, str] = {}  # prefix → namespace of the extensions met

    def key(self, el: etree._Element, tag: str | None = None) -> str:
        ns, local = _local(tag or el.tag)
        if ns is None or ns in EPCIS_NS:
            return local
        prefix = next((p for p, u in (el.nsmap or {}).items() if u == ns and p), None) or f"ns{len(self.ns)}"
        self.ns.setdefault(prefix, ns)
        return f"{prefix}:{local}"

    def ext(self, el: etree._Element) -> Any:
        if len(el) == 0:
            return (el.text or "").strip()
        out: dict[str, Any] = {}
        for child in el:
            if not isinstance(child.tag, str):
                continue
            k, v = self.key(child), self.ext(child)
            if k in out:
                out[k] = out[k] if isinstance(out[k], list) else [out[k]]
                out[k].append(v)
            else:
                out[k] = v
        return out

    def attrs(self, el: etree._Element, section: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in el.attrib.items():
            k = self.key(el, name)
            if section == "report" and k == "type":
                # JSON writes standard measurement types bare; others stay URIs (gs1: CURIEs expanded).
                full = vocab.GS1_VOC + value[4:] if value.startswith("gs1:") else value
                bare = full[len(vocab.GS1_VOC):] if full.startswith(vocab.GS1_VOC) else None
                out[k] = bare if bare in vocab.terms("measurementType") else full
            elif k in NUMERIC:
                out[k] = _num(value)
            elif k == "booleanValue":
                out[k] = value.strip().lower() == "true"
            else:
                out[k] = value
        return out

    def event(self, el: etree._Element) -> dict[str, Any]:
        _ns, etype = _local(el.tag)
        ev: dict[str, Any] = {"type": etype}
        for child in el:
            if isinstance(child.tag, str):
                self.field(ev, child)
        return ev

    def field(self, ev: dict[str, Any], child: etree._Element) -> None:
        ns, name = _local(child.tag)
        if ns not in (None, *EPCIS_NS):
            ev[self.key(child)] = self.ext(child)
            return
        text = (child.text or "").strip()
        if name in ("extension", "baseExtension"):  # EPCIS 1.x wrappers: their content is event-level
            for sub in child:
                if isinstance(sub.tag, str):
                    self.field(ev, sub)
        elif name in ID_LISTS:
            ev[name] = [(e.text or "").strip() for e in child if isinstance(e.tag, str)]
        elif name in QTY_LISTS:
            ev[name] = [self.quantity(qe) for qe in child if isinstance(qe.tag, str)]
        elif name in TYPED_LISTS:
            item, kind = TYPED_LISTS[name]
            ev[name] = [{**({"type": vocab.normalize(kind, e.get("type"))} if e.get("type") else {}),
                         item: (e.text or "").strip()} for e in child if isinstance(e.tag, str)]
        elif name in ("readPoint", "bizLocation"):
            ev[name] = {self.key(c): self.ext(c) for c in child if isinstance(c.tag, str)}
        elif name in ("bizStep", "disposition"):
            ev[name] = vocab.normalize(name, text)
        elif name == "persistentDisposition":
            pd: dict[str, list[str]] = {}
            for c in child:
                if isinstance(c.tag, str):
                    pd.setdefault(_local(c.tag)[1], []).append(vocab.normalize("disposition", (c.text or "").strip()))
            ev[name] = pd
        elif name == "errorDeclaration":
            ed: dict[str, Any] = {}
            for c in child:
                if not isinstance(c.tag, str):
                    continue
                k = self.key(c)
                if k == "correctiveEventIDs":
                    ed[k] = [(x.text or "").strip() for x in c if isinstance(x.tag, str)]
                elif k == "reason":
                    ed[k] = vocab.normalize("error-reason", (c.text or "").strip())
                else:
                    ed[k] = self.ext(c)
            ev[name] = ed
        elif name == "sensorElementList":
            ev[name] = [self.sensor(se) for se in child if isinstance(se.tag, str)]
        elif name == "ilmd":
            ev[name] = self.ext(child) or {}
        elif name == "certificationInfo":
            ev[name] = text
        else:
            ev[name] = text

    def quantity(self, qe: etree._Element) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for q in qe:
            if not isinstance(q.tag, str):
                continue
            text = (q.text or "").strip()
            if not text and q.get("{http://www.w3.org/2001/XMLSchema-instance}nil") == "true":
                continue  # xsi:nil: the element is there but has no value — JSON omits it
            k = self.key(q)
            out[k] = _num(text) if k == "quantity" else text
        return out

    def sensor(self, se: etree._Element) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for c in se:
            if not isinstance(c.tag, str):
                continue
            _ns, name = _local(c.tag)
            if name == "sensorMetadata" and _ns in EPCIS_NS + (None,):
                out["sensorMetadata"] = self.attrs(c, "meta")
            elif name == "sensorReport" and _ns in EPCIS_NS + (None,):
                out.setdefault("sensorReport", []).append(self.attrs(c, "report"))
            else:
                out[self.key(c)] = self.ext(c)
        return out


def _declares_entities(el: etree._Element) -> bool:
    info = el.getroottree().docinfo
    dtd = info.internalDTD
    return bool(info.system_url or info.public_id or (dtd is not None and next(dtd.iterentities(), None)))


def read_xml(fp: IO[bytes], prefixes: dict[str, str]) -> tuple[dict[str, Any], Iterator[dict[str, Any]]]:
    """(document header, iterator of events). ``prefixes`` is updated in place as extension
    namespaces are declared, before the event that uses them is handed out for hashing."""
    conv = _Converter()
    header: dict[str, Any] = {"@context": [CONTEXT], "type": "EPCISDocument", "epcisBody": {"eventList": []}}

    def events() -> Iterator[dict[str, Any]]:
        parser = etree.iterparse(fp, events=("start", "end"), resolve_entities=False, no_network=True,
                                 load_dtd=False, huge_tree=True)
        depth = count = 0
        try:
            for action, el in parser:
                if action == "end":
                    depth -= 1
                elif depth == 0 and _declares_entities(el):
                    # Entities are never expanded (no XXE), but a reference to one would then vanish from
                    # the text silently ("urn:uuid:&x;" read as "urn:uuid:"). A bare <!DOCTYPE x>, as in
                    # GS1's own examples, declares nothing and is accepted.
                    raise DocumentError("the XML document declares entities or an external DTD in its "
                                        "<!DOCTYPE …>: EPCIS documents must not use DTDs or entity references")
                else:
                    depth += 1
                    if depth > MAX_XML_DEPTH:
                        raise DocumentError(f"event #{count}: XML elements nested deeper than {MAX_XML_DEPTH} "
                                            "levels", index=count)
                _ns, local = _local(el.tag) if isinstance(el.tag, str) else (None, "")
                if action == "start" and local in ("EPCISDocument", "EPCISQueryDocument"):
                    header.update({k: v for k, v in el.attrib.items() if "}" not in k})
                    conv.ns.update({p: u for p, u in (el.nsmap or {}).items()
                                    if p and u not in EPCIS_NS and not u.startswith("http://www.w3.org/")})
                elif action == "end" and local in EVENTS and el.getparent() is not None:
                    if next(el.iter(etree.Entity), None) is not None:
                        raise DocumentError(f"event #{count}: an entity reference (&name;) would vanish from the "
                                            "text; EPCIS documents must not use entity references", index=count)
                    yield conv.event(el)
                    count += 1
                    el.clear(keep_tail=True)
        except etree.XMLSyntaxError as exc:
            raise DocumentError(f"not well-formed XML: {exc}") from exc

    def with_context() -> Iterator[dict[str, Any]]:
        for ev in events():
            prefixes.update(conv.ns)
            header["@context"] = [CONTEXT, dict(conv.ns)] if conv.ns else [CONTEXT]
            yield ev

    return header, with_context()
