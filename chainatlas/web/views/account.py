"""Log in / out, and the write pages: registry import and document ingest uploads."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from chainatlas.api.deps import SessionDep, StoreDep
from chainatlas.api.queries.uploads import import_registry, ingest_documents, job_status
from chainatlas.api.security import (
    AuthError,
    CurrentUserInfo,
    check_csrf,
    login_with_throttle,
    require_role,
    web_session,
)
from chainatlas.errors import ChainAtlasError
from chainatlas.web.import_view import registry_result, template_workbook
from chainatlas.web.views.base import lang_of, render

_TMP_PATH = re.compile(r"\S*chainatlas-upload-[^/\s]*/")


def _upload_error(exc: ChainAtlasError) -> str:
    """The error in the words of the file the user sent: the server's temporary folder stripped."""
    return f"{exc.code}: {_TMP_PATH.sub('', exc.message)}"

NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL: a 422, not a 500

router = APIRouter(include_in_schema=False)
EditorPage = Annotated[CurrentUserInfo, Depends(require_role("admin", "analyst"))]


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect would let a phishing link borrow our login page.
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", next=_safe_next(next), failed=False)


@router.post("/login")
def login(request: Request, session: SessionDep, username: Annotated[str, Form(max_length=200, pattern=NO_NUL)],
          password: Annotated[str, Form(max_length=1000, pattern=NO_NUL)],
          csrf_token: Annotated[str, Form()], next: Annotated[str, Form()] = "/") -> Response:
    ws = web_session(request)
    check_csrf(ws, csrf_token)
    try:
        user = login_with_throttle(request, session, username, password)
    except AuthError as exc:  # locked: the form says so and why, instead of an error page
        return render(request, "login.html", status_code=429, next=_safe_next(next), failed=False, locked=exc.message)
    if user is None:
        return render(request, "login.html", status_code=401, next=_safe_next(next), failed=True)
    request.state.web_session = request.app.state.sessions.login(ws, user)
    request.state.rotated = True
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()]) -> Response:
    ws = web_session(request)
    check_csrf(ws, csrf_token)
    request.app.state.sessions.drop(ws)
    request.state.web_session = request.app.state.sessions.new()
    request.state.rotated = True
    return RedirectResponse("/", status_code=303)


@router.get("/admin")
def admin(request: Request, user: EditorPage) -> Response:
    return render(request, "admin.html", result=None, error=None)


@router.post("/admin/import")
async def admin_import(request: Request, store: StoreDep, user: EditorPage,
                       file: Annotated[UploadFile, File()]) -> Response:
    try:
        result = await run_in_threadpool(import_registry, store, file.filename, await file.read())
    except ChainAtlasError as exc:
        return render(request, "admin.html", status_code=400, result=None, error=_upload_error(exc))
    return render(request, "admin.html", result=registry_result(lang_of(request), result), error=None)


@router.get("/admin/import/template.xlsx")
def import_template(request: Request) -> Response:
    """The workbook an office fills in: accepted headers, and a 填表说明 sheet (public: no data)."""
    return Response(template_workbook(lang_of(request)),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename*=UTF-8''%E4%BC%81%E4%B8%9A%E5%90%8D%E5%BD%95"
                                                    "%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"})


@router.post("/admin/ingest")
async def admin_ingest(request: Request, store: StoreDep, user: EditorPage,
                       files: Annotated[list[UploadFile], File()]) -> Response:
    try:
        payload = [(f.filename, await f.read()) for f in files]
        job = await run_in_threadpool(ingest_documents, store, payload)
    except ChainAtlasError as exc:
        return render(request, "admin.html", status_code=400, result=None, error=_upload_error(exc))
    # The ingest runs in the background: the job page shows it and reloads until it ends.
    return RedirectResponse(f"/admin/jobs/{job['id']}", status_code=303)


@router.get("/admin/jobs/{job_id}")
def admin_job(request: Request, store: StoreDep, user: EditorPage, job_id: str) -> Response:
    job = job_status(store, job_id)
    if job is None:
        return render(request, "admin.html", status_code=404, result=None, error="E801: no such ingest job")
    return render(request, "admin_job.html", job=job, finished=job["state"] in ("done", "failed"))
