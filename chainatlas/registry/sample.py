"""The bundled sample registry: real big-health organizations of several clusters, their relations,
and — only on request — clearly flagged synthetic rows for demo density.

``load_sample(store)`` is what ``chainatlas demo`` and the analysis tests call; it goes
through the same importer an office uses, so the sample is also the importer's largest
fixture. See ``data/registry/README.md`` for what the rows are and where they come from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from chainatlas.settings import DATA_DIR
from chainatlas.store import Store

from .importer import ImportReport, import_orgs
from .relations import RelationReport, import_relations

REGISTRY_DIR = DATA_DIR / "registry"
SAMPLE_ORGS = REGISTRY_DIR / "sample_orgs.csv"
SAMPLE_RELATIONS = REGISTRY_DIR / "sample_relations.csv"
SYNTHETIC_ORGS = REGISTRY_DIR / "synthetic_orgs.csv"


# Clusters the sample covers, by adcode prefix (prefecture or province). Rows outside them are
# the group parents and sister companies the relations need (恒瑞 in 连云港, 长春所 …).
CLUSTERS: dict[str, tuple[str, ...]] = {
    "泰州(中国医药城)": ("3212",),
    "京津冀": ("11", "12", "13"),
    "泰安": ("3709",),
    "鄂州葛店": ("4207",),
    "武汉光谷": ("4201",),
    "苏州": ("3205",),
    "上海": ("31",),
    "杭州": ("3301",),
    "成都": ("5101",),
    "深圳": ("4403",),
    "厦门": ("3502",),
}


def cluster_of(adcode: str | None) -> str:
    if adcode:
        for name, prefixes in CLUSTERS.items():
            if adcode.startswith(prefixes):
                return name
    return "其他(集团母公司等)"


def cluster_counts(store: Store, *, synthetic: bool = False) -> dict[str, int]:
    """Organizations per cluster — the figure the registry README and the issue note report."""
    from sqlalchemy import select

    from chainatlas.store.models import Organization

    counts: dict[str, int] = dict.fromkeys([*CLUSTERS, "其他(集团母公司等)"], 0)
    with store.session() as s:
        stmt = select(Organization.region_adcode).where(Organization.is_candidate.is_(False))
        if not synthetic:
            stmt = stmt.where(Organization.synthetic.is_(False))
        for adcode in s.scalars(stmt):
            counts[cluster_of(adcode)] += 1
    return counts


@dataclass
class SampleReport:
    orgs: ImportReport
    relations: RelationReport
    synthetic: ImportReport | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        # What the demo command prints: counts, not the reports' row-by-row detail.
        o, r = self.orgs, self.relations
        text = (f"{o.stored} organizations ({o.created} created, {o.updated} updated, {o.unchanged} unchanged), "
                f"{r.created + r.updated + r.unchanged} relations ({r.created} created)")
        if self.synthetic is not None:
            text += f", {self.synthetic.stored} synthetic rows (flagged)"
        return text + (f"; {len(self.problems)} problems" if self.problems else "")


def sample_files() -> list[Path]:
    return [p for p in (SAMPLE_ORGS, SAMPLE_RELATIONS, SYNTHETIC_ORGS) if p.exists()]


def load_sample(store: Store, *, synthetic: bool = False, strict: bool = True) -> SampleReport:
    """Import the sample organizations and relations (idempotent). With ``synthetic=True`` also the
    made-up demo rows, stored with ``synthetic = true``. ``strict`` raises when a bundled row is rejected,
    since a bundled file that does not import is a bug, not a user error."""
    orgs = import_orgs(store, SAMPLE_ORGS, source="ChainAtlas sample registry")
    syn = None
    if synthetic and SYNTHETIC_ORGS.exists():
        syn = import_orgs(store, SYNTHETIC_ORGS, source="synthetic demo row", synthetic=True)
    rels = import_relations(store, SAMPLE_RELATIONS, source="ChainAtlas sample relations")
    problems = [f"sample_orgs.csv row {e.row}: {e.reason}" for e in orgs.errors]
    problems += [f"sample_relations.csv line {e.row}: {e.reason}" for e in rels.errors]
    if syn is not None:
        problems += [f"synthetic_orgs.csv row {e.row}: {e.reason}" for e in syn.errors]
    report = SampleReport(orgs, rels, syn, problems)
    if strict and problems:
        from chainatlas.errors import ImportRowError

        raise ImportRowError("bundled sample does not import cleanly: " + "; ".join(problems[:5]), code="E380")
    return report
