"""``chainatlas user`` creates accounts with argon2 hashes; ``chainatlas serve`` is registered."""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from chainatlas.api.security import verify_password
from chainatlas.cli.main import app
from chainatlas.store import Store
from chainatlas.store.models import AppUser


def test_create_admin_and_add_user(sqlite_store: Store) -> None:
    runner = CliRunner()
    db = ["--db", sqlite_store.url]
    r = runner.invoke(app, ["user", "create-admin", "--password-stdin", *db], input="s3cret-pass\n")
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["user", "add", "li", "--role", "enterprise", "--password-stdin", *db], input="another-pass\n")
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["user", "add", "li", "--role", "analyst", "--password-stdin", *db], input="another-pass\n")
    assert r.exit_code != 0 and "E812" in r.output  # no duplicate accounts
    r = runner.invoke(app, ["user", "add", "x", "--role", "root", "--password-stdin", *db], input="another-pass\n")
    assert r.exit_code != 0 and "E810" in r.output
    r = runner.invoke(app, ["user", "add", "y", "--password-stdin", *db], input="short\n")
    assert r.exit_code != 0 and "E811" in r.output
    with sqlite_store.session() as s:
        users = {u.username: u for u in s.scalars(select(AppUser))}
    assert users["admin"].role == "admin" and users["li"].role == "enterprise"
    assert verify_password(users["admin"].password_hash, "s3cret-pass")
    assert "s3cret" not in users["admin"].password_hash


def test_serve_is_a_command() -> None:
    r = CliRunner().invoke(app, ["serve", "--help"])
    assert r.exit_code == 0 and "--port" in r.output and "--open" in r.output


def test_serve_warms_the_home_regions_report_before_the_first_visitor(store: Store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from browser.seed import seed_web
    from fastapi.testclient import TestClient
    from store_support import settle_data_version

    from chainatlas.api.app import create_app
    from chainatlas.cli.serve import warm_up
    from chainatlas.web import chain_view

    seed_web(store)
    settle_data_version(store)
    chain_view.clear_reports()
    warm_up(store)
    computed: list[str] = []
    real = chain_view._compute
    monkeypatch.setattr(chain_view, "_compute", lambda s, region, *rest: computed.append(region) or real(s, region, *rest))
    with TestClient(create_app(store)) as c:
        assert c.get("/chain/321200", headers={"accept": "text/html"}).status_code == 200
    assert computed == []  # served from the warm-up's report
    chain_view.clear_reports()


def test_a_failing_warm_up_does_not_stop_the_server(caplog) -> None:  # type: ignore[no-untyped-def]
    from chainatlas.cli.serve import warm_up

    class Broken:
        def session(self):  # type: ignore[no-untyped-def]
            raise RuntimeError("database unreachable")

    warm_up(Broken())  # type: ignore[arg-type]
    assert "warm-up" in caplog.text
