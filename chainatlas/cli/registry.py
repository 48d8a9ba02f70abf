"""``chainatlas import …``, ``chainatlas export …`` and ``chainatlas orgs …``: the enterprise registry."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from chainatlas.cli.common import DbOpt, console, fail, get_store
from chainatlas.errors import ChainAtlasError
from chainatlas.regions import RegionIndex
from chainatlas.store.models import Organization, OrganizationAlias, Park, Relation

import_app = typer.Typer(help="导入 / import data: 企业名录 organizations, 关系 relations, 示例 sample.",
                         no_args_is_help=True)
export_app = typer.Typer(help="导出 / export data as Excel.", no_args_is_help=True)
orgs_app = typer.Typer(help="企业名录 / the enterprise registry: list, show.", no_args_is_help=True)

MapOpt = Annotated[
    list[str] | None,
    typer.Option("--map", "-m", help="列映射 / column mapping 'Excel列=字段', e.g. --map '企业全名=企业名称' "
                                     "--map 'Revenue=revenue' (repeatable)"),
]


def _progress() -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True)


def _problems_table(title: str, problems: list, limit: int) -> Table:  # type: ignore[type-arg]
    table = Table(title=title, title_justify="left")
    for head in ("行 row", "企业名称 name", "字段 field", "原因 reason", "代码 code"):
        table.add_column(head, overflow="fold")
    for p in problems[:limit]:
        where = f"{p.sheet}!{p.row}" if getattr(p, "sheet", None) else str(p.row)
        table.add_row(where, p.name or "", p.field or "", p.reason, p.code)
    if len(problems) > limit:
        table.caption = f"… {len(problems) - limit} more (--show N)"
    return table


@import_app.command("orgs")
def import_orgs_cmd(
    file: Path = typer.Argument(..., help="企业名录 .xlsx 或 .csv / an enterprise list (.xlsx or .csv)"),
    mapping: MapOpt = None,
    source: str | None = typer.Option(None, help="来源 (默认文件名) / source recorded on rows without a 来源 column"),
    year: int | None = typer.Option(None, help="数据年度 (表中无年度列时) / year of the figures when the file has none"),
    synthetic: bool = typer.Option(False, help="标记为合成数据 / flag every row as synthetic"),
    dry_run: bool = typer.Option(False, "--dry-run", help="只校验不写入 / validate only, store nothing"),
    show: int = typer.Option(50, help="最多显示多少条错误 / how many row errors to print"),
    db: DbOpt = None,
) -> None:
    """导入企业名录 / import an enterprise list: validated, atomic, idempotent."""
    from chainatlas.registry.importer import import_orgs

    store = get_store(db)
    with _progress() as progress:
        task = progress.add_task(f"导入 {file.name}", total=None)

        def tick(done: int, total: int | None) -> None:
            progress.update(task, completed=done, total=total)

        try:
            report = import_orgs(store, file, mapping, source, year=year, synthetic=synthetic or None,
                                 dry_run=dry_run, progress=tick)
        except ChainAtlasError as exc:
            raise fail(str(exc)) from exc
    if report.ignored_columns:
        console.print(f"[yellow]未识别的列 / ignored columns:[/yellow] {'、'.join(report.ignored_columns)} "
                      f"(use --map '列名=字段')")
    if report.errors:
        console.print(_problems_table(f"未导入的行 / rejected rows ({report.rejected})", report.errors, show))
    if report.warnings:
        console.print(_problems_table(f"提示 / warnings ({len(report.warnings)})", report.warnings, show))
    for note in report.notes:
        console.print(f"[yellow]注意 / note:[/yellow] {escape(note)}", highlight=False)
    sheets = f" [{'、'.join(report.sheets)}]" if len(report.sheets) > 1 else ""
    summary = Table("行 rows", "新建 created", "更新 updated", "未变 unchanged", "拒绝 rejected",
                    "年度未知 undated", "链上定位 placed",
                    title=f"{file.name}{sheets}{' (dry run: nothing stored)' if dry_run else ''}", title_justify="left")
    s = report.summary()
    placed = f"{s['placed']}" + (f" ({', '.join(f'{k} {v}' for k, v in sorted(report.placements.items()))})"
                                 if report.placements else "")
    summary.add_row(*(str(s[k]) for k in ("rows", "created", "updated", "unchanged", "rejected", "undated")), placed)
    console.print(summary)


@import_app.command("relations")
def import_relations_cmd(
    file: Path = typer.Argument(..., help="关系表 .csv: 源企业,关系,目标企业,日期,权重,来源,证据"),
    source: str | None = typer.Option(None, help="来源 / default source"),
    db: DbOpt = None,
) -> None:
    """导入企业间关系 / import relations between registry organizations."""
    from chainatlas.registry.relations import import_relations

    store = get_store(db)
    try:
        report = import_relations(store, file, source)
    except ChainAtlasError as exc:
        raise fail(str(exc)) from exc
    if report.errors:
        console.print(_problems_table("未导入的行 / rejected rows", report.errors, 50))
    console.print(f"relations: {report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
                  f"{report.rejected} rejected")


@import_app.command("sample")
def import_sample_cmd(
    synthetic: bool = typer.Option(False, help="同时导入合成演示数据 / also load the flagged synthetic rows"),
    db: DbOpt = None,
) -> None:
    """导入内置示例名录 / load the bundled sample registry (real organizations of several clusters)."""
    from chainatlas.registry.sample import load_sample

    store = get_store(db)
    try:
        report = load_sample(store, synthetic=synthetic)
    except ChainAtlasError as exc:
        raise fail(str(exc)) from exc
    s = report.orgs.summary()
    console.print(f"organizations: {s['created']} created, {s['updated']} updated, {s['unchanged']} unchanged; "
                  f"relations: {report.relations.created} created, {report.relations.unchanged} unchanged")
    if report.synthetic is not None:
        console.print(f"synthetic (flagged) rows: {report.synthetic.stored}")


@export_app.command("orgs")
def export_orgs_cmd(
    xlsx: Path = typer.Option(..., "--xlsx", help="输出文件 / output .xlsx file"),
    region: str | None = typer.Option(None, help="地区或园区 / region or park (含下级 / with everything below)"),
    node: str | None = typer.Option(None, help="产业链环节 / chain node id or name"),
    tier: str | None = typer.Option(None, help="资质 / tier, e.g. 专精特新小巨人, 上市, 规上"),
    real_only: bool = typer.Option(False, "--real-only", help="不含合成数据 / leave out synthetic rows"),
    db: DbOpt = None,
) -> None:
    """导出企业名录为 Excel / export the registry as an .xlsx an office can circulate (and re-import)."""
    from chainatlas.registry.exporter import ExportFilters, export_orgs

    store = get_store(db)
    filters = ExportFilters(region=region, node=node, tier=tier, synthetic=False if real_only else None)
    with _progress() as progress:
        task = progress.add_task(f"导出 {xlsx.name}", total=None)
        try:
            count = export_orgs(store, xlsx, filters,
                                progress=lambda done, total: progress.update(task, completed=done, total=total))
        except ChainAtlasError as exc:
            raise fail(str(exc)) from exc
    console.print(f"{count} organizations → {xlsx}")


@orgs_app.command("list")
def list_cmd(
    region: str | None = typer.Option(None, help="地区或园区 / region or park"),
    tier: str | None = typer.Option(None, help="资质 / tier"),
    node: str | None = typer.Option(None, help="产业链环节 / chain node"),
    limit: int = typer.Option(100, help="最多显示 / at most this many rows"),
    db: DbOpt = None,
) -> None:
    """列出企业 / list organizations."""
    from chainatlas.registry.exporter import ExportFilters, build_query
    from chainatlas.registry.nodes import NodeResolver
    from chainatlas.registry.places import PlaceResolver

    store = get_store(db)
    with store.session() as s:
        index = RegionIndex(s)
        resolver = NodeResolver(s, use_index=False)
        try:
            stmt = build_query(s, ExportFilters(region=region, node=node, tier=tier), index, resolver)
        except ChainAtlasError as exc:
            raise fail(str(exc)) from exc
        total = s.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        places = PlaceResolver(index)
        table = Table(title=f"{total} organizations", title_justify="left")
        # Fold rather than cut: a truncated company name is a different company to the reader.
        for head in ("id", "企业名称 name", "地区 region", "上市 listing", "资质 tiers", "环节 nodes"):
            table.add_column(head, overflow="fold")
        for org in s.scalars(stmt.options(selectinload(Organization.tiers), selectinload(Organization.nodes))
                             .limit(limit)):
            table.add_row(str(org.id), org.name + (" [dim](合成)[/dim]" if org.synthetic else ""),
                          places.full_name(org.region_adcode) if org.region_adcode else "",
                          org.listing_code or "", "、".join(sorted({t.label for t in org.tiers})),
                          "、".join(resolver.name(n.node_id) for n in org.nodes))
        console.print(table)


def find_org(session, ref: str) -> Organization | None:  # type: ignore[no-untyped-def]
    """An organization by id, 统一社会信用代码, 证券代码 (603259), name, alias or a unique part of
    its name (泰邦, 奥浦迈); several firms matching a part are listed and none is picked."""
    from chainatlas.registry.names import normalize_name
    from chainatlas.search.service import organizations_containing

    ref = ref.strip()
    if ref.isdigit() and len(ref) in (4, 5, 6):  # A-share 6, HK 4-5 digits: a stock code before an id
        listed = session.scalars(select(Organization).where(Organization.listing_code.like(f"%{ref}.%"))
                                 .order_by(Organization.id)).first()
        if listed is not None:
            return listed
    if ref.isdigit() and len(ref) < 18:
        return session.get(Organization, int(ref))
    key = normalize_name(ref)
    exact = session.scalars(
        select(Organization).where(or_(Organization.uscc == ref.upper(), Organization.name_key == key,
                                       Organization.id.in_(select(OrganizationAlias.organization_id)
                                                           .where(OrganizationAlias.alias_key == key))))
        .order_by(Organization.id)).first()
    if exact is not None:
        return exact
    ids = organizations_containing(session, ref, limit=10)
    if len(ids) > 1:
        names = session.scalars(select(Organization.name).where(Organization.id.in_(ids))).all()
        raise fail(f"「{ref}」对应多家机构，请写全称或 id / several organizations match:\n  " + "\n  ".join(names))
    return session.get(Organization, ids[0]) if ids else None


@orgs_app.command("show")
def show_cmd(ref: str = typer.Argument(..., help="名称、简称、统一社会信用代码或 id / name, alias, USCC or id"),
             db: DbOpt = None) -> None:
    """企业详情 / one organization: identity, aliases, tiers, figures, chain nodes, relations."""
    from chainatlas.registry.nodes import NodeResolver
    from chainatlas.registry.places import PlaceResolver
    from chainatlas.registry.values import KIND_LABELS

    store = get_store(db)
    with store.session() as s:
        org = find_org(s, ref)
        if org is None:
            raise fail(f"E371: 没有找到 / no organization {ref!r}")
        places = PlaceResolver(RegionIndex(s))
        resolver = NodeResolver(s, use_index=False)
        ident = Table.grid(padding=(0, 2))
        park = s.get(Park, org.park_id) if org.park_id else None
        for label, value in (
            ("名称 name", org.name + (" (合成数据 synthetic)" if org.synthetic else "")),
            ("id", str(org.id)), ("统一社会信用代码", org.uscc or "—"), ("类型 kind", KIND_LABELS.get(org.kind, org.kind)),
            ("地区 region", f"{places.full_name(org.region_adcode)} ({org.region_adcode})" if org.region_adcode else "—"),
            ("园区 park", park.name if park else "—"), ("行业代码", org.industry_code or "—"),
            ("成立日期", str(org.founded or "—")), ("上市代码", org.listing_code or "—"),
            ("别名 aliases", "、".join(f"{a.alias}({a.kind})" for a in org.aliases) or "—"),
            ("来源 source", org.source or "—"),
        ):
            ident.add_row(f"[bold]{label}[/bold]", value)
        console.print(ident)
        if org.tiers:
            t = Table("资质 tier", "年度 year", "到期 expires", "颁发 issuer", "来源 source", title="资质 tiers",
                      title_justify="left")
            for tier in org.tiers:
                t.add_row(tier.label, str(tier.year_granted or ""), str(tier.expires or ""), tier.issuer or "",
                          tier.source or "")
            console.print(t)
        if org.figures:
            t = Table("年度 year", "指标 figure", "数值 value", "单位 unit", "来源 source", title="指标 figures",
                      title_justify="left")
            names = {"revenue": "营业收入", "output": "产值", "tax": "税收", "rnd": "研发投入", "employees": "员工"}
            for f in sorted(org.figures, key=lambda f: (f.year is not None, -(f.year or 0), f.kind)):
                t.add_row(str(f.year) if f.year is not None else "[yellow]年度未知 year unknown[/yellow]",
                          names.get(f.kind, f.kind), f"{f.value:,.2f}", f.unit, f.source or "")
            console.print(t)
        if org.nodes:
            t = Table("环节 node", "依据 basis", "置信度 confidence", "说明 detail", title="产业链环节 chain placements",
                      title_justify="left")
            for n in sorted(org.nodes, key=lambda n: -n.confidence):
                t.add_row(f"{resolver.name(n.node_id)} ({n.node_id})", n.source, f"{n.confidence:.2f}", n.basis or "")
            console.print(t)
        rels = s.execute(select(Relation, Organization.name).join(
            Organization, or_(
                (Relation.target_id == Organization.id) & (Relation.source_id == org.id),
                (Relation.source_id == Organization.id) & (Relation.target_id == org.id)))).all()
        if rels:
            t = Table("关系 relation", "对方 other", "日期 date", "证据 evidence", title="关系 relations",
                      title_justify="left")
            for rel, other in rels:
                arrow = f"{rel.type} →" if rel.source_id == org.id else f"← {rel.type}"
                t.add_row(arrow, other, str(rel.date or ""), rel.evidence or "")
            console.print(t)
