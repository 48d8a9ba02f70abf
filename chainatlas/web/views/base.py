"""What every page shares: the Jinja2 environment (autoescape on), helpers and rendering.

Helpers that depend on the request (language, user, CSRF token) read it from the
template context, so any view rendering through ``templates`` — including views in other
packages that extend ``base.html`` — gets them without passing anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from chainatlas.api.security import current_user, web_session
from chainatlas.web.format import fmt_amount, fmt_count, fmt_metric, fmt_wan
from chainatlas.web.i18n import translate

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
templates = Jinja2Templates(directory=TEMPLATES_DIR)
env = templates.env
env.autoescape = True  # every template, whatever its suffix: document text is untrusted
env.trim_blocks = True
env.lstrip_blocks = True


def lang_of(request: Request) -> str:
    return getattr(request.state, "lang", "zh")


@pass_context
def _t(ctx: Any, key: str, **params: object) -> str:
    return translate(lang_of(ctx["request"]), key, **params)


@pass_context
def _lang(ctx: Any) -> str:
    return lang_of(ctx["request"])


@pass_context
def _user(ctx: Any):  # type: ignore[no-untyped-def]
    return current_user(ctx["request"])


@pass_context
def _csrf(ctx: Any) -> str:
    return web_session(ctx["request"]).csrf


@pass_context
def _url_with(ctx: Any, **changes: object) -> str:
    """The current URL with some query parameters changed (None removes one): filters,
    pagination and the language switch keep every other parameter, so links stay shareable."""
    request: Request = ctx["request"]
    params = dict(request.query_params)
    for k, v in changes.items():
        if v is None or v == "":
            params.pop(k, None)
        else:
            params[k] = str(v)
    return request.url.path + ("?" + urlencode(params) if params else "")


@pass_context
def _wan(ctx: Any, value: float | None) -> str:
    return fmt_wan(value, lang=lang_of(ctx["request"]))


@pass_context
def _yuan(ctx: Any, value: float | None) -> str:
    return fmt_amount(value, lang=lang_of(ctx["request"]))


@pass_context
def _metric(ctx: Any, value: float | None, unit: str | None) -> str:
    return fmt_metric(value, unit, lang=lang_of(ctx["request"]))


def vocab_label(lang: str, prefix: str, value: object, default: object = None) -> str:
    """A stored code (event type, kind, stage, status, tier, sub-chain …) in the page's language
    from the i18n files; one the files do not list is shown as ``default`` or as stored."""
    if value is None or value == "":
        return ""
    key = f"{prefix}.{value}"
    text = translate(lang, key)
    return str(default if default is not None else value) if text == key else text


def event_when(date_iso: str | None, date_text: str | None) -> str:
    """The event's date as written, with the date it resolves to when the store has one:
    「去年（2023年）」, 「今年3月（2024年3月）」; as precise as the words were."""
    if not date_iso or len(date_iso) < 10 or not date_iso[:4].isdigit():
        return date_text or date_iso or ""
    y, m, d = int(date_iso[:4]), int(date_iso[5:7]), int(date_iso[8:10])
    words = date_text or ""
    resolved = f"{y}年{m}月{d}日" if ("日" in words or "号" in words or not words) else \
        f"{y}年{m}月" if "月" in words else f"{y}年"
    return resolved if not words or words == resolved else f"{words}（{resolved}）"


@pass_context
def _label(ctx: Any, prefix: str, value: object, default: object = None) -> str:
    return vocab_label(lang_of(ctx["request"]), prefix, value, default)


env.globals.update(t=_t, lang=_lang, current_user=_user, csrf_token=_csrf, url_with=_url_with, label=_label,
                   event_when=event_when)
env.filters.update(wan=_wan, yuan=_yuan, metric=_metric, count=fmt_count)


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def render_error(request: Request, status: int, code: str, message: str) -> HTMLResponse:
    return render(request, "error.html", status_code=status, code=code, message=message, status=status)


def pager(total: int | None, limit: int, offset: int) -> dict:
    return {"total": total, "limit": limit, "offset": offset,
            "prev": max(0, offset - limit) if offset > 0 else None,
            "next": offset + limit if total is not None and offset + limit < total else None,
            "first": offset + 1 if total else 0, "last": min(offset + limit, total or 0)}
