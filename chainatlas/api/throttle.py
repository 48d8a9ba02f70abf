"""Password guessing: attempts are reserved in the store before a password is checked.

Each account name and each client address has a row in ``login_throttle``. A login first
*reserves* one attempt per key with a single conditional UPDATE (refused when the key is locked
or its window already holds ``limit`` attempts), and only then checks the password. Reservation
is atomic in the database, so twenty guesses sent at once check at most ``limit`` passwords, and
every server process over the same store shares the count. A failed check keeps its reservation
(and locks the key once the window is full); a successful one clears the account name's count.
The per-address limit is looser: an office behind one NAT address shares it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import case, delete, insert, or_, update
from sqlalchemy.exc import IntegrityError

from chainatlas.errors import ChainAtlasError
from chainatlas.store import Store
from chainatlas.store.models import LoginThrottleEntry

T = LoginThrottleEntry


class LoginLocked(ChainAtlasError):
    code = "E809"


def user_key(username: str) -> str:
    # Names compare case- and space-blind, and a 300-character key bounds the row whatever is typed.
    return "user:" + username.strip().casefold()[:250]


def address_key(address: str) -> str:
    return "address:" + address[:250]


class LoginThrottle:
    def __init__(self, store: Store, *, per_user: int = 5, per_address: int = 30, window_seconds: float = 900,
                 lock_seconds: float = 900, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.per_user, self.per_address = per_user, per_address
        self.window, self.lock, self.clock = window_seconds, lock_seconds, clock

    def _keys(self, username: str, address: str | None) -> list[tuple[str, int]]:
        keys = [(user_key(username), self.per_user)]
        if address:
            keys.append((address_key(address), self.per_address))
        return keys

    def reserve(self, username: str, address: str | None) -> None:
        """Take one attempt for the name and the address, or raise E809 (nothing is checked then)."""
        now = self.clock()
        for key, limit in self._keys(username, address):
            if not self._reserve_one(key, limit, now):
                wait = self._wait(key, now)
                minutes = max(1, round(wait / 60))
                raise LoginLocked(f"too many failed logins: try again in {minutes} minutes, or ask an admin to "
                                  "unlock the account (chainatlas user unlock NAME)")

    def _reserve_one(self, key: str, limit: int, now: float) -> bool:
        expired = T.window_start <= now - self.window
        with self.store.session() as s:
            done = s.execute(
                update(T).where(T.key == key, T.locked_until <= now, or_(expired, T.attempts < limit))
                .values(attempts=case((expired, 1), else_=T.attempts + 1),
                        window_start=case((expired, now), else_=T.window_start))
                .execution_options(synchronize_session=False)).rowcount
        if done:
            return True
        try:
            with self.store.session() as s:
                # A new key: forget the keys whose window and lock are both over, so a spray of
                # made-up names keeps the table to one window's worth of rows.
                s.execute(delete(T).where(T.window_start <= now - self.window, T.locked_until <= now)
                          .execution_options(synchronize_session=False))
                s.execute(insert(T).values(key=key, attempts=1, window_start=now, locked_until=0.0))
            return True
        except IntegrityError:
            # The row exists (a concurrent first attempt inserted it, or the key is full/locked):
            # one more conditional update decides, under the same rule.
            with self.store.session() as s:
                return bool(s.execute(
                    update(T).where(T.key == key, T.locked_until <= now, or_(expired, T.attempts < limit))
                    .values(attempts=case((expired, 1), else_=T.attempts + 1),
                            window_start=case((expired, now), else_=T.window_start))
                    .execution_options(synchronize_session=False)).rowcount)

    def _wait(self, key: str, now: float) -> float:
        with self.store.session() as s:
            row = s.get(T, key)
            if row is None:
                return 0.0
            return max(row.locked_until - now, row.window_start + self.window - now, 0.0)

    def failed(self, username: str, address: str | None) -> None:
        """The reserved attempt failed: once a window is full, lock the key for ``lock_seconds``."""
        now = self.clock()
        with self.store.session() as s:
            for key, limit in self._keys(username, address):
                s.execute(update(T).where(T.key == key, T.attempts >= limit)
                          .values(locked_until=now + self.lock, attempts=0, window_start=now)
                          .execution_options(synchronize_session=False))

    def succeeded(self, username: str) -> None:
        with self.store.session() as s:
            s.execute(delete(T).where(T.key == user_key(username)).execution_options(synchronize_session=False))


def unlock(store: Store, username: str) -> bool:
    """Forget the name's failed attempts and lock (``chainatlas user unlock``); True if it had any."""
    with store.session() as s:
        return bool(s.execute(delete(T).where(T.key == user_key(username))
                              .execution_options(synchronize_session=False)).rowcount)
