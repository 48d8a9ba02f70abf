"""``chainatlas regions``: look up administrative divisions and parks."""

from __future__ import annotations

import typer
from rich.table import Table
from sqlalchemy import select

from chainatlas.cli.common import DbOpt, console, fail, get_store
from chainatlas.regions import RegionIndex
from chainatlas.store.models import Park

app = typer.Typer(help="行政区划与园区 / regions and parks.", no_args_is_help=True)


@app.command("find")
def find(query: str = typer.Argument(..., help="名称、简称或行政区划代码 / name, short name or adcode"),
         db: DbOpt = None) -> None:
    """查找地区并显示上级 / find a region and show its parent chain."""
    store = get_store(db)
    with store.session() as s:
        index = RegionIndex(s)
        hits = index.find(query)
        park = index.find_park(query)
        if not hits and park is None:
            raise fail(f"E211: 没有找到 / no region or park named {query!r}")
        table = Table("adcode", "名称 name", "级别 level", "上级 parents")
        for h in hits:
            table.add_row(h.adcode, h.name, h.level, " › ".join(p.name for p in index.parents(h.adcode)[1:]))
        if park is not None:
            chain = " › ".join(p.name for p in index.parents(park.region_adcode))
            table.add_row(park.region_adcode, f"{park.name} (园区 park)", park.kind, chain)
        console.print(table)


@app.command("parks")
def parks(region: str | None = typer.Option(None, help="只看某地区 / only in this region"), db: DbOpt = None) -> None:
    """列出园区 / list parks."""
    store = get_store(db)
    with store.session() as s:
        index = RegionIndex(s)
        codes = set(index.descendants(index.get(region).adcode)) if region else None
        table = Table("园区 park", "类型 kind", "地区 region", "别名 aliases")
        for p in s.scalars(select(Park).order_by(Park.region_adcode, Park.name)):
            if codes is None or p.region_adcode in codes:
                table.add_row(p.name, p.kind, index.by_code[p.region_adcode].name, "、".join(p.aliases))
        console.print(table)
