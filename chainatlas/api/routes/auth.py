"""/api/auth: log in and out from scripts; the session cookie and CSRF token work as on the pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from chainatlas.api.deps import SessionDep
from chainatlas.api.security import AuthError, check_csrf, current_user, login_with_throttle, web_session

router = APIRouter(prefix="/auth", tags=["auth"])


class Login(BaseModel):
    # No NUL: PostgreSQL text cannot hold it, and no account name or password contains one.
    username: str = Field(max_length=200, pattern=r"^[^\x00]*$")
    password: str = Field(max_length=1000, pattern=r"^[^\x00]*$")


@router.get("/me", summary="Who is logged in, and the CSRF token to send as X-CSRF-Token")
def me(request: Request) -> dict:
    ws = web_session(request)
    user = current_user(request)
    return {"user": user.__dict__ if user else None, "csrf_token": ws.csrf}


@router.post("/login", summary="Log in (send X-CSRF-Token from GET /api/auth/me)")
def login(body: Login, request: Request, session: SessionDep) -> dict:
    ws = web_session(request)
    check_csrf(ws, request.headers.get("x-csrf-token"))
    user = login_with_throttle(request, session, body.username, body.password)
    if user is None:
        raise AuthError("wrong username or password", code="E803")
    fresh = request.app.state.sessions.login(ws, user)
    request.state.web_session, request.state.rotated = fresh, True
    return {"user": {"id": user.id, "username": user.username, "role": user.role}, "csrf_token": fresh.csrf}


@router.post("/logout", summary="Log out")
def logout(request: Request) -> dict:
    ws = web_session(request)
    check_csrf(ws, request.headers.get("x-csrf-token"))
    request.app.state.sessions.drop(ws)
    fresh = request.app.state.sessions.new()
    request.state.web_session, request.state.rotated = fresh, True
    return {"ok": True}
