"""/api/uploads: writes from files (login with role admin or analyst, CSRF header)."""

from __future__ import annotations

from fastapi import APIRouter, UploadFile
from fastapi.concurrency import run_in_threadpool

from chainatlas.api.deps import StoreDep
from chainatlas.api.queries.uploads import import_registry, ingest_documents
from chainatlas.api.schemas.common import ERRORS
from chainatlas.api.security import Editor

router = APIRouter(prefix="/uploads", tags=["writes"])


@router.post("/registry", responses=ERRORS, summary="Import an organization registry (Excel/CSV)")
async def upload_registry(file: UploadFile, store: StoreDep, user: Editor) -> dict:
    data = await file.read()
    return await run_in_threadpool(import_registry, store, file.filename, data)


@router.post("/documents", responses=ERRORS, summary="Ingest documents (txt, html, md, jsonl, docx, pdf)")
async def upload_documents(files: list[UploadFile], store: StoreDep, user: Editor) -> dict:
    payload = [(f.filename, await f.read()) for f in files]
    return await run_in_threadpool(ingest_documents, store, payload)
