"""The ``chainatlas`` command. Each command group lives in its own module."""

from __future__ import annotations

import typer

from chainatlas import __version__
from chainatlas.cli import (
    chain,
    db,
    demo,
    ingest,
    invest,
    market,
    news,
    projects,
    regions,
    serve,
    spark,
    standards,
    taxonomy,
    trace,
    user,
)
from chainatlas.cli.registry import export_app, import_app, orgs_app

app = typer.Typer(
    name="chainatlas",
    help="ChainAtlas 大健康产业链图谱平台 — industry-chain knowledge graph for big-health clusters.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

app.command("demo")(demo.demo)
app.add_typer(db.app, name="db")
app.add_typer(regions.app, name="regions")
app.add_typer(taxonomy.app, name="taxonomy")
app.command("ingest")(ingest.ingest)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.add_typer(orgs_app, name="orgs")
app.command("serve")(serve.serve)
app.add_typer(user.app, name="user")
app.add_typer(trace.app, name="trace")
app.add_typer(chain.app, name="chain")
app.add_typer(market.app, name="market")
app.add_typer(invest.app, name="invest")
app.add_typer(projects.app, name="projects")
app.add_typer(standards.app, name="standards")
app.add_typer(spark.app, name="spark")
news.register(app)  # extract, eval, docs


def _version(value: bool) -> None:
    if value:
        typer.echo(f"chainatlas {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="版本 / version"),
) -> None:
    """ChainAtlas 命令行 / command line."""


if __name__ == "__main__":
    app()
