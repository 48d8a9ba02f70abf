"""The OpenAPI document says every status an operation can answer, with its error body.

Every route shares the same error paths (``api.errors``, ``api.limits``): invalid parameters
(422), a refused domain value (400), an unknown region or id (404), a body over the limit (413),
an internal error (500); writes add 401/403 (login, role, CSRF), logging in adds 429. Rather than
repeat that on each decorator — and miss it on the next router someone adds — they are added to
each operation of the generated document here, with the coded error model (``ErrorBody``), or
for the EPCIS binding also its RFC 7807 problem (``application/problem+json``).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from chainatlas.api.limits import api_routes
from chainatlas.api.schemas.common import ErrorBody

EPCIS_PREFIXES = ("/capture", "/events", "/queries")
COMMON = {"400": "the request names something invalid (the message says what and where)",
          "404": "nothing at this address or with this id",
          "413": "request body over the limit for this route (E814)",
          "422": "invalid parameters or body (E802)",
          "500": "internal error (E800)"}
WRITE = {"401": "log in first (E803)", "403": "role missing (E804) or CSRF token missing or wrong (E805)"}
LOGIN = {"401": "wrong user name or password (E803)", "403": "CSRF token missing or wrong (E805)",
         "429": "too many failed logins (E809)"}
PROBLEM = {"type": "object", "description": "RFC 7807 problem; type is the EPCIS exception",
           "properties": {"type": {"type": "string", "examples": ["epcisException:ValidationException"]},
                          "title": {"type": "string"}, "status": {"type": "integer"},
                          "detail": {"type": "string"}}, "required": ["type", "title", "status"]}


def install(app: FastAPI) -> None:
    generate = app.openapi
    documented: set[int] = set()

    def openapi() -> dict[str, Any]:
        schema = generate()
        if id(schema) not in documented:  # FastAPI caches the document until routes change
            _document_errors(app, schema)
            documented.add(id(schema))
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _document_errors(app: FastAPI, schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(body.pop("$defs", {}))
    components.setdefault("ErrorBody", body)
    components.setdefault("EpcisProblem", PROBLEM)
    roles = {(m, r.path): r.roles for r in api_routes(app.routes) for m in r.methods}
    for path, item in schema.get("paths", {}).items():
        epcis = path.startswith(EPCIS_PREFIXES)
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            wanted = dict(COMMON)
            if roles.get((method.upper(), path)) is not None:
                wanted.update(WRITE)
            if path in ("/api/auth/login", "/api/auth/logout"):
                wanted.update(LOGIN)
            if epcis and method == "post":
                wanted["415"] = "unsupported content type"
            for status, description in wanted.items():
                resp = op["responses"].setdefault(status, {"description": description})
                content = resp.setdefault("content", {})
                if "HTTPValidationError" in str(content.get("application/json", {})):
                    # FastAPI's default 422 shape: our handler answers with the coded error instead.
                    del content["application/json"]
                content.setdefault("application/json", {"schema": {"$ref": "#/components/schemas/ErrorBody"}})
                if epcis:
                    content.setdefault("application/problem+json",
                                       {"schema": {"$ref": "#/components/schemas/EpcisProblem"}})
