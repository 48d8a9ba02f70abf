"""``chainatlas user``: accounts for writing (reading needs none)."""

from __future__ import annotations

import sys

import typer
from rich.table import Table
from sqlalchemy import select

from chainatlas.cli.common import DbOpt, console, fail, get_store
from chainatlas.errors import ChainAtlasError
from chainatlas.store.models import ROLES, AppUser

app = typer.Typer(help="用户与权限 / accounts and roles (admin, analyst, enterprise).", no_args_is_help=True)


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("密码 / password", hide_input=True, confirmation_prompt=True)


def _create(db: str | None, username: str, role: str, password_stdin: bool) -> None:
    from chainatlas.api.security import create_user

    password = _password(password_stdin)
    store = get_store(db, reference=False)
    try:
        with store.session() as s:
            user = create_user(s, username, password, role)
            uid = user.id
    except ChainAtlasError as exc:
        raise fail(str(exc)) from exc
    console.print(f"created {role} {username!r} (id {uid})")


@app.command("create-admin")
def create_admin(
    username: str = typer.Option("admin", help="用户名 / user name"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="从标准输入读密码 / read the password from stdin"),
    db: DbOpt = None,
) -> None:
    """创建第一个管理员 / create the first admin account."""
    _create(db, username, "admin", password_stdin)


@app.command("add")
def add(
    username: str = typer.Argument(..., help="用户名 / user name"),
    role: str = typer.Option("analyst", help=f"角色 / role: {', '.join(ROLES)}"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="从标准输入读密码 / read the password from stdin"),
    db: DbOpt = None,
) -> None:
    """添加用户 / add an account with a role."""
    _create(db, username, role, password_stdin)


@app.command("list")
def list_users(db: DbOpt = None) -> None:
    """列出用户 / list accounts."""
    store = get_store(db, reference=False)
    table = Table("id", "username", "role", "created")
    with store.session() as s:
        for u in s.scalars(select(AppUser).order_by(AppUser.id)):
            table.add_row(str(u.id), u.username, u.role, u.created_at.isoformat(timespec="seconds"))
    console.print(table)


@app.command("reset-password")
def reset_password(
    username: str = typer.Argument(..., help="用户名 / user name"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="从标准输入读密码 / read the password from stdin"),
    db: DbOpt = None,
) -> None:
    """重设密码并解除锁定 / set a new password (forgotten or locked account) and lift the login lock."""
    from chainatlas.api.security import set_password
    from chainatlas.api.throttle import unlock

    password = _password(password_stdin)
    store = get_store(db, reference=False)
    try:
        with store.session() as s:
            set_password(s, username, password)
    except ChainAtlasError as exc:
        raise fail(str(exc)) from exc
    unlock(store, username)
    console.print(f"new password set for {username!r}; failed logins forgotten")


@app.command("unlock")
def unlock_user(
    username: str = typer.Argument(..., help="用户名 / user name"),
    db: DbOpt = None,
) -> None:
    """解除登录锁定 / lift the lock that failed logins put on an account name."""
    from chainatlas.api.throttle import unlock

    store = get_store(db, reference=False)
    with store.session() as s:
        if s.scalar(select(AppUser).where(AppUser.username == username)) is None:
            raise fail(f"E813: no user {username!r}: list accounts with `chainatlas user list`")
    had = unlock(store, username)
    console.print(f"{username!r} unlocked" if had else f"{username!r} had no failed logins to forget")
