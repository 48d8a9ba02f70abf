"""EPCIS 2.0 REST binding: ``/capture`` (asynchronous capture jobs), ``/events`` (query), ``/queries``.

Capture answers 202 with a ``Location`` of the capture-job resource, as the binding says; the
document is spooled to a temporary file and captured after the response (streamed, all-or-nothing),
so large documents never sit in memory. Query errors are RFC 7807 problems whose ``type`` is the
EPCIS exception (``epcisException:QueryParameterException`` …).
"""

from __future__ import annotations

import json
import logging
import tempfile
import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select

from chainatlas.api.deps import SessionDep, StoreDep
from chainatlas.api.security import Editor
from chainatlas.store import Store
from chainatlas.store.models.trace import EpcisCaptureJob, EpcisEvent
from chainatlas.trace import jobs
from chainatlas.trace import query as q
from chainatlas.trace.capture import capture_stream, capture_xml
from chainatlas.trace.validate import CaptureRejected

log = logging.getLogger(__name__)
router = APIRouter(tags=["EPCIS 2.0"])
HEADERS = {"GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0"}
# Query results are JSON-LD documents (the binding's media type), refusals RFC 7807 problems.
LD = {200: {"content": {"application/ld+json": {}}}}
SPOOL = 16 * 1024 * 1024  # documents above 16 MB go to disk while they arrive


def _problem(kind: str, status: int, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": f"epcisException:{kind}", "title": kind, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=HEADERS)


def _run_capture(store: Store, spool: Any, job_id: str, xml: bool) -> None:
    try:
        if xml:
            capture_xml(store, spool, source="POST /capture", job_id=job_id)
        else:
            capture_stream(store, spool, source="POST /capture", job_id=job_id)
    except CaptureRejected:
        pass  # the job row already holds the problems; the client polls /capture/{id}
    except Exception:  # noqa: BLE001 - the job row says it failed; the log has the traceback
        log.exception("capture job %s failed", job_id)
    finally:
        spool.close()


@router.post("/capture", status_code=202, summary="Capture an EPCIS document (asynchronous job)")
async def capture(request: Request, background: BackgroundTasks, store: StoreDep, user: Editor) -> Response:
    # Captured events feed recalls: like every other write, capture needs an analyst or admin
    # login and the session's CSRF token (X-CSRF-Token), checked before the body is read.
    ctype = request.headers.get("content-type", "application/json").split(";")[0].strip()
    xml = ctype in ("application/xml", "text/xml")
    if ctype not in ("application/json", "application/ld+json") and not xml:
        return _problem("ImplementationException", 415,
                        f"unsupported content type {ctype!r}; send EPCIS JSON/JSON-LD or XML")
    # Closed by _run_capture after the response, so not a ``with`` block here.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # noqa: SIM115
    async for chunk in request.stream():
        spool.write(chunk)
    if spool.tell() == 0:
        spool.close()
        return _problem("ValidationException", 400, "empty request body")
    spool.seek(0)
    job_id = str(uuid.uuid4())
    with store.session() as s:
        s.add(EpcisCaptureJob(id=job_id, status="running", source="POST /capture", owner=jobs.this_process()))
    background.add_task(_run_capture, store, spool, job_id, xml)
    return Response(status_code=202, headers={**HEADERS, "Location": f"/capture/{job_id}"})


def _job_json(job: EpcisCaptureJob) -> dict[str, Any]:
    entries = job.errors or []
    # Problems refuse the document (EPCIS ValidationException); notices ride along a success.
    errors = [{"type": "epcisException:ValidationException", **e} for e in entries if e.get("severity") != "notice"]
    notices = [e for e in entries if e.get("severity") == "notice"]
    return {"captureID": job.id, "running": job.status == "running", "success": job.status == "success",
            "captureErrorBehaviour": "rollback", "createdAt": job.created_at.isoformat() if job.created_at else None,
            "finishedAt": job.finished_at.isoformat() if job.finished_at else None,
            "eventCount": job.event_count, "storedCount": job.stored_count, "errors": errors, "notices": notices}


@router.get("/capture", summary="List capture jobs")
def list_jobs(session: SessionDep, store: StoreDep,
              perPage: Annotated[int, Query(ge=1, le=1000)] = 30) -> JSONResponse:  # noqa: N803
    jobs.reap_orphan_jobs(store)  # a job whose process died reads as failed, not running forever
    rows = session.scalars(select(EpcisCaptureJob).order_by(EpcisCaptureJob.created_at.desc())
                           .limit(perPage)).all()
    return JSONResponse([_job_json(j) for j in rows], headers=HEADERS)


@router.get("/capture/{capture_id}", summary="Capture job status")
def job_status(capture_id: str, session: SessionDep, store: StoreDep) -> Response:
    jobs.reap_orphan_jobs(store, capture_id)
    job = session.get(EpcisCaptureJob, capture_id)
    if job is None:
        return _problem("NoSuchResourceException", 404, f"no capture job {capture_id}")
    return JSONResponse(_job_json(job), headers=HEADERS)


def _query_response(request: Request, session: Any, params: list[tuple[str, str]], name: str) -> Response:
    try:
        query = q.parse_params(params)
        page = q.run(session, query)
    except q.QueryError as exc:
        return _problem(exc.kind, exc.status, exc.message)
    headers = dict(HEADERS)
    if page.next_token:
        keep = [(k, v) for k, v in params if k != "nextPageToken"] + [("nextPageToken", page.next_token)]
        headers["Link"] = f'<{request.url.path}?{urlencode(keep)}>; rel="next"'
    body = q.query_document(page.events, name)
    return Response(json.dumps(body, ensure_ascii=False), media_type="application/ld+json", headers=headers)


@router.get("/events", responses=LD, summary="Query events (EPCIS 2.0 query parameters)")
def events(request: Request, session: SessionDep) -> Response:
    return _query_response(request, session, list(request.query_params.multi_items()), "SimpleEventQuery")


@router.get("/events/{event_id:path}", responses=LD, summary="One event by eventID")
def event(event_id: str, request: Request, session: SessionDep) -> Response:
    if request.url.query and event_id.startswith("ni:"):
        event_id += "?" + request.url.query  # a hash ID's "?ver=CBV2.0" arrives unescaped from some clients
    row = session.scalar(select(EpcisEvent).where(EpcisEvent.event_id == event_id))
    if row is None:
        return _problem("NoSuchResourceException", 404, f"no event {event_id}")
    doc = q.event_json(row)
    ctx: list[Any] = [q.CONTEXT] + ([row.namespaces] if row.namespaces else [])
    return Response(json.dumps({"@context": ctx, **doc}, ensure_ascii=False), media_type="application/ld+json",
                    headers=HEADERS)


@router.get("/queries", summary="Named queries")
def queries() -> JSONResponse:
    # Only the predefined SimpleEventQuery is offered; user-defined named queries are not stored yet.
    return JSONResponse([{"name": "SimpleEventQuery", "query": {}}], headers=HEADERS)


@router.get("/queries/SimpleEventQuery/events", responses=LD, summary="Run SimpleEventQuery")
def simple_query(request: Request, session: SessionDep) -> Response:
    return _query_response(request, session, list(request.query_params.multi_items()), "SimpleEventQuery")


@router.post("/queries/SimpleEventQuery/events", responses=LD,
             summary="Run SimpleEventQuery with a JSON query body")
async def simple_query_json(request: Request, session: SessionDep) -> Response:
    try:
        body = json.loads(await request.body() or b"{}")
        parsed = q.validate_query_json(body)
        page = q.run(session, parsed)
    except json.JSONDecodeError as exc:
        return _problem("QueryParameterException", 400, f"not JSON: {exc}")
    except q.QueryError as exc:
        return _problem(exc.kind, exc.status, exc.message)
    body = q.query_document(page.events, "SimpleEventQuery")
    return Response(json.dumps(body, ensure_ascii=False), media_type="application/ld+json", headers=HEADERS)
