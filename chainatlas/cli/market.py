"""``chainatlas market``: the supply–demand marketplace (科创供应链)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from chainatlas.cli.common import console, err_console
from chainatlas.errors import MarketError
from chainatlas.market.explain import result
from chainatlas.market.matching import OfferIndex, match
from chainatlas.market.posts import NEED_FIELDS, OFFER_FIELDS, read_jsonl
from chainatlas.market.vocab import vocabulary

app = typer.Typer(help="科创供应链：供需对接 / supply–demand marketplace.", no_args_is_help=True)


@app.command("match")
def match_cmd(
    needs: Path = typer.Argument(..., exists=True, dir_okay=False, help="需求 JSON Lines / needs, one per line"),
    offers: Path = typer.Option(..., "--offers", exists=True, dir_okay=False,
                                help="供给 JSON Lines / offers, one per line"),
    as_json: bool = typer.Option(False, "--json", help="每个需求一行 JSON / one JSON line per need"),
) -> None:
    """为每个需求排序供给并解释原因 / rank offers for each need, with explanations (no store needed)."""
    try:
        loaded_offers = read_jsonl(offers, OFFER_FIELDS)
        loaded_needs = read_jsonl(needs, NEED_FIELDS)
    except MarketError as exc:
        err_console.print(str(exc), style="red", markup=False)
        raise typer.Exit(2) from exc
    for exc in loaded_offers.errors + loaded_needs.errors:
        err_console.print(str(exc), style="yellow", markup=False, soft_wrap=True)
    vocab = vocabulary()
    index = OfferIndex(loaded_offers.rows, vocab)
    for row in loaded_needs.rows:
        out = result(vocab, match(index, row))
        if as_json:
            typer.echo(json.dumps(out, ensure_ascii=False))
            continue
        title = f"{out['need']} {row.get('title', '')}"
        if not out["ranking"]:
            console.print(f"[bold]{title}[/bold] — [red]无匹配 / no match[/red]: {out['message']}")
            rows = out["nearest"]
        else:
            console.print(f"[bold]{title}[/bold]")
            rows = out["explanations"]
        table = Table("供给 offer", "结论 verdict", "覆盖 covers", "满足 met", "不符 fails")
        for e in rows:
            table.add_row(e["offer"], e["label"], "、".join(e["covers"]), "；".join(e["met"][:4]),
                          "；".join(e["fails"]))
        console.print(table)
        for c in out["combination"]:
            console.print(f"  组合 combination: {c['part']} → {c['offer']}")
