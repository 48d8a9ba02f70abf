"""``chainatlas db``: create, migrate and inspect the store."""

from __future__ import annotations

import typer
from rich.table import Table
from sqlalchemy import func, select

from chainatlas.cli.common import DbOpt, console, get_store
from chainatlas.store.models import Base

app = typer.Typer(help="数据库 / the store: init, status.", no_args_is_help=True)


@app.command("init")
def init(db: DbOpt = None, force: bool = typer.Option(False, help="重新加载参考数据 / reload reference data")) -> None:
    """建库并加载参考数据 / create or migrate the store and load taxonomy, regions, parks."""
    from chainatlas.bootstrap import ensure_reference_data

    store = get_store(db, reference=False)
    loaded = ensure_reference_data(store, progress=True, force=force)
    console.print(f"store {store.url} at revision {store.current_revision()}; loaded: {', '.join(loaded) or 'nothing new'}")


@app.command("status")
def status(db: DbOpt = None) -> None:
    """各表行数 / row counts of every table."""
    store = get_store(db, reference=False)
    table = Table("table", "rows", title=f"{store.url} @ {store.current_revision()}")
    with store.session() as s:
        for name, t in sorted(Base.metadata.tables.items()):
            table.add_row(name, str(s.scalar(select(func.count()).select_from(t))))
    console.print(table)
