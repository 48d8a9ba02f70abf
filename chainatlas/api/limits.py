"""Request bodies: a size limit per route class, and writes refused before their body is read.

``RequestLimits`` is the outermost application middleware (pure ASGI, so it sees the request
before anything reads it):

1. It picks the body limit of the route class the path belongs to — EPCIS capture (spooled to
   disk, large), file uploads, and everything else (JSON queries, logins, edits: small) — and
   refuses a declared ``Content-Length`` above it at once with 413 / E814. A body sent without
   a length (chunked) is counted as it arrives by Starlette's ``RequestBodyLimitResponder``,
   which raises the same 413 as soon as the count passes the limit.
2. For an unsafe method on a route whose dependencies include ``require_role`` it checks the
   session and the role *before* the body is read: an anonymous 400 MB upload is refused
   without being spooled. A CSRF token sent as the ``X-CSRF-Token`` header is checked here too
   (a form's token travels in the body and is checked by the route's dependency afterwards).

Limits come from ``BodyLimits.from_env()`` (``CHAINATLAS_MAX_BODY_BYTES``,
``CHAINATLAS_MAX_UPLOAD_BYTES``, ``CHAINATLAS_MAX_CAPTURE_BYTES``) unless ``create_app`` is
given others.
"""

from __future__ import annotations

import hmac
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts
from starlette.exceptions import HTTPException
from starlette.middleware.body_limit import RequestBodyLimitResponder
from starlette.requests import Request
from starlette.routing import BaseRoute, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value and value.strip().isdigit() else default


@dataclass(frozen=True)
class BodyLimits:
    """Largest request body in bytes, per route class."""

    default: int = 1 << 20  # JSON queries, logins, edits, forms
    upload: int = 64 << 20  # registry sheets and documents (each file is also checked on its own)
    capture: int = 2 << 30  # EPCIS documents: spooled to disk, captured streaming
    upload_paths: tuple[str, ...] = ("/api/uploads/", "/admin/import", "/admin/ingest")
    capture_paths: tuple[str, ...] = ("/capture",)

    @classmethod
    def from_env(cls) -> BodyLimits:
        return cls(default=_env_int("CHAINATLAS_MAX_BODY_BYTES", cls.default),
                   upload=_env_int("CHAINATLAS_MAX_UPLOAD_BYTES", cls.upload),
                   capture=_env_int("CHAINATLAS_MAX_CAPTURE_BYTES", cls.capture))

    def for_path(self, path: str) -> tuple[str, int]:
        if path in self.capture_paths:
            return "capture", self.capture
        if path.startswith(self.upload_paths):
            return "upload", self.upload
        return "default", self.default


def required_roles(route: APIRoute) -> tuple[str, ...] | None:
    """The roles a route's ``require_role`` dependency asks for (None: the route needs no login)."""
    found: tuple[str, ...] | None = None
    stack = [route.dependant] + [d.dependant for d in getattr(route, "extra_dependants", [])]
    while stack:
        dep = stack.pop()
        roles = getattr(dep.call, "required_roles", None)
        if roles is not None:
            found = tuple(roles)
        stack.extend(dep.dependencies)
    return found


@dataclass(frozen=True)
class RouteInfo:
    """One endpoint as the app serves it: full path (router prefixes included), methods, roles."""

    path: str
    methods: frozenset[str]
    roles: tuple[str, ...] | None
    route: APIRoute
    regex: re.Pattern[str]


def api_routes(routes: Sequence[BaseRoute]) -> list[RouteInfo]:
    """Every FastAPI endpoint of the app, through included routers."""
    out = []
    for ctx in iter_route_contexts(routes):
        route = ctx.original_route
        if isinstance(route, APIRoute) and ctx.path:
            regex, _fmt, _conv = compile_path(ctx.path)
            out.append(RouteInfo(ctx.path, frozenset(ctx.methods or ()), required_roles(route), route, regex))
    return out


class RequestLimits:
    def __init__(self, app: ASGIApp, *, limits: BodyLimits, routes: Callable[[], Sequence[BaseRoute]],
                 refuse: Callable[[Request, int, str, str], Any]) -> None:
        self.app = app
        self.limits = limits
        self.routes = routes
        self.refuse = refuse
        self._table: list[RouteInfo] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "HEAD":
            # HTTP: HEAD is GET without the body. FastAPI routes declare GET only, so HEAD / was a
            # 405; answer it as the GET it stands for, headers (Content-Length included) and no body.
            scope = dict(scope, method="GET")
            send = _without_body(send)
        kind, limit = self.limits.for_path(scope["path"])
        request = Request(scope)
        if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b""):
            # No text column takes a NUL (PostgreSQL refuses it outright): say so instead of a 500.
            response = self.refuse(request, 422, "E802", "invalid request — the address contains a NUL "
                                   "character (%00): remove it")
            await response(scope, receive, send)
            return
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            response = self.refuse(request, 413, "E814", too_large(kind, limit))
            await response(scope, receive, send)
            return
        if scope["method"] not in SAFE_METHODS:
            refused = self._check_role(request)
            if refused is not None:
                await refused(scope, receive, send)
                return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await RequestBodyLimitResponder(self.app, limit)(scope, receive, tracking_send)
        except ExceptionGroup as group:
            # The page middleware (BaseHTTPMiddleware) reads the body in a task group, so a body
            # counted past the limit arrives here wrapped instead of as the route's 413.
            if started or group.subgroup(_too_large) is None or group.subgroup(_other):
                raise
            await self.refuse(request, 413, "E814", too_large(kind, limit))(scope, receive, send)

    def _route_roles(self, scope: Scope) -> tuple[str, ...] | None:
        if self._table is None:  # built on the first write, once every router is included
            self._table = api_routes(self.routes())
        for info in self._table:
            if scope["method"] in info.methods and info.regex.match(scope["path"]):
                return info.roles
        return None

    def _check_role(self, request: Request) -> Any:
        from chainatlas.api.security import current_user, load_session

        roles = self._route_roles(request.scope)
        if roles is None:
            return None
        user = current_user(request)
        if user is None:
            return self.refuse(request, 401, "E803", "log in first: writing needs an account (ask an admin for one)")
        if roles and user.role not in roles:
            return self.refuse(request, 403, "E804", f"your role {user.role!r} cannot do this; it needs "
                               f"{' or '.join(roles)}")
        token = request.headers.get("x-csrf-token")
        ws = load_session(request)
        if token is not None and ws is not None and not hmac.compare_digest(token, ws.csrf):
            return self.refuse(request, 403, "E805", "the form has expired or did not come from this site: "
                               "reload the page and try again")
        return None


def _without_body(send: Send) -> Send:
    async def head_send(message: Message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": b"", "more_body": False}
        await send(message)

    return head_send


def _too_large(exc: BaseException) -> bool:
    return isinstance(exc, HTTPException) and exc.status_code == 413


def _other(exc: BaseException) -> bool:
    return not isinstance(exc, BaseExceptionGroup) and not _too_large(exc)


def too_large(kind: str, limit: int) -> str:
    what = {"capture": "an EPCIS capture", "upload": "an upload"}.get(kind, "this request")
    return (f"request body too large: {what} may be at most {limit:,} bytes "
            "(the server's CHAINATLAS_MAX_*_BYTES settings)")
