"""Passwords, sessions, roles and CSRF.

- Passwords: argon2id (argon2-cffi) with its default cost parameters.
- Sessions live on the server (``SessionStore``); the cookie carries only a random id,
  signed with itsdangerous so a forged or tampered id is rejected before any lookup.
  Cookie flags: HttpOnly, SameSite=Lax, Secure when served over https.
- CSRF: one random token per session (anonymous visitors get a session too, so the login
  form itself is protected); every form POST carries it as ``csrf_token`` and every JSON
  write as the ``X-CSRF-Token`` header. Compared in constant time.
- Password guessing: ``throttle.LoginThrottle`` reserves an attempt in the store before each
  password check and locks an account name after repeated failures, and a client address after
  many more (HTTP 429, E809), whatever the password offered meanwhile.
- Reading is open; writes declare ``require_role(...)``.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Annotated

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from chainatlas.api.throttle import LoginLocked, LoginThrottle
from chainatlas.errors import ChainAtlasError
from chainatlas.store.models import ROLES, AppUser

COOKIE_NAME = "chainatlas_session"
SESSION_TTL = 8 * 3600  # a working day; idle sessions expire
_hasher = PasswordHasher()


class AuthError(ChainAtlasError):
    """Raised for missing login (E803), missing role (E804) and bad CSRF token (E805)."""

    code = "E803"


# ---------------------------------------------------------------- passwords


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(session: Session, username: str, password: str, role: str) -> AppUser:
    if role not in ROLES:
        raise ChainAtlasError(f"unknown role {role!r}; use one of {', '.join(ROLES)}", code="E810")
    if len(password) < 8:
        raise ChainAtlasError("password too short: use at least 8 characters", code="E811")
    if session.scalar(select(AppUser).where(AppUser.username == username)) is not None:
        raise ChainAtlasError(f"user {username!r} already exists", code="E812")
    user = AppUser(username=username, password_hash=hash_password(password), role=role)
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, username: str, password: str) -> AppUser:
    """An admin's reset of a forgotten or locked account's password (``chainatlas user reset-password``)."""
    if len(password) < 8:
        raise ChainAtlasError("password too short: use at least 8 characters", code="E811")
    user = session.scalar(select(AppUser).where(AppUser.username == username))
    if user is None:
        raise ChainAtlasError(f"no user {username!r}: list accounts with `chainatlas user list`", code="E813")
    user.password_hash = hash_password(password)
    return user


def authenticate(session: Session, username: str, password: str) -> AppUser | None:
    user = session.scalar(select(AppUser).where(AppUser.username == username))
    if user is None:
        # Hash anyway so response time does not reveal which usernames exist.
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


_DUMMY_HASH = _hasher.hash(secrets.token_hex(8))


# ---------------------------------------------------------------- login throttle


def login_with_throttle(request: Request, session: Session, username: str, password: str) -> AppUser | None:
    """``authenticate`` behind the app's throttle: the one entry both login forms use."""
    throttle: LoginThrottle = request.app.state.login_throttle
    address = request.client.host if request.client else None
    try:
        throttle.reserve(username, address)  # before the password is checked: parallel guesses count too
    except LoginLocked as exc:
        raise AuthError(exc.message, code="E809") from exc
    user = authenticate(session, username, password)
    if user is None:
        throttle.failed(username, address)
    else:
        throttle.succeeded(username)
    return user


# ---------------------------------------------------------------- sessions


@dataclass
class WebSession:
    sid: str
    csrf: str
    user_id: int | None = None
    username: str | None = None
    role: str | None = None
    expires: float = field(default_factory=lambda: time.time() + SESSION_TTL)
    flash: list[str] = field(default_factory=list)


class SessionStore:
    """In-process session table. One ``chainatlas serve`` process serves a cluster office;
    sessions are lost on restart, which only means logging in again."""

    def __init__(self, secret: str | None = None) -> None:
        self._signer = URLSafeSerializer(secret or os.environ.get("CHAINATLAS_SECRET_KEY") or secrets.token_hex(32),
                                         salt="chainatlas-session")
        self._data: dict[str, WebSession] = {}
        self._lock = threading.Lock()

    MAX_SESSIONS = 20_000

    def new(self) -> WebSession:
        ws = WebSession(sid=secrets.token_urlsafe(32), csrf=secrets.token_urlsafe(32))
        with self._lock:
            self._data[ws.sid] = ws
            if len(self._data) > self.MAX_SESSIONS:
                self._shrink()
        return ws

    def _shrink(self) -> None:
        """Bound memory: drop expired sessions, then the oldest anonymous ones (a login form
        left open somewhere); logged-in sessions are never evicted early."""
        now = time.time()
        for k in [k for k, v in self._data.items() if v.expires < now]:
            del self._data[k]
        anonymous = sorted((v.expires, k) for k, v in self._data.items() if v.user_id is None)
        for _, k in anonymous[: max(0, len(self._data) - self.MAX_SESSIONS // 2)]:
            del self._data[k]

    def load(self, cookie: str | None) -> WebSession | None:
        if not cookie:
            return None
        try:
            sid = self._signer.loads(cookie)
        except BadSignature:
            return None
        ws = self._data.get(sid)
        if ws is None or ws.expires < time.time():
            return None
        ws.expires = time.time() + SESSION_TTL
        return ws

    def drop(self, ws: WebSession) -> None:
        with self._lock:
            self._data.pop(ws.sid, None)

    def login(self, ws: WebSession, user: AppUser) -> WebSession:
        """A fresh session id and CSRF token at login, so a planted id cannot be reused."""
        self.drop(ws)
        fresh = self.new()
        fresh.user_id, fresh.username, fresh.role = user.id, user.username, user.role
        return fresh

    def cookie_value(self, ws: WebSession) -> str:
        return self._signer.dumps(ws.sid)


def load_session(request: Request) -> WebSession | None:
    """The visitor's session if the cookie names a live one. Reading pages never creates
    sessions, so anonymous traffic costs no server memory."""
    if not hasattr(request.state, "web_session"):
        store: SessionStore = request.app.state.sessions
        request.state.web_session = store.load(request.cookies.get(COOKIE_NAME))
    return request.state.web_session


def web_session(request: Request) -> WebSession:
    """The visitor's session, created when a form needs a CSRF token; the middleware sets the cookie."""
    ws = load_session(request)
    if ws is None:
        ws = request.app.state.sessions.new()
        request.state.web_session = ws
        request.state.new_session = True
    return ws


def check_csrf(ws: WebSession, token: str | None) -> None:
    if not token or not hmac.compare_digest(token, ws.csrf):
        raise AuthError("the form has expired or did not come from this site: reload the page and try again",
                        code="E805")


@dataclass(frozen=True)
class CurrentUserInfo:
    id: int
    username: str
    role: str


def current_user(request: Request) -> CurrentUserInfo | None:
    ws = load_session(request)
    if ws is None or ws.user_id is None:
        return None
    return CurrentUserInfo(ws.user_id, ws.username or "", ws.role or "")


def require_role(*roles: str):  # type: ignore[no-untyped-def]
    """Dependency factory: a logged-in user with one of ``roles``; for unsafe methods the
    CSRF token must come with the request (form field or X-CSRF-Token header)."""

    async def dep(request: Request) -> CurrentUserInfo:
        user = current_user(request)
        if user is None:
            raise AuthError("log in first: writing needs an account (ask an admin for one)", code="E803")
        if roles and user.role not in roles:
            raise AuthError(f"your role {user.role!r} cannot do this; it needs {' or '.join(roles)}", code="E804")
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            token = request.headers.get("x-csrf-token")
            if token is None and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")
            ):
                token = (await request.form()).get("csrf_token")  # type: ignore[assignment]
            check_csrf(web_session(request), token if isinstance(token, str) else None)
        return user

    dep.required_roles = roles  # type: ignore[attr-defined]  # read by api.limits before the body is
    return dep


CurrentUser = Annotated[CurrentUserInfo | None, Depends(current_user)]
Editor = Annotated[CurrentUserInfo, Depends(require_role("admin", "analyst"))]
Admin = Annotated[CurrentUserInfo, Depends(require_role("admin"))]
