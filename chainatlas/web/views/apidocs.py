"""API documentation served by the app itself: Swagger UI at /docs and ReDoc at /redoc.

FastAPI's own pages load their scripts from a CDN and start them with an inline script; the
app's CSP forbids both, and an offline user has no CDN at all. Here the libraries come from the
npm registry (package.json, served out of node_modules) and the start-up code is a static file.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

# Both libraries inject <style> elements at run time (styled-components, React): these two pages
# alone allow inline styles. Scripts stay 'self' only; ReDoc's search worker comes from a blob URL.
DOCS_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
            "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")

_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ChainAtlas API — {title}</title><link rel="icon" href="/static/app/favicon.svg">{head}</head>
<body>{body}<script src="/static/app/js/apidocs.js"></script></body></html>"""


def _page(title: str, head: str, body: str) -> HTMLResponse:
    html = _PAGE.format(title=title, head=head, body=body)
    return HTMLResponse(html, headers={"Content-Security-Policy": DOCS_CSP})


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    return _page("Swagger UI", '<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">',
                 '<div id="swagger-ui" data-spec="/openapi.json"></div>'
                 '<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>')


@router.get("/redoc")
def redoc() -> HTMLResponse:
    return _page("ReDoc", "", '<div id="redoc" data-spec="/openapi.json"></div>'
                 '<script src="/static/vendor/redoc/redoc.standalone.js"></script>')
