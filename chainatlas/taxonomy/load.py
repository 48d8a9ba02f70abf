"""Read the versioned taxonomy YAML files and load them into the store.

Layout of ``data/taxonomy/``:
  codes/*.yaml  one official classification per file: scheme, version, source, codes[]
  nodes/*.yaml  one sub-chain per file: subchain id/name, nodes[] with stage, parent,
                codes (crosswalk, partial or full), keywords, inputs (nodes that feed it)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rich.console import Console
from rich.progress import track
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from chainatlas.errors import TaxonomyError
from chainatlas.settings import DATA_DIR
from chainatlas.store.models import ChainNode, NodeCode, NodeInput, NodeKeyword, OfficialCode

TAXONOMY_DIR = DATA_DIR / "taxonomy"
# libyaml's loader is ~10x faster on these files; the pure-Python one gives the same result.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
STAGES = ("upstream", "midstream", "downstream")


def taxonomy_files() -> list[Path]:
    return sorted(TAXONOMY_DIR.glob("codes/*.yaml")) + sorted(TAXONOMY_DIR.glob("nodes/*.yaml"))


def code_id(scheme: str, version: str, code: str) -> str:
    return f"{scheme}@{version}:{code}"


@dataclass
class CodeDef:
    id: str
    scheme: str
    version: str
    code: str
    name: str
    parent: str | None
    note: str | None
    source: str | None


@dataclass
class NodeDef:
    id: str
    name: str
    subchain: str
    subchain_name: str
    stage: str
    parent: str | None
    description: str | None
    codes: list[tuple[str, str]] = field(default_factory=list)  # (code id, full|partial)
    keywords: list[tuple[str, str]] = field(default_factory=list)  # (keyword, kind)
    inputs: list[tuple[str, str | None]] = field(default_factory=list)  # (from node id, note)
    no_code_reason: str | None = None
    order: int = 0


@dataclass
class Taxonomy:
    codes: dict[str, CodeDef]
    nodes: dict[str, NodeDef]
    subchains: dict[str, str]  # id → name


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"invalid YAML: {exc}", where=str(path.name), code="E201") from exc
    if not isinstance(data, dict):
        raise TaxonomyError("expected a mapping at top level", where=path.name, code="E201")
    return data


def read_taxonomy(directory: Path = TAXONOMY_DIR) -> Taxonomy:
    codes: dict[str, CodeDef] = {}
    for path in sorted(directory.glob("codes/*.yaml")):
        data = _read_yaml(path)
        scheme, version = data["scheme"], str(data["version"])
        for c in data["codes"]:
            cid = code_id(scheme, version, str(c["code"]))
            if cid in codes:
                raise TaxonomyError(f"duplicate code {cid}", where=path.name, code="E202")
            codes[cid] = CodeDef(cid, scheme, version, str(c["code"]), c["name"],
                                 str(c["parent"]) if c.get("parent") else None, c.get("note"),
                                 data.get("source"))
    nodes: dict[str, NodeDef] = {}
    subchains: dict[str, str] = {}
    order = 0
    # Sub-chains are shown in the order their files declare (化学药 first), not by file name.
    node_files = [(path, _read_yaml(path)) for path in sorted(directory.glob("nodes/*.yaml"))]
    node_files.sort(key=lambda pd: (int(pd[1].get("order", 999)), pd[0].name))
    for path, data in node_files:
        sub, sub_name = data["subchain"], data["name"]
        subchains[sub] = sub_name
        for n in data["nodes"]:
            order += 1
            nid = n["id"]
            if nid in nodes:
                raise TaxonomyError(f"duplicate node id {nid}", where=path.name, code="E203")
            node = NodeDef(
                id=nid, name=n["name"], subchain=sub, subchain_name=sub_name, stage=n.get("stage", ""),
                parent=n.get("parent"), description=n.get("description"),
                no_code_reason=n.get("no_code_reason"), order=order,
            )
            for c in n.get("codes") or []:
                ref = c if isinstance(c, str) else c["id"]
                corr = "full" if isinstance(c, str) else ("partial" if c.get("partial") else "full")
                node.codes.append((ref, corr))
            for kind, words in (n.get("keywords") or {}).items():
                node.keywords.extend((w, kind) for w in words)
            for i in n.get("inputs") or []:
                node.inputs.append((i, None) if isinstance(i, str) else (i["from"], i.get("note")))
            nodes[nid] = node
    tax = Taxonomy(codes, nodes, subchains)
    problems = validate(tax)
    if problems:
        raise TaxonomyError("; ".join(problems[:10]) + (" …" if len(problems) > 10 else ""), code="E204")
    return tax


def validate(tax: Taxonomy) -> list[str]:
    """Integrity rules: known stages, parents, codes and inputs; every node coded or excused."""
    problems: list[str] = []
    for n in tax.nodes.values():
        if n.stage not in STAGES:
            problems.append(f"{n.id}: stage {n.stage!r} not one of {STAGES}")
        if n.parent and n.parent not in tax.nodes:
            problems.append(f"{n.id}: unknown parent {n.parent}")
        for cid, _ in n.codes:
            if cid not in tax.codes:
                problems.append(f"{n.id}: unknown official code {cid}")
        if not n.codes and not n.no_code_reason:
            problems.append(f"{n.id}: no official code and no no_code_reason")
        for src, _ in n.inputs:
            if src not in tax.nodes:
                problems.append(f"{n.id}: unknown input node {src}")
            elif src == n.id:
                problems.append(f"{n.id}: feeds itself")
        # Column widths of the store (chain_node.name, node_keyword.keyword).
        if len(n.name) > 64 or len(n.id) > 64:
            problems.append(f"{n.id}: id or name longer than 64 characters")
        problems.extend(f"{n.id}: keyword {kw!r} longer than 64 characters" for kw, _ in n.keywords if len(kw) > 64)
    problems.extend(_keyword_clashes(tax))
    problems.extend(_parent_cycles(tax))
    cycle = input_cycle(tax)
    if cycle:
        problems.append("input links form a cycle: " + " → ".join(cycle))
    return problems


def _keyword_clashes(tax: Taxonomy) -> list[str]:
    """A keyword (or node name) must place text on one node only; case and width do not count."""
    owner: dict[str, str] = {}
    problems: list[str] = []
    for n in tax.nodes.values():
        for word in [n.name, *(kw for kw, _ in n.keywords)]:
            key = word.strip().casefold()
            other = owner.setdefault(key, n.id)
            if other != n.id:
                problems.append(f"{n.id}: keyword {word!r} already belongs to {other}")
    return problems


def _parent_cycles(tax: Taxonomy) -> list[str]:
    problems: list[str] = []
    for n in tax.nodes.values():
        seen, cur = {n.id}, n.parent
        while cur and cur in tax.nodes:
            if cur in seen:
                problems.append(f"{n.id}: parent chain loops through {cur}")
                break
            seen.add(cur)
            cur = tax.nodes[cur].parent
    return problems


def input_cycle(tax: Taxonomy) -> list[str] | None:
    """The first cycle in the input links, as a path that starts and ends on the same node.

    Gap analysis walks suppliers upstream; a cycle would make a node its own supplier."""
    feeds: dict[str, list[str]] = {nid: [] for nid in tax.nodes}
    for n in tax.nodes.values():
        for src, _ in n.inputs:
            if src in feeds:
                feeds[src].append(n.id)
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for root in tax.nodes:
        if state.get(root):
            continue
        path = [root]
        stack = [iter(feeds[root])]
        state[root] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(feeds[nxt]))
    return None


def load_taxonomy(session: Session, *, progress: bool = False) -> Taxonomy:
    """Replace the taxonomy tables with the data files' content (organization links are kept)."""
    tax = read_taxonomy()
    for model in (NodeKeyword, NodeInput, NodeCode):
        session.execute(delete(model))
    existing_codes = {c.id: c for c in session.query(OfficialCode)}
    for c in tax.codes.values():
        row = existing_codes.pop(c.id, None) or OfficialCode(id=c.id)
        row.scheme, row.version, row.code, row.name = c.scheme, c.version, c.code, c.name
        row.parent_code, row.note, row.source = c.parent, c.note, c.source
        session.add(row)
    for stale in existing_codes.values():
        session.delete(stale)
    existing_nodes = {n.id: n for n in session.query(ChainNode)}
    # Parents first so the self-referencing foreign key is satisfied on insert.
    ordered = sorted(tax.nodes.values(), key=lambda n: (_depth(tax, n), n.order))
    items = track(ordered, description="产业链节点 taxonomy", console=Console(stderr=True)) if progress else ordered
    for n in items:
        row = existing_nodes.pop(n.id, None) or ChainNode(id=n.id)
        row.name, row.subchain, row.stage, row.parent_id = n.name, n.subchain, n.stage, n.parent
        row.description, row.sort_order = n.description, n.order
        session.add(row)
        session.flush()
    for n in tax.nodes.values():
        session.add_all(NodeCode(node_id=n.id, code_id=cid, correspondence=corr) for cid, corr in n.codes)
        seen: set[str] = set()
        for kw, kind in n.keywords:
            if kw not in seen:
                seen.add(kw)
                session.add(NodeKeyword(node_id=n.id, keyword=kw, kind=kind))
        session.add_all(NodeInput(from_node_id=src, to_node_id=n.id, note=note) for src, note in n.inputs)
    _repoint_stale_references(session, existing_nodes, tax)
    # Children before parents: chain_node.parent_id has no ORM relationship to order the deletes.
    for stale in sorted(existing_nodes.values(), key=lambda r: _stale_depth(r, existing_nodes), reverse=True):
        session.delete(stale)
        session.flush()
    session.flush()
    return tax


def _repoint_stale_references(session: Session, stale: dict[str, ChainNode], tax: Taxonomy) -> None:
    """Move organizations and events off nodes the data files dropped, onto the nearest
    surviving ancestor (or off any node when none survives), so a reload never fails on
    the foreign keys and never silently loses an organization's placement."""
    from chainatlas.store.models import Event, OrganizationNode

    for node_id, row in stale.items():
        target, cur, seen = None, row.parent_id, {node_id}
        while cur and cur not in seen:
            if cur in tax.nodes:
                target = cur
                break
            seen.add(cur)
            cur = stale[cur].parent_id if cur in stale else None
        for link in session.scalars(select(OrganizationNode).where(OrganizationNode.node_id == node_id)):
            taken = target is not None and session.scalar(
                select(OrganizationNode.id).where(OrganizationNode.organization_id == link.organization_id,
                                                  OrganizationNode.node_id == target))
            if target is None or taken:
                session.delete(link)
            else:
                link.node_id = target
        session.execute(update(Event).where(Event.node_id == node_id).values(node_id=target))
    session.flush()


def _stale_depth(row: ChainNode, stale: dict[str, ChainNode]) -> int:
    depth, cur, seen = 0, row.parent_id, {row.id}
    while cur in stale and cur not in seen:
        seen.add(cur)
        depth += 1
        cur = stale[cur].parent_id
    return depth


def _depth(tax: Taxonomy, node: NodeDef) -> int:
    depth, cur = 0, node
    while cur.parent:
        depth += 1
        cur = tax.nodes[cur.parent]
    return depth
