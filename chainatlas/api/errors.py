"""Every error as ``{"error": {"code": "E8xx", "message": "..."}}`` — or, for a browser
asking for a page, the same message on an HTML error page.

Codes: E800 internal, E801 not found, E802 invalid parameters, E803 login needed,
E804 role missing, E805 CSRF, E806 bad upload, E807 region unknown, E808 method not allowed,
E809 too many failed logins, E814 request body too large.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from chainatlas.errors import ChainAtlasError, RegionNotFound

log = logging.getLogger(__name__)

_HTTP_CODES = {404: "E801", 405: "E808", 401: "E803", 403: "E804", 422: "E802", 400: "E802", 413: "E814"}
_STATUS = {"E803": 401, "E804": 403, "E805": 403, "E801": 404, "E807": 404, "E806": 400, "E802": 422, "E809": 429}


class NotFound(ChainAtlasError):
    code = "E801"


class BadRequest(ChainAtlasError):
    code = "E802"


def wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/static/", "/capture", "/events", "/queries", "/docs", "/openapi")):
        return False
    return "text/html" in request.headers.get("accept", "")


def error_response(request: Request, status: int, code: str, message: str,
                   headers: dict[str, str] | None = None) -> Response:
    if status == 401 and wants_html(request):
        # A person following a write link gets the login page and comes back afterwards.
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    if wants_html(request):
        from chainatlas.web.views.base import render_error

        response = render_error(request, status, code, message)
        response.headers.update(headers or {})
        return response
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for e in exc.errors()[:5]:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("query", "body", "path"))
        parts.append(f"{loc}: {e.get('msg')}" if loc else str(e.get("msg")))
    return "invalid request — " + "; ".join(parts)


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = _HTTP_CODES.get(exc.status_code, "E800")
        if exc.status_code == 413:  # a body without a length, counted past the limit while it arrived
            from chainatlas.api.limits import too_large

            kind, limit = request.app.state.body_limits.for_path(request.url.path)
            return error_response(request, 413, code, too_large(kind, limit))
        message = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else (
            f"nothing at {request.url.path}: check the address or start from the dashboard /"
            if exc.status_code == 404 else str(exc.detail))
        # Keeps the router's headers: a 405 must say which methods the address takes (Allow).
        return error_response(request, exc.status_code, code, message, headers=dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 422, "E802", _validation_message(exc))

    @app.exception_handler(RegionNotFound)
    async def region_error(request: Request, exc: RegionNotFound) -> Response:
        return error_response(request, 404, "E807",
                              f"{exc.message}: use a name such as 泰州 or 泰州市, or a 6-digit adcode such as 321200")

    @app.exception_handler(ChainAtlasError)
    async def domain_error(request: Request, exc: ChainAtlasError) -> Response:
        return error_response(request, _STATUS.get(exc.code, 400), exc.code, exc.message)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return error_response(request, 500, "E800",
                              "internal error: the server log has the details; please report it with the address you opened")
