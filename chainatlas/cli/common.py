"""What every command shares: the --db option, opening the store, rich output."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from chainatlas.errors import ChainAtlasError
from chainatlas.settings import default_db_url
from chainatlas.store import Store, open_store

if TYPE_CHECKING:
    from chainatlas.ingest.pipeline import IngestReport

console = Console()
err_console = Console(stderr=True)

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="CHAINATLAS_DB",
        help="数据库 URL / database URL: sqlite:///file.db (默认 ./chainatlas.db) 或 postgresql+psycopg://…",
        show_default=False,
    ),
]


def get_store(db: str | None, *, reference: bool = True) -> Store:
    """Open (and migrate) the store; load bundled reference data when missing or changed."""
    try:
        store = open_store(db or default_db_url())
        if reference:
            from chainatlas.bootstrap import ensure_reference_data

            ensure_reference_data(store, progress=True)
    except ChainAtlasError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    return store


JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")]


def print_json(obj: object) -> None:
    """A command's JSON answer on stdout alone (progress bars and notices go to stderr)."""
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def print_ingest_report(report: IngestReport, *, as_json: bool) -> typer.Exit:
    """The ingest report as JSON or a summary line and a table of rejected inputs; the exit code."""
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        console.print(ingest_summary(report))
        if report.rejected:
            table = Table("code", "文件 input", "原因 reason", title="被拒绝的输入 / rejected inputs")
            for r in report.rejected:
                table.add_row(r.code, r.where, r.reason)
            err_console.print(table)
    return typer.Exit(report.exit_code)


def ingest_summary(report: IngestReport) -> str:
    """One line an office reads: what went in, what was already there, what was refused."""
    return (f"文件 files {report.files} · 新文档 new {report.documents} · 未变 unchanged {report.unchanged} · "
            f"近重复 near-duplicates {report.near_duplicates} · 拒绝 rejected {len(report.rejected)} · "
            f"{report.bytes / 1024:.0f} KB，用时 {report.seconds:.1f} 秒")


def fail(message: str, code: int = 2) -> typer.Exit:
    err_console.print(f"[red]{message}[/red]")
    return typer.Exit(code)
