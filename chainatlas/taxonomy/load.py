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
from rich.progress import track
from sqlalchemy import delete
from sqlalchemy.orm import Session

from chainatlas.errors import TaxonomyError
from chainatlas.settings import DATA_DIR
from chainatlas.store.models import ChainNode, NodeCode, NodeInput, NodeKeyword, OfficialCode

TAXONOMY_DIR = DATA_DIR / "taxonomy"
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
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
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
    for path in sorted(directory.glob("nodes/*.yaml")):
        data = _read_yaml(path)
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
    return problems


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
    items = track(ordered, description="产业链节点 taxonomy") if progress else ordered
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
    for stale in existing_nodes.values():
        session.delete(stale)
    session.flush()
    return tax


def _depth(tax: Taxonomy, node: NodeDef) -> int:
    depth, cur = 0, node
    while cur.parent:
        depth += 1
        cur = tax.nodes[cur.parent]
    return depth
