"""The application factory: routers, static files, security headers and JSON errors.

``create_app(store)`` only wires things together; routes live one per resource in
``chainatlas/api/routes`` (REST) and ``chainatlas/web/views`` (pages).
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from chainatlas import __version__
from chainatlas.api import errors, openapi
from chainatlas.api.cache import new_cache
from chainatlas.api.limits import BodyLimits, RequestLimits
from chainatlas.api.routes import (
    auth,
    chain,
    documents,
    epcis,
    events,
    invest,
    market,
    orgs,
    regions,
    search,
    standards,
    taxonomy,
    uploads,
)
from chainatlas.api.security import COOKIE_NAME, SessionStore
from chainatlas.api.throttle import LoginThrottle
from chainatlas.store import Store
from chainatlas.trace.jobs import reap_orphan_jobs
from chainatlas.web import views
from chainatlas.web.i18n import pick_lang
from chainatlas.web.views import recall

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
REPO_DIR = WEB_DIR.parent.parent

# No inline script anywhere: pages load their code from /static, data travels as JSON in
# <script type="application/json"> blocks. ECharts sets element styles through the CSSOM,
# which style-src does not restrict, so inline styles stay forbidden as well.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")


def node_modules_dir() -> Path:
    """Where ``npm ci`` put the front-end libraries: the repository root by default."""
    return Path(os.environ.get("CHAINATLAS_NODE_MODULES", REPO_DIR / "node_modules"))


def create_app(store: Store, *, secret_key: str | None = None, body_limits: BodyLimits | None = None) -> FastAPI:
    app = FastAPI(
        title="ChainAtlas API",
        version=__version__,
        description="大健康产业链图谱平台 REST API. Reading is open; writes need a login (session cookie + CSRF token).",
        docs_url=None,  # /docs and /redoc are served from node_modules by web/views/apidocs.py
        redoc_url=None,
    )
    app.state.store = store
    app.state.sessions = SessionStore(secret_key)
    app.state.login_throttle = LoginThrottle(store)
    app.state.response_cache = cache = new_cache()
    app.state.body_limits = limits = body_limits or BodyLimits.from_env()
    inflight: dict[tuple, asyncio.Event] = {}
    errors.install(app)
    openapi.install(app)
    reap_orphan_jobs(store)  # capture jobs left "running" by a server that was killed

    for r in (regions, taxonomy, orgs, documents, events, search, uploads, auth, invest, standards):
        app.include_router(r.router, prefix="/api")
    app.include_router(chain.router)  # /api/chain/… (chain analysis)
    app.include_router(epcis.router)  # EPCIS 2.0 REST binding: /capture, /events, /queries
    app.include_router(recall.router)  # /trace/recall page
    app.include_router(market.router)  # /api/market/… (科创供应链)
    for page in views.routers():
        app.include_router(page)

    app.mount("/static/app", StaticFiles(directory=WEB_DIR / "static"), name="static")
    for name, sub, what in (("echarts", "echarts/dist", "charts will not draw"),
                            ("swagger-ui", "swagger-ui-dist", "/docs will be blank"),
                            ("redoc", "redoc/bundles", "/redoc will be blank")):
        folder = node_modules_dir() / sub
        if folder.is_dir():
            app.mount(f"/static/vendor/{name}", StaticFiles(directory=folder), name=name)
        else:
            log.warning("%s not found at %s: run `npm ci` at the repository root (%s)", name, folder, what)

    @app.middleware("http")
    async def headers_and_session(request: Request, call_next):  # type: ignore[no-untyped-def]
        request.state.lang = pick_lang(request.query_params.get("lang"), request.cookies.get("lang"))
        key = cache.key(request)
        response = cache.get(key) if key else None
        if response is None and key is not None and key in inflight:
            # Single flight: fifty users opening the same map at once wait for one rendering.
            await inflight[key].wait()
            response = cache.get(key)
        if response is None:
            done = None
            if key is not None:
                done = inflight[key] = asyncio.Event()
            try:
                response = await call_next(request)
                if key is not None and response.status_code == 200:
                    body = b"".join([chunk async for chunk in response.body_iterator])
                    raw = list(response.raw_headers)
                    response = Response(body, status_code=200)
                    response.raw_headers = raw
                    _security_headers(response)
                    cache.put(key, 200, body, list(response.raw_headers))
            finally:
                if done is not None:
                    inflight.pop(key, None)
                    done.set()
        _security_headers(response)
        if request.query_params.get("lang") in ("zh", "en"):
            response.set_cookie("lang", request.query_params["lang"], max_age=365 * 86400, samesite="lax")
        ws = getattr(request.state, "web_session", None)
        if ws is not None and (getattr(request.state, "new_session", False) or getattr(request.state, "rotated", False)):
            response.set_cookie(COOKIE_NAME, app.state.sessions.cookie_value(ws), httponly=True, samesite="lax",
                                secure=request.url.scheme == "https", max_age=8 * 3600, path="/")
        return response

    def refuse(request: Request, status: int, code: str, message: str) -> Response:
        response = errors.error_response(request, status, code, message)
        _security_headers(response)
        return response

    # Added last, so outermost: body limits and role checks happen before anything reads the body.
    app.add_middleware(RequestLimits, limits=limits, routes=lambda: app.routes, refuse=refuse)
    return app


def _security_headers(response: Response) -> None:
    response.headers.setdefault("Content-Security-Policy", CSP)  # pages with their own policy keep it
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
