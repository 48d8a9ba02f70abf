"""/api/uploads: writes from files (login with role admin or analyst, CSRF header)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, UploadFile
from fastapi.concurrency import run_in_threadpool

from chainatlas.api.deps import StoreDep
from chainatlas.api.queries.uploads import import_registry, ingest_documents, job_status
from chainatlas.api.schemas.common import ERRORS
from chainatlas.api.security import Editor

router = APIRouter(prefix="/uploads", tags=["writes"])


@router.post("/registry", responses=ERRORS, summary="Import an organization registry (Excel/CSV)")
async def upload_registry(file: UploadFile, store: StoreDep, user: Editor) -> dict:
    data = await file.read()
    return await run_in_threadpool(import_registry, store, file.filename, data)


@router.post("/documents", responses=ERRORS, status_code=202,
             summary="Ingest documents (txt, html, md, jsonl, docx, pdf) as a background job")
async def upload_documents(files: list[UploadFile], store: StoreDep, user: Editor) -> dict:
    """Answers at once with the job (202); poll ``GET /uploads/jobs/{id}`` until its state is
    ``done`` (with the ingest report) or ``failed`` (with the reason)."""
    payload = [(f.filename, await f.read()) for f in files]
    return await run_in_threadpool(ingest_documents, store, payload)


@router.get("/jobs/{job_id}", responses=ERRORS, summary="State of a document ingest job")
def upload_job(job_id: str, store: StoreDep, user: Editor) -> dict:
    job = job_status(store, job_id)
    if job is None:
        raise HTTPException(404, "no such ingest job on this server (finished jobs are kept for a while)")
    return job
