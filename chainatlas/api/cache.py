"""A short-lived cache of anonymous GET responses for read pages and read endpoints.

Fifty analysts opening the same region's chain map see the same bytes; computing them once
every few seconds instead of fifty times is what keeps the map fast under load. Only
anonymous requests are cached (no session cookie), so nothing user-specific (login state,
CSRF tokens) is ever stored or served to someone else; any write through the app clears it.
``CHAINATLAS_RESPONSE_TTL=0`` turns it off.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections import OrderedDict

from starlette.requests import Request
from starlette.responses import Response

from chainatlas.api.security import COOKIE_NAME

CACHEABLE = re.compile(
    r"^/(chain/[^/]+|dashboard/[^/]+|compare|orgs|orgs/\d+|documents/\d+|news|search"
    r"|api/(orgs|orgs\.xlsx|orgs/\d+|regions(/[^/]+)?|taxonomy/.+|documents(/\d+)?|events|search|chain/.+))$"
)
MAX_ENTRIES = 2000
MAX_BODY = 4 * 1024 * 1024


class ResponseCache:
    def __init__(self, ttl: float | None = None) -> None:
        self.ttl = float(os.environ.get("CHAINATLAS_RESPONSE_TTL", "60")) if ttl is None else ttl
        self._data: OrderedDict[tuple, tuple[float, int, bytes, list[tuple[bytes, bytes]]]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def key(self, request: Request) -> tuple | None:
        if self.ttl <= 0 or request.method != "GET" or COOKIE_NAME in request.cookies:
            return None
        if not CACHEABLE.match(request.url.path):
            return None
        accept = "html" if "text/html" in request.headers.get("accept", "") else "other"
        return (request.url.path, tuple(sorted(request.query_params.multi_items())),
                request.cookies.get("lang", ""), accept)

    def get(self, key: tuple) -> Response | None:
        with self._lock:
            hit = self._data.get(key)
            if hit is None or time.monotonic() - hit[0] > self.ttl:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
        _, status, body, headers = hit
        resp = Response(body, status_code=status)
        resp.raw_headers = [(k, v) for k, v in headers if k != b"content-length"] + [
            (b"content-length", str(len(body)).encode()), (b"x-cache", b"hit")]
        return resp

    def put(self, key: tuple, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
        if status != 200 or len(body) > MAX_BODY or any(k == b"set-cookie" for k, _ in headers):
            return
        with self._lock:
            self._data[key] = (time.monotonic(), status, body, headers)
            self._data.move_to_end(key)
            while len(self._data) > MAX_ENTRIES:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_instances: list[ResponseCache] = []


def new_cache() -> ResponseCache:
    cache = ResponseCache()
    _instances.append(cache)
    return cache


def invalidate() -> None:
    """After every write (import, ingest, edit): cached responses, chain reports and the
    region picker all forget what they held."""
    from chainatlas.api.queries.regions import reset_region_cache
    from chainatlas.web.chain_view import clear_reports

    for c in _instances:
        c.clear()
    clear_reports()
    reset_region_cache()
