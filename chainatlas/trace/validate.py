"""Validation of EPCIS 2.0 JSON: the GS1 JSON Schema (vendored), plus the CBV rules a schema
cannot say (standard vocabularies, EPC URI syntax, time-zone offsets, mandatory fields by action).

Each problem names the event (index and eventID) and the field, so a user can find it in a
document of a million events. Validation is per event so capture can stream.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft7Validator, FormatChecker

from chainatlas.errors import TraceError
from chainatlas.trace import identifiers, vocab

EVENT_TYPES = ("ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent")
TIME_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?"
                     r"(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$")
OFFSET_RE = re.compile(r"^[+-]((0\d|1[0-3]):[0-5]\d|14:00)$")
ID_LISTS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
QTY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")


@dataclass(frozen=True)
class Problem:
    index: int | None  # position in eventList (None: the document itself)
    event_id: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = "document" if self.index is None else f"event #{self.index}"
        if self.event_id:
            where += f" ({self.event_id})"
        return f"{where}, field {self.field or '(root)'}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"eventIndex": self.index, "eventID": self.event_id, "field": self.field, "message": self.message}


class CaptureRejected(TraceError):
    """The whole document is rejected; nothing of it was stored."""

    code = "E720"

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        self.problems = problems
        head = "; ".join(str(p) for p in problems[:5])
        more = f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"EPCIS document rejected, nothing stored: {head}{more}", where=source)


@cache
def _validator(definition: str) -> Draft7Validator:
    root = copy.deepcopy(vocab.schema())
    root.pop("$id", None)  # resolve every $ref locally, never over the network
    sub = {"definitions": root["definitions"], "$ref": f"#/definitions/{definition}"}
    return Draft7Validator(sub, format_checker=FormatChecker())


# A bounded memory of each schema definition's verdicts on strings (see ``_fast``).
_SEEN_MAX = 200_000


def _remember_string_verdicts(check: Callable[..., Any], failure: type[Exception]) -> Callable[..., Any]:
    """Wrap one generated ``validate___definitions_*`` function so its verdict on a string is
    computed once.

    Sound because a definition's verdict on a string depends on the string alone (the other
    arguments only shape error messages, which the gate never shows). This matters because the
    schema checks every property *name* of every event through ``anyOf`` (a standard name, or an
    extension URI) and each failed branch raises: for the same few dozen names and vocabulary
    terms in every event, that was most of the validation time.
    """
    verdicts: dict[str, bool] = {}

    def remembered(data: Any, custom_formats: Any = None, name_prefix: Any = None) -> Any:
        if type(data) is not str:
            return check(data, custom_formats or {}, name_prefix)
        ok = verdicts.get(data)
        if ok is None:
            if len(verdicts) >= _SEEN_MAX:  # bounded: a 1 GB capture must not grow with it
                verdicts.clear()
            try:
                check(data, custom_formats or {}, name_prefix)
            except failure:
                verdicts[data] = False
                raise
            verdicts[data] = ok = True
        if not ok:
            raise failure(f"{name_prefix or 'data'} is not valid here")
        return data

    return remembered


@cache
def _fast(definition: str) -> Any:
    """The same schema compiled to Python by fastjsonschema: tens of µs per event instead of ~3 ms.

    It is only a gate: a document it accepts is valid; when it objects, jsonschema (the reference
    validator) runs to produce the precise, path-qualified messages users see. So the gate is
    compiled without detailed exceptions (each failed ``anyOf`` branch would otherwise build the
    whole sub-schema as a dict literal), and its per-definition functions remember the strings they
    judged (``_remember_string_verdicts``).
    """
    try:
        import fastjsonschema
    except ImportError:
        return None
    root = copy.deepcopy(vocab.schema())
    root.pop("$id", None)
    check = fastjsonschema.compile({"definitions": root["definitions"], "$ref": f"#/definitions/{definition}"},
                                   detailed_exceptions=False)
    # Generated functions call each other through the module globals of the generated code, so
    # replacing them there puts the memory in front of every $ref.
    scope = getattr(check, "__globals__", {})
    for name, fn in list(scope.items()):
        if name.startswith("validate___definitions_") and callable(fn):
            scope[name] = _remember_string_verdicts(fn, fastjsonschema.JsonSchemaValueException)
    return check


def context_prefixes(context: Any) -> dict[str, str]:
    """Namespace prefixes in force: the EPCIS context's plus those the document declares."""
    prefixes = dict(vocab.standard_prefixes())
    items = context if isinstance(context, list) else [context]
    for item in items:
        if isinstance(item, dict):
            prefixes.update({k: v for k, v in item.items() if isinstance(v, str)})
    return prefixes


def _schema_problems(definition: str, obj: Any, index: int | None, event_id: str | None) -> list[Problem]:
    fast = _fast(definition)
    if fast is not None:
        try:
            fast(obj)
            return []
        except Exception:  # noqa: BLE001 - any objection: let jsonschema explain it
            pass
    out = []
    for err in _validator(definition).iter_errors(obj):
        path = "/".join(str(p) for p in err.absolute_path)
        msg = err.message
        if err.validator in ("anyOf", "oneOf") and err.context:
            best = min(err.context, key=lambda e: len(e.message))
            msg = f"{err.instance!r:.80} is not allowed here ({best.message:.160})"
        out.append(Problem(index, event_id, path, msg[:300]))
    return out


def validate_header(doc: dict[str, Any]) -> list[Problem]:
    """Check the document (with its event list emptied) against the schema."""
    if not isinstance(doc, dict):
        return [Problem(None, None, "", "an EPCIS document or event must be a JSON object")]
    dtype = doc.get("type")
    if dtype in EVENT_TYPES:
        return []  # a bare event: checked by validate_event
    if dtype not in ("EPCISDocument", "EPCISQueryDocument"):
        return [Problem(None, None, "type", f"expected EPCISDocument or an event type, got {dtype!r}")]
    bounds = check_bounds(doc, None, None)
    if bounds:
        return bounds
    # The reader hands over the document with its event list emptied; the events are checked one by one.
    definition = "epcisDocument" if dtype == "EPCISDocument" else "epcisQueryDocument"
    return _schema_problems(definition, doc, None, None)


def _check_time(p: list[Problem], i: int, eid: str | None, field: str, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not TIME_RE.match(value):
        p.append(Problem(i, eid, field, f"{value!r} is not an RFC 3339 date-time with a time-zone offset "
                                        "(e.g. 2024-05-01T08:30:00.000+08:00)"))


def _check_vocab(p: list[Problem], i: int, eid: str | None, field: str, kind: str, value: Any) -> None:
    if not isinstance(value, str):
        return  # the schema reports the type
    if vocab.to_bare(kind, value) is not None:
        return
    if vocab.is_cbv_namespace(value):
        p.append(Problem(i, eid, field, f"{value!r} is in the CBV namespace but is not a CBV 2.0 {kind} term"))
    elif ":" not in value:
        p.append(Problem(i, eid, field, f"{value!r} is not a standard CBV {kind}; a non-standard value "
                                        "must be a URI you own (e.g. https://example.com/bizstep/x)"))


def _check_id(p: list[Problem], i: int, eid: str | None, field: str, value: Any) -> None:
    if not isinstance(value, str):
        return
    try:
        identifiers.parse(value)
    except TraceError as exc:
        p.append(Problem(i, eid, field, exc.message))


def _check_extensions(p: list[Problem], i: int, eid: str | None, field: str, obj: dict[str, Any],
                      prefixes: dict[str, str]) -> None:
    for key in obj:
        head, sep, tail = key.partition(":")
        if sep and not tail.startswith("//") and head not in prefixes and not head.startswith("@"):
            p.append(Problem(i, eid, f"{field}{key}", f"namespace prefix {head!r} is not declared in @context"))


# Bounds on what a document may hold, so hostile input is refused by name instead of failing deep
# inside the store: nesting (recursive code further on), integers (64-bit columns and JSON
# readers), floats (1e400 reads as Infinity, which JSON cannot carry back out), text the
# databases cannot hold (NUL on PostgreSQL, lone surrogates anywhere), and the lengths of the
# indexed columns.
MAX_DEPTH = 64
MAX_INT = 2**63 - 1
MAX_ID = 512  # eventID, identifiers, locations, transformationID (String(512) columns)
MAX_TERM = 255  # bizStep, disposition, error reason (String(255) columns)
_BAD_CHAR = re.compile("[\x00\ud800-\udfff]")
_TERM_FIELDS = ("bizStep", "disposition")


def _bad_text(value: str) -> str | None:
    m = _BAD_CHAR.search(value)
    if m is None:
        return None
    c = m.group()
    what = "a NUL character" if c == "\x00" else f"a lone surrogate U+{ord(c):04X} (not valid Unicode)"
    return f"contains {what} at position {m.start()}"


def check_bounds(obj: Any, index: int | None, event_id: str | None) -> list[Problem]:
    """Nesting, numbers and text the store can hold, walked without recursion."""
    out: list[Problem] = []
    stack: list[tuple[Any, str, int]] = [(obj, "", 0)]
    while stack and len(out) < 20:
        value, path, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                # Named by the top-level member it hides in: the full path would be 64 segments long.
                out.append(Problem(index, event_id, path.split("/")[0], f"nested deeper than {MAX_DEPTH} levels"))
                continue
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for k, v in items:
                if isinstance(k, str) and (bad := _bad_text(k)):
                    out.append(Problem(index, event_id, path, f"a property name {bad}"))
                    continue
                stack.append((v, f"{path}/{k}" if path else str(k), depth + 1))
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, int):
            if abs(value) > MAX_INT:
                digits = len(str(abs(value))) if abs(value) < 10**4000 else "thousands of"
                out.append(Problem(index, event_id, path, f"a {digits}-digit integer is out of range "
                                                          f"(at most {MAX_INT})"))
        elif isinstance(value, float) and not math.isfinite(value):
            out.append(Problem(index, event_id, path, "number out of range (it would read as Infinity)"))
        elif isinstance(value, str) and (bad := _bad_text(value)):
            out.append(Problem(index, event_id, path, bad))
    return out


def _check_lengths(p: list[Problem], i: int, eid: str | None, event: dict[str, Any]) -> None:
    def check(field: str, value: Any, limit: int) -> None:
        if isinstance(value, str) and len(value) > limit:
            p.append(Problem(i, eid, field, f"{len(value)} characters: at most {limit} are stored"))

    check("eventID", event.get("eventID"), MAX_ID)
    check("transformationID", event.get("transformationID"), MAX_ID)
    check("parentID", event.get("parentID"), MAX_ID)
    for f in _TERM_FIELDS:
        check(f, event.get(f), MAX_TERM)
    for loc in ("readPoint", "bizLocation"):
        if isinstance(event.get(loc), dict):
            check(f"{loc}/id", event[loc].get("id"), MAX_ID)
    ed = event.get("errorDeclaration")
    if isinstance(ed, dict):
        check("errorDeclaration/reason", ed.get("reason"), MAX_TERM)
        corrective = ed.get("correctiveEventIDs")
        for j, c in enumerate(corrective if isinstance(corrective, list) else []):
            check(f"errorDeclaration/correctiveEventIDs/{j}", c, MAX_ID)
    for lst in ID_LISTS:
        if isinstance(event.get(lst), list):
            for j, v in enumerate(event[lst]):
                check(f"{lst}/{j}", v, MAX_ID)
    for lst in QTY_LISTS:
        if isinstance(event.get(lst), list):
            for j, q in enumerate(event[lst]):
                if isinstance(q, dict):
                    check(f"{lst}/{j}/epcClass", q.get("epcClass"), MAX_ID)
    for lst, key in (("bizTransactionList", "bizTransaction"), ("sourceList", "source"),
                     ("destinationList", "destination")):
        if isinstance(event.get(lst), list):
            for j, item in enumerate(event[lst]):
                if isinstance(item, dict):
                    check(f"{lst}/{j}/{key}", item.get(key), MAX_ID)
                    check(f"{lst}/{j}/type", item.get("type"), MAX_TERM)


def validate_event(event: Any, index: int, prefixes: dict[str, str]) -> list[Problem]:
    if not isinstance(event, dict):
        return [Problem(index, None, "", "an event must be a JSON object")]
    raw_id = event.get("eventID")
    eid = raw_id if isinstance(raw_id, str) and len(raw_id) <= MAX_ID and not _bad_text(raw_id) else None
    bounds = check_bounds(event, index, eid)
    _check_lengths(bounds, index, eid, event)
    if bounds:  # nothing further is safe to look at (deep nesting, unstorable text)
        return bounds
    etype = event.get("type")
    if etype not in EVENT_TYPES:
        return [Problem(index, eid, "type", f"unsupported event type {etype!r}; expected one of {EVENT_TYPES}")]
    p: list[Problem] = []
    _check_time(p, index, eid, "eventTime", event.get("eventTime"))
    _check_time(p, index, eid, "recordTime", event.get("recordTime"))
    if "eventTimeZoneOffset" in event and not OFFSET_RE.match(str(event["eventTimeZoneOffset"])):
        p.append(Problem(index, eid, "eventTimeZoneOffset", f"{event['eventTimeZoneOffset']!r} is not ±hh:mm"))
    _check_vocab(p, index, eid, "bizStep", "bizStep", event.get("bizStep"))
    _check_vocab(p, index, eid, "disposition", "disposition", event.get("disposition"))
    pd = event.get("persistentDisposition")
    if isinstance(pd, dict):
        for side in ("set", "unset"):
            for j, v in enumerate(pd.get(side) or []):
                _check_vocab(p, index, eid, f"persistentDisposition/{side}/{j}", "disposition", v)
    for lst, key, kind in (("bizTransactionList", "bizTransaction", "bizTransaction-type"),
                           ("sourceList", "source", "source-dest-type"),
                           ("destinationList", "destination", "source-dest-type")):
        for j, item in enumerate(event.get(lst) or []):
            if isinstance(item, dict):
                if "type" in item:
                    _check_vocab(p, index, eid, f"{lst}/{j}/type", kind, item["type"])
                _check_id(p, index, eid, f"{lst}/{j}/{key}", item.get(key))
    ed = event.get("errorDeclaration")
    if isinstance(ed, dict):
        _check_time(p, index, eid, "errorDeclaration/declarationTime", ed.get("declarationTime"))
        if "reason" in ed:
            _check_vocab(p, index, eid, "errorDeclaration/reason", "error-reason", ed["reason"])
    for lst in ID_LISTS:
        for j, v in enumerate(event.get(lst) or []):
            _check_id(p, index, eid, f"{lst}/{j}", v)
    for lst in QTY_LISTS:
        for j, q in enumerate(event.get(lst) or []):
            if isinstance(q, dict):
                _check_id(p, index, eid, f"{lst}/{j}/epcClass", q.get("epcClass"))
                qty = q.get("quantity")
                if qty is not None and (isinstance(qty, bool) or not isinstance(qty, int | float)):
                    p.append(Problem(index, eid, f"{lst}/{j}/quantity", f"quantity must be a number, got {qty!r}"))
                elif isinstance(qty, int | float) and qty < 0:
                    p.append(Problem(index, eid, f"{lst}/{j}/quantity", f"quantity must not be negative: {qty}"))
    _check_id(p, index, eid, "parentID", event.get("parentID"))
    for loc in ("readPoint", "bizLocation"):
        if isinstance(event.get(loc), dict):
            _check_id(p, index, eid, f"{loc}/id", event[loc].get("id"))
    _check_extensions(p, index, eid, "", event, prefixes)
    if isinstance(event.get("ilmd"), dict):
        _check_extensions(p, index, eid, "ilmd/", event["ilmd"], prefixes)
    p.extend(_mandatory(event, index, eid))
    seen = {x.field for x in p}
    # Schema problems on a field we already explained would only repeat it less clearly.
    p.extend(x for x in _schema_problems(etype, event, index, eid)
             if x.field not in seen and not any(x.field.startswith(s + "/") for s in seen if s))
    return p


def _mandatory(event: dict[str, Any], i: int, eid: str | None) -> list[Problem]:
    """Per-type rules of EPCIS 2.0 §7.4 beyond the schema's ``required``."""
    t, action = event["type"], event.get("action")
    out = []
    for f in ("eventTime", "eventTimeZoneOffset"):
        if f not in event:
            out.append(Problem(i, eid, f, f"{f} is mandatory for every event"))
    if t != "TransformationEvent" and "action" not in event:
        out.append(Problem(i, eid, "action", f"action (ADD, OBSERVE or DELETE) is mandatory for {t}"))
    if t == "ObjectEvent" and "epcList" not in event and "quantityList" not in event:
        # An empty epcList is allowed (sensor readings at a location name no object); no list at all is not.
        out.append(Problem(i, eid, "epcList", "an ObjectEvent needs an epcList or a quantityList"))
    if t in ("AggregationEvent", "AssociationEvent") and action in ("ADD", "DELETE") and not event.get("parentID"):
        out.append(Problem(i, eid, "parentID", f"parentID is mandatory for {t} with action {action}"))
    if t in ("AggregationEvent", "AssociationEvent") and action == "ADD" and not (
            event.get("childEPCs") or event.get("childQuantityList")):
        out.append(Problem(i, eid, "childEPCs", f"{t} ADD needs childEPCs or childQuantityList"))
    if t == "TransformationEvent" and not any(event.get(k) for k in (
            "inputEPCList", "inputQuantityList", "outputEPCList", "outputQuantityList")):
        out.append(Problem(i, eid, "inputEPCList", "a TransformationEvent needs at least one input or output"))
    if t == "TransactionEvent" and not event.get("bizTransactionList"):
        out.append(Problem(i, eid, "bizTransactionList", "a TransactionEvent needs a bizTransactionList"))
    return out
