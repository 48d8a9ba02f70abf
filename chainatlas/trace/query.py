"""EPCIS 2.0 event queries: the REST binding's query parameters → one SQL statement.

Parameters follow EPCIS 2.0 §8.2.7 (SimpleEventQuery) and the GS1 query schema. Identifiers are
matched on canonical keys, so ``MATCH_epc=urn:epc:id:sgtin:…`` finds events captured with Digital
Link URIs and the other way round; EPC pattern URIs (``urn:epc:idpat:…``) match as the standard
says. Anything not understood is refused with a QueryParameterException rather than ignored:
a silently ignored filter returns wrong events.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jsonschema import Draft7Validator, FormatChecker
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from chainatlas.errors import TraceError
from chainatlas.store.models.trace import EpcisEvent, EpcisEventAttr, EpcisEventEpc, TraceIdentifier
from chainatlas.trace import hashing, identifiers, vocab
from chainatlas.trace.validate import EVENT_TYPES

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
MATCH_ROLES = {
    "MATCH_epc": ("epc", "child"),
    "MATCH_parentID": ("parent",),
    "MATCH_inputEPC": ("input",),
    "MATCH_outputEPC": ("output",),
    "MATCH_anyEPC": ("epc", "child", "parent", "input", "output"),
    "MATCH_epcClass": ("quantity", "child_quantity"),
    "MATCH_inputEPCClass": ("input_quantity",),
    "MATCH_outputEPCClass": ("output_quantity",),
    "MATCH_anyEPCClass": ("quantity", "child_quantity", "input_quantity", "output_quantity"),
}
TIME_PARAMS = {
    "GE_eventTime": (EpcisEvent.event_time, ">="), "LT_eventTime": (EpcisEvent.event_time, "<"),
    "GE_recordTime": (EpcisEvent.record_time, ">="), "LT_recordTime": (EpcisEvent.record_time, "<"),
    "GE_errorDeclarationTime": (EpcisEvent.error_time, ">="), "LT_errorDeclarationTime": (EpcisEvent.error_time, "<"),
    "GE_errorDeclaration_Time": (EpcisEvent.error_time, ">="), "LT_errorDeclaration_Time": (EpcisEvent.error_time, "<"),
}
QUANTITY_OPS = {"EQ_quantity": "==", "GT_quantity": ">", "GE_quantity": ">=", "LT_quantity": "<", "LE_quantity": "<="}
CONTROL = {"orderBy", "orderDirection", "eventCountLimit", "maxEventCount", "perPage", "nextPageToken"}
ATTR_RE = re.compile(r"^EQ_(bizTransaction|source|destination)_(.+)$")
MAX_PER_PAGE = 1000


class QueryError(TraceError):
    """An EPCIS query exception; ``kind`` is the EPCIS problem type, ``status`` the HTTP status."""

    code = "E730"

    def __init__(self, message: str, kind: str = "QueryParameterException", status: int = 400) -> None:
        self.kind, self.status = kind, status
        super().__init__(message)

    def problem(self) -> dict[str, Any]:
        return {"type": f"epcisException:{self.kind}", "title": self.kind, "status": self.status,
                "detail": self.message}


@dataclass
class EventQuery:
    where: list[ColumnElement[bool]] = field(default_factory=list)
    order_by: str = "eventTime"
    descending: bool = True
    event_count_limit: int | None = None
    max_event_count: int | None = None
    per_page: int = 100
    offset: int = 0


def _split(values: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        # Values arrive repeated or comma-separated (form style, explode=false); geo: URIs keep their comma.
        out += [v] if v.startswith("geo:") else [x for x in v.split(",") if x != ""]
    return out


def _time(name: str, value: str) -> datetime:
    try:
        return hashing.parse_time(value)
    except ValueError:
        raise QueryError(f"{name}: {value!r} is not an RFC 3339 date-time") from None


def _int(name: str, value: str, minimum: int = 0) -> int:
    if not re.fullmatch(r"\d+", value.strip()) or int(value) < minimum:
        raise QueryError(f"{name} must be an integer ≥ {minimum}, got {value!r}")
    return int(value)


def _ident_clause(roles: tuple[str, ...], values: list[str]) -> ColumnElement[bool]:
    conds = []
    for v in values:
        try:
            how, key = identifiers.match_pattern(v)
        except TraceError as exc:
            raise QueryError(exc.message) from None
        conds.append(TraceIdentifier.key == key if how == "eq" else TraceIdentifier.key.like(key))
    sub = (select(EpcisEventEpc.event_pk).join(TraceIdentifier, TraceIdentifier.id == EpcisEventEpc.ident_id)
           .where(EpcisEventEpc.role.in_(roles), or_(*conds)))
    return EpcisEvent.id.in_(sub)


def _attr_clause(kind: str, type_: str | None, values: list[str]) -> ColumnElement[bool]:
    conds = [EpcisEventAttr.event_pk == EpcisEvent.id, EpcisEventAttr.kind == kind,
             EpcisEventAttr.value.in_(values)]
    if type_ is not None:
        conds.append(EpcisEventAttr.type == type_)
    return exists().where(and_(*conds))


def parse_params(params: list[tuple[str, str]]) -> EventQuery:
    """Query parameters (repeatable) → EventQuery, or QueryError naming the bad parameter."""
    grouped: dict[str, list[str]] = {}
    for k, v in params:
        grouped.setdefault(k, []).append(v)
    q = EventQuery()
    for name, raw in grouped.items():
        values = _split(raw)
        if name in CONTROL:
            _control(q, name, raw[-1])
        elif name in ("eventType", "EQ_eventType"):
            bad = [v for v in values if v not in EVENT_TYPES]
            if bad:
                raise QueryError(f"{name}: unknown event type(s) {bad}")
            q.where.append(EpcisEvent.event_type.in_(values))
        elif name in TIME_PARAMS:
            col, op = TIME_PARAMS[name]
            t = _time(name, raw[-1])
            q.where.append(col >= t if op == ">=" else col < t)
        elif name == "EQ_action":
            bad = [v for v in values if v not in ("ADD", "OBSERVE", "DELETE")]
            if bad:
                raise QueryError(f"EQ_action: {bad} not one of ADD, OBSERVE, DELETE")
            q.where.append(EpcisEvent.action.in_(values))
        elif name in ("EQ_bizStep", "EQ_disposition"):
            kind = name[3:]
            col = EpcisEvent.biz_step if kind == "bizStep" else EpcisEvent.disposition
            q.where.append(col.in_([vocab.normalize(kind, v) for v in values]))
        elif name in ("EQ_persistentDisposition_set", "EQ_persistentDisposition_unset"):
            side = "pd_set" if name.endswith("_set") else "pd_unset"
            q.where.append(_attr_clause(side, None, [vocab.normalize("disposition", v) for v in values]))
        elif name in ("EQ_readPoint", "EQ_bizLocation", "WD_readPoint", "WD_bizLocation"):
            col = EpcisEvent.read_point if name.endswith("readPoint") else EpcisEvent.biz_location
            keys = [identifiers.canonical(v) for v in values]
            if name.startswith("WD_"):
                # Without master-data hierarchies, a location's descendants are its sub-locations
                # (an SGLN extension under its GLN).
                q.where.append(or_(col.in_(keys), *[col.like(k + "/%") for k in keys]))
            else:
                q.where.append(col.in_(keys))
        elif name in MATCH_ROLES:
            q.where.append(_ident_clause(MATCH_ROLES[name], values))
        elif name in QUANTITY_OPS:
            _quantity(q, name, values)
        elif (m := ATTR_RE.match(name)) is not None:
            kind, t = m.groups()
            tkind = "bizTransaction-type" if kind == "bizTransaction" else "source-dest-type"
            q.where.append(_attr_clause(kind, vocab.normalize(tkind, t), [identifiers.canonical(v) for v in values]))
        elif name == "EQ_eventID":
            q.where.append(EpcisEvent.event_id.in_(values))
        elif name == "EQ_transformationID":
            q.where.append(EpcisEvent.transformation_id.in_(values))
        elif name == "EXISTS_errorDeclaration":
            q.where.append(EpcisEvent.error_time.is_not(None))
        elif name == "EQ_correctiveEventID":
            q.where.append(_attr_clause("corrective", None, values))
        elif name == "EQ_errorReason":
            q.where.append(EpcisEvent.error_reason.in_([vocab.normalize("error-reason", v) for v in values]))
        else:
            raise QueryError(f"unknown or unsupported query parameter {name!r}")
    return q


def _quantity(q: EventQuery, name: str, values: list[str]) -> None:
    try:
        nums = [float(v) for v in values]
    except ValueError:
        raise QueryError(f"{name} must be a number, got {values}") from None
    col = EpcisEventEpc.quantity
    op = QUANTITY_OPS[name]
    cond = {"==": col.in_(nums), ">": col > nums[-1], ">=": col >= nums[-1], "<": col < nums[-1],
            "<=": col <= nums[-1]}[op]
    q.where.append(exists().where(EpcisEventEpc.event_pk == EpcisEvent.id, cond))


def _control(q: EventQuery, name: str, value: str) -> None:
    if name == "orderBy":
        if value not in ("eventTime", "recordTime"):
            raise QueryError(f"orderBy must be eventTime or recordTime, got {value!r}")
        q.order_by = value
    elif name == "orderDirection":
        if value not in ("ASC", "DESC"):
            raise QueryError(f"orderDirection must be ASC or DESC, got {value!r}")
        q.descending = value == "DESC"
    elif name == "eventCountLimit":
        q.event_count_limit = _int(name, value, 1)
    elif name == "maxEventCount":
        q.max_event_count = _int(name, value, 1)
    elif name == "perPage":
        q.per_page = min(_int(name, value, 1), MAX_PER_PAGE)
    elif name == "nextPageToken":
        try:
            q.offset = int(json.loads(base64.urlsafe_b64decode(value.encode() + b"==="))["o"])
        except Exception:
            raise QueryError(f"nextPageToken {value!r} is not a token this server issued") from None


def statement(q: EventQuery) -> Select[tuple[EpcisEvent]]:
    col = EpcisEvent.event_time if q.order_by == "eventTime" else EpcisEvent.record_time
    order = (col.desc(), EpcisEvent.id.desc()) if q.descending else (col.asc(), EpcisEvent.id.asc())
    return select(EpcisEvent).where(*q.where).order_by(*order)


def event_json(e: EpcisEvent) -> dict[str, Any]:
    """The event as captured, with the repository's eventID (when it had none) and recordTime."""
    doc = dict(e.doc)
    doc.setdefault("eventID", e.event_id)
    rt = e.record_time
    doc["recordTime"] = (rt.isoformat() if rt.tzinfo else rt.isoformat() + "+00:00").replace("+00:00", "Z")
    return doc


@dataclass
class QueryPage:
    events: list[EpcisEvent]
    next_token: str | None


def run(s: Session, q: EventQuery) -> QueryPage:
    if q.max_event_count is not None:
        n = len(s.scalars(statement(q).with_only_columns(EpcisEvent.id).limit(q.max_event_count + 1)).all())
        if n > q.max_event_count:
            raise QueryError(f"the query matches more than maxEventCount={q.max_event_count} events",
                             kind="QueryTooLargeException", status=413)
    limit = q.per_page
    if q.event_count_limit is not None:
        limit = max(0, min(limit, q.event_count_limit - q.offset))
    rows = list(s.scalars(statement(q).offset(q.offset).limit(limit + 1))) if limit else []
    more = len(rows) > limit
    rows = rows[:limit]
    token = None
    if more:
        token = base64.urlsafe_b64encode(json.dumps({"o": q.offset + limit}).encode()).decode().rstrip("=")
    return QueryPage(rows, token)


def query_document(events: list[EpcisEvent], query_name: str = "SimpleEventQuery") -> dict[str, Any]:
    ns: dict[str, str] = {}
    for e in events:
        ns.update(e.namespaces or {})
    ctx: list[Any] = [CONTEXT] + ([ns] if ns else [])
    return {
        "@context": ctx, "type": "EPCISQueryDocument", "schemaVersion": "2.0",
        "creationDate": hashing.utc_ms(datetime.now().astimezone().isoformat()),
        "epcisBody": {"queryResults": {"queryName": query_name,
                                       "resultsBody": {"eventList": [event_json(e) for e in events]}}},
    }


def validate_query_json(doc: Any) -> EventQuery:
    """A query in JSON (named-query body / openepcis Query files): the GS1 query schema, then our parser."""
    root = dict(vocab.query_schema())
    root.pop("$id", None)
    errors = sorted(Draft7Validator(root, format_checker=FormatChecker()).iter_errors(doc), key=str)
    if errors:
        e = errors[0]
        raise QueryError(f"{'/'.join(map(str, e.absolute_path)) or 'query'}: {e.message[:200]}")
    if not isinstance(doc, dict):
        raise QueryError("a query must be a JSON object")
    params: list[tuple[str, str]] = []
    for k, v in doc.items():
        if k == "@context":
            continue
        if isinstance(v, list):
            params += [(k, str(x)) for x in v]
        else:
            params.append((k, str(v) if not isinstance(v, bool) else str(v).lower()))
    return parse_params(params)
