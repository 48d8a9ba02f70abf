"""Login throttle: attempts are reserved in the store before a password is checked, so parallel
guesses and several server processes share one count; admins unlock and reset from the CLI."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from browser.seed import ADMIN, ANALYST
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from chainatlas.api import security
from chainatlas.api.throttle import LoginLocked, LoginThrottle
from chainatlas.store import Store


def test_throttle_locks_an_account_name_then_releases_it(store: Store) -> None:
    now = [1000.0]
    t = LoginThrottle(store, per_user=3, per_address=10, window_seconds=60, lock_seconds=300, clock=lambda: now[0])
    for _ in range(2):
        t.reserve("Alice", "10.0.0.1")
        t.failed("Alice", "10.0.0.1")
    t.reserve("alice ", "10.0.0.2")  # two failures: still allowed (names compare case- and space-blind)
    t.failed("ALICE", "10.0.0.2")
    with pytest.raises(LoginLocked) as err:
        t.reserve("alice", "10.0.0.3")  # third failure locked the name, from any address
    assert err.value.code == "E809" and "5 minutes" in err.value.message
    t.reserve("bob", "10.0.0.3")  # other accounts are not affected
    now[0] += 301
    t.reserve("alice", "10.0.0.1")  # the lock ends
    # Attempts older than the window do not add up.
    for _ in range(2):
        t.reserve("carol", None)
        t.failed("carol", None)
    now[0] += 61
    t.reserve("carol", None)
    t.failed("carol", None)
    t.reserve("carol", None)


def test_throttle_per_address_and_reset_on_success(store: Store) -> None:
    t = LoginThrottle(store, per_user=3, per_address=4, window_seconds=60, lock_seconds=60)
    for _ in range(2):
        t.reserve("u1", "10.0.0.9")
        t.failed("u1", "10.0.0.9")
    t.reserve("u1", "10.0.0.9")
    t.succeeded("u1")  # the success clears u1's count (not the address's: 3 attempts from it so far)
    t.reserve("u1", "10.0.0.8")
    t.reserve("u1", "10.0.0.8")
    t.reserve("u2", "10.0.0.9")  # fourth attempt from this address, spread over names
    t.failed("u2", "10.0.0.9")
    with pytest.raises(LoginLocked):
        t.reserve("someone-else", "10.0.0.9")
    t.reserve("someone-else", "10.0.0.8")


def test_reservations_hold_across_throttles_sharing_a_store(store: Store) -> None:
    """Two server processes are two throttles over one store: the count is the store's."""
    a, b = (LoginThrottle(store, per_user=3, per_address=100) for _ in range(2))
    a.reserve("dora", "10.1.0.1")
    b.reserve("dora", "10.1.0.2")
    a.reserve("dora", "10.1.0.3")
    with pytest.raises(LoginLocked):
        b.reserve("dora", "10.1.0.4")


def _guess_in_parallel(client: TestClient, passwords: list[str]) -> list[int]:
    csrf = client.get("/api/auth/me").json()["csrf_token"]
    go = threading.Barrier(len(passwords))

    def guess(password: str) -> int:
        go.wait()
        r = client.post("/api/auth/login", json={"username": ADMIN[0], "password": password},
                        headers={"X-CSRF-Token": csrf})
        return r.status_code

    with ThreadPoolExecutor(len(passwords)) as pool:
        return list(pool.map(guess, passwords))


def test_parallel_guesses_check_at_most_the_limit(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """20 guesses at once, the right password last: at most 5 passwords are checked, and the
    right one is refused with the account locked."""
    checked: list[str] = []
    real = security.verify_password

    def counting(password_hash: str, password: str) -> bool:
        checked.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(security, "verify_password", counting)
    guesses = [f"wrong-guess-{i}" for i in range(19)] + [ADMIN[1]]
    statuses = dict(zip(guesses, _guess_in_parallel(client, guesses), strict=True))
    assert len(checked) <= 5, f"{len(checked)} passwords checked for one account name"
    assert all(statuses[p] == 429 for p in guesses if p not in checked)  # refused unchecked
    assert (statuses[ADMIN[1]] == 200) == (ADMIN[1] in checked)


def test_parallel_guesses_over_many_names_hit_the_address_limit(client: TestClient,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    real = security.verify_password
    monkeypatch.setattr(security, "verify_password", lambda h, p: checked.append(p) or real(h, p))
    monkeypatch.setattr(client.app.state.login_throttle, "per_address", 8)  # type: ignore[attr-defined]
    csrf = client.get("/api/auth/me").json()["csrf_token"]
    go = threading.Barrier(16)

    def guess(i: int) -> int:
        go.wait()
        return client.post("/api/auth/login", json={"username": f"user{i}", "password": "x" * 9},
                           headers={"X-CSRF-Token": csrf}).status_code

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(guess, range(16)))
    assert statuses.count(401) <= 8 and statuses.count(429) >= 8
    # Unknown names are "checked" against a dummy hash: at most the address limit of them.
    assert len(checked) <= 8


def test_cli_unlock_and_reset_password(client: TestClient) -> None:
    from chainatlas.cli.main import app as cli

    store: Store = client.store  # type: ignore[attr-defined]
    csrf = client.get("/api/auth/me").json()["csrf_token"]
    for _ in range(6):
        client.post("/api/auth/login", json={"username": ANALYST[0], "password": "wrong-password"},
                    headers={"X-CSRF-Token": csrf})
    r = client.post("/api/auth/login", json={"username": ANALYST[0], "password": ANALYST[1]},
                    headers={"X-CSRF-Token": csrf})
    assert r.status_code == 429
    runner = CliRunner()
    out = runner.invoke(cli, ["user", "unlock", ANALYST[0], "--db", store.url])
    assert out.exit_code == 0, out.output
    r = client.post("/api/auth/login", json={"username": ANALYST[0], "password": ANALYST[1]},
                    headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    out = runner.invoke(cli, ["user", "reset-password", ANALYST[0], "--password-stdin", "--db", store.url],
                        input="a brand new passphrase\n")
    assert out.exit_code == 0, out.output
    csrf = client.get("/api/auth/me").json()["csrf_token"]
    r = client.post("/api/auth/login", json={"username": ANALYST[0], "password": ANALYST[1]},
                    headers={"X-CSRF-Token": csrf})
    assert r.status_code == 401
    r = client.post("/api/auth/login", json={"username": ANALYST[0], "password": "a brand new passphrase"},
                    headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200
    assert runner.invoke(cli, ["user", "unlock", "ghost", "--db", store.url]).exit_code != 0
    assert runner.invoke(cli, ["user", "reset-password", "ghost", "--password-stdin", "--db", store.url],
                         input="long enough pw\n").exit_code != 0


def test_expired_keys_are_forgotten(store: Store) -> None:
    from sqlalchemy import func, select

    from chainatlas.store.models import LoginThrottleEntry

    now = [0.0]
    t = LoginThrottle(store, per_user=3, per_address=10, window_seconds=60, lock_seconds=60, clock=lambda: now[0])
    for i in range(20):
        t.reserve(f"sprayed-{i}", None)
        t.failed(f"sprayed-{i}", None)
    now[0] += 120
    t.reserve("late", None)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(LoginThrottleEntry)) == 1
