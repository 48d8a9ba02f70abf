"""``chainatlas taxonomy``: show and search the chain taxonomy (sub-chains, nodes, codes).

These commands read the versioned data files directly, so they work before any database
exists; with ``--db`` they also say how many organizations a store places on each node
(``stats --db`` counts what the store holds, to check a load).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import typer
from rich.table import Table
from rich.tree import Tree
from sqlalchemy import func, select

from chainatlas.cli.common import DbOpt, console, fail, get_store
from chainatlas.store.models import (
    ChainNode,
    NodeCode,
    NodeInput,
    NodeKeyword,
    OfficialCode,
    OrganizationNode,
)
from chainatlas.taxonomy.index import TaxonomyIndex
from chainatlas.taxonomy.load import STAGES, NodeDef

app = typer.Typer(help="产业链图谱分类 / chain taxonomy: tree, find, codes, stats.", no_args_is_help=True)

STAGE_NAMES = {"upstream": "上游 upstream", "midstream": "中游 midstream", "downstream": "下游 downstream"}
SCHEME_SHORT = {"GB/T 4754": "", "健康产业统计分类": "健康", "战略性新兴产业分类": "战新"}
PARTIAL_MARK = "≈"


def short_code(code_id: str, correspondence: str = "full") -> str:
    """``GB/T 4754@2017:C2710`` → ``C2710``; ``战略性新兴产业分类@2018:4.1.2`` (partial) → ``≈战新4.1.2``."""
    scheme_version, _, code = code_id.partition(":")
    scheme = scheme_version.split("@", 1)[0]
    mark = PARTIAL_MARK if correspondence == "partial" else ""
    return f"{mark}{SCHEME_SHORT.get(scheme, scheme + ' ')}{code}"


def _node_label(n: NodeDef, orgs: dict[str, int] | None = None) -> str:
    codes = " ".join(short_code(c, corr) for c, corr in n.codes) or f"[dim]无代码: {n.no_code_reason}[/dim]"
    held = f"  [bold blue]{orgs.get(n.id, 0)} 家企业[/bold blue]" if orgs is not None else ""
    return (f"[bold]{n.name}[/bold] [dim]{n.id}[/dim]  "
            f"[green]{len(n.keywords)} 词[/green]  [cyan]{codes}[/cyan]{held}")


def _org_counts(db: str | None) -> dict[str, int] | None:
    """Organizations per chain node in the store named by ``--db`` (None without it)."""
    if db is None:
        return None
    with get_store(db).session() as s:
        rows = s.execute(select(OrganizationNode.node_id, func.count(func.distinct(OrganizationNode.organization_id)))
                         .group_by(OrganizationNode.node_id)).all()
    return {node_id: n for node_id, n in rows}


@app.command("tree")
def tree(
    subchain: str | None = typer.Option(None, "--subchain", "-s", help="只看一个子链 / one sub-chain id (chem, tcm, bio …)"),
    inputs: bool = typer.Option(False, "--inputs", help="显示每个节点的上游输入 / show what feeds each node"),
    db: DbOpt = None,
) -> None:
    """子链 → 环节 → 节点 (关键词数, 行业代码) / sub-chain → stage → nodes with keyword counts and codes."""
    idx = TaxonomyIndex.load()
    orgs = _org_counts(db)
    subs = [s for s in idx.subchains() if subchain in (None, s.id)]
    if not subs:
        raise fail(f"E206: 没有子链 / no sub-chain {subchain!r}; 可选 / one of: "
                   + ", ".join(s.id for s in idx.subchains()))
    root = Tree(f"[bold]大健康产业链[/bold]  ({PARTIAL_MARK} = 部分对应 partial correspondence)")
    for s in subs:
        branch = root.add(f"[bold magenta]{s.name}[/bold magenta] [dim]{s.id}[/dim]")
        for stage in STAGES:
            nodes = [idx.node(nid) for nid in s.node_ids if idx.node(nid).stage == stage]
            tops = [n for n in nodes if not n.parent or idx.node(n.parent).stage != stage
                    or idx.node(n.parent).subchain != s.id]
            if not tops:
                continue
            stage_branch = branch.add(f"[yellow]{STAGE_NAMES[stage]}[/yellow]")
            for n in tops:
                _add_subtree(idx, stage_branch, n, show_inputs=inputs, orgs=orgs)
    console.print(root)


def _add_subtree(idx: TaxonomyIndex, parent: Tree, n: NodeDef, *, show_inputs: bool,
                 orgs: dict[str, int] | None) -> None:
    branch = parent.add(_node_label(n, orgs))
    if show_inputs and n.inputs:
        branch.add("[dim]← " + "、".join(idx.node(src).name for src, _ in n.inputs) + "[/dim]")
    for child in idx.children(n.id):
        if child.stage == n.stage:
            _add_subtree(idx, branch, child, show_inputs=show_inputs, orgs=orgs)


@app.command("find")
def find(
    term: str = typer.Argument(..., help="产品、技术、环节名称或行业代码 / a product, technology, segment or code"),
    limit: int = typer.Option(10, "--limit", "-n", help="最多显示 / at most this many"),
    db: DbOpt = None,
) -> None:
    """查找术语所属的节点并说明原因 / find the nodes a term lands on, and why."""
    idx = TaxonomyIndex.load()
    hits = idx.find(term, limit=limit)
    orgs = _org_counts(db)
    if not hits:
        raise fail(f"E207: 没有节点匹配 / no chain node matches {term!r}")
    how_text = {"exact": "完全匹配 exact", "contains": "包含关键词 term contains keyword",
                "part_of": "关键词包含该词 keyword contains term", "code": "行业代码 official code"}
    table = Table("节点 node", "名称 name", "子链·环节 subchain·stage", "匹配 matched", "原因 why", "得分 score",
                  *(["企业 orgs"] if orgs is not None else []))
    for m in hits:
        table.add_row(m.node_id, m.name, f"{m.subchain}·{m.stage}", m.keyword, how_text.get(m.how, m.how),
                      f"{m.score:.2f}", *([str(orgs.get(m.node_id, 0))] if orgs is not None else []))
    console.print(table)


@app.command("codes")
def codes(code: str = typer.Argument(..., help="行业代码 (C2761, 2761, GB/T 4754@2017:C2761, 4.1.1) 或节点 id"),
          db: DbOpt = None) -> None:
    """行业代码及其对应节点, 或节点的行业代码 / an official code and its nodes, or a node's codes."""
    idx = TaxonomyIndex.load()
    orgs = _org_counts(db)
    node = idx.get(code.strip())
    if node is not None and not node.codes:
        console.print(f"{node.name} ({node.id}) 无官方代码 / no official code: {node.no_code_reason}")
        return
    if node is not None:
        table = Table("代码 code", "名称 name", "分类 scheme@version", "对应 correspondence",
                      title=f"{node.name} ({node.id}) 的行业代码 / official codes")
        for cid, corr in node.codes:
            c = idx.taxonomy.codes[cid]
            table.add_row(c.code, c.name, f"{c.scheme}@{c.version}", _corr_text(corr))
        console.print(table)
        return
    found = idx.codes(code)
    if not found:
        raise fail(f"E208: 没有这个行业代码或节点 / no official code or node {code!r}")
    for c in found:
        console.print(f"[bold]{c.code}[/bold] {c.name}  [dim]{c.scheme}@{c.version}[/dim]"
                      + (f"  上级 parent {c.parent}" if c.parent else ""))
        if c.note:
            console.print(f"  [dim]注 note: {c.note}[/dim]")
        matches = idx.by_code(c.id)
        if not matches:
            console.print("  [dim]没有节点对应 / no node crosswalks to it[/dim]")
            continue
        table = Table("节点 node", "名称 name", "经由代码 via code", "对应 correspondence",
                      *(["企业 orgs"] if orgs is not None else []))
        for m in matches:
            table.add_row(m.node_id, idx.node(m.node_id).name, short_code(m.code_id),
                          _corr_text("partial" if m.partial else "full"),
                          *([str(orgs.get(m.node_id, 0))] if orgs is not None else []))
        console.print(table)


def _corr_text(corr: str) -> str:
    return f"{PARTIAL_MARK} 部分 partial" if corr == "partial" else "完全 full"


@app.command("scan")
def scan(path: Path = typer.Argument(..., exists=True, dir_okay=False, help="UTF-8 文本文件 / a UTF-8 text file")) -> None:
    """扫描文档中的产业链关键词 / place a document's keyword hits on chain nodes."""
    idx = TaxonomyIndex.load()
    hits = idx.match_text(path.read_text(encoding="utf-8", errors="replace"))
    per_node = Counter(h.node_id for h in hits)
    words: dict[str, Counter[str]] = {}
    for h in hits:
        words.setdefault(h.node_id, Counter())[h.keyword] += 1
    table = Table("节点 node", "名称 name", "次数 hits", "关键词 keywords")
    for nid, count in per_node.most_common():
        table.add_row(nid, idx.node(nid).name, str(count),
                      "、".join(f"{w}×{c}" for w, c in words[nid].most_common(6)))
    console.print(table)


@app.command("stats")
def stats(
    as_json: bool = typer.Option(False, "--json", help="输出 JSON / print one JSON object"),
    db: DbOpt = None,
) -> None:
    """统计代码、节点、关键词、链接数 / counts of codes per scheme, nodes, keywords and links."""
    result = TaxonomyIndex.load().stats()
    if db:
        store = get_store(db)
        with store.session() as s:
            result["store"] = {
                "official_code": s.scalar(select(func.count()).select_from(OfficialCode)),
                "chain_node": s.scalar(select(func.count()).select_from(ChainNode)),
                "node_keyword": s.scalar(select(func.count()).select_from(NodeKeyword)),
                "node_input": s.scalar(select(func.count()).select_from(NodeInput)),
                "node_code": s.scalar(select(func.count()).select_from(NodeCode)),
            }
        store.dispose()
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    table = Table("项目 item", "数量 count", title="产业链分类统计 / taxonomy counts")
    for scheme, n in result["codes"].items():  # type: ignore[union-attr]
        table.add_row(f"官方代码 codes · {scheme}", str(n))
    for key, label in [("subchains", "子链 sub-chains"), ("nodes", "节点 nodes"), ("keywords", "关键词 keywords"),
                       ("links", "输入链接 input links"), ("crosswalks", "代码对应 crosswalks"),
                       ("crosswalks_partial", f"其中部分对应 partial ({PARTIAL_MARK})"),
                       ("nodes_without_code", "无代码节点 nodes with a stated reason")]:
        table.add_row(label, str(result[key]))
    for sub, n in result["nodes_per_subchain"].items():  # type: ignore[union-attr]
        table.add_row(f"  节点 · {sub}", str(n))
    for stage, n in result["nodes_per_stage"].items():  # type: ignore[union-attr]
        table.add_row(f"  节点 · {STAGE_NAMES[stage]}", str(n))
    if "store" in result:
        for table_name, n in result["store"].items():  # type: ignore[union-attr]
            table.add_row(f"数据库 store · {table_name}", str(n))
    console.print(table)
