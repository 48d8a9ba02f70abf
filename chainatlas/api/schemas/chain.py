"""Response models of the chain endpoints (``/api/chain/…``).

Findings are typed where the web UI reads fields; ``evidence`` blocks share one shape
(organizations → relations → documents) so a chart can drill down the same way everywhere.
Extra keys are allowed so the analysis can grow without breaking clients.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class OrgRef(Open):
    id: int
    name: str
    region_adcode: str | None = None
    local: bool | None = None
    revenue: float | None = Field(None, description="营业收入, 万元 (latest year)")
    revenue_year: int | None = None
    tiers: list[str] = []


class DocumentRef(Open):
    evidence_id: int | None = None
    text: str | None = None
    document_id: int | None = None
    title: str | None = None
    url: str | None = None
    published_at: str | None = None


class RelationRef(Open):
    id: int
    type: str
    supplier_id: int
    supplier: str | None = None
    customer_id: int
    customer: str | None = None
    source: str | None = None
    evidence: str | None = None
    evidence_id: int | None = None
    date: str | None = None
    document: DocumentRef | None = None


class Evidence(Open):
    organizations: list[OrgRef] = []
    organization_count: int = 0
    relations: list[RelationRef] = []
    relation_count: int = 0
    documents: list[DocumentRef] = []
    document_count: int = 0


class RegionRef(Open):
    key: str
    name: str
    level: str
    adcode: str
    park_id: int | None = None


class NodeRef(BaseModel):
    id: str
    name: str


class NodeRow(Open):
    id: str
    name: str
    subchain: str
    stage: str
    parent_id: str | None = None
    organization_count: int
    direct_count: int
    revenue: float
    revenue_year: int | None = None
    tiers: dict[str, int] = {}
    reference_count: int
    expected_count: float | None = None
    location_quotient: float | None = None
    needed: bool
    status: str = Field(description="strong | present | weak | gap | not_needed")
    evidence: Evidence


class ReportNodeRow(NodeRow):
    top_organizations: list[OrgRef] = []


class Candidate(OrgRef):
    related: bool = False
    relations: list[int] = []
    reason: str | None = None


class Gap(Open):
    node_id: str
    name: str
    subchain: str
    stage: str
    needed_by_nodes: list[NodeRef]
    needed_by_count: int
    needed_by_revenue: float
    national_count: int
    why: str
    candidates: list[Candidate]
    priority: dict | None = None  # {score, rank, parts: [{factor, label, points, detail}]}
    top_candidates: list[str] = []
    evidence: Evidence


class ChokePoint(Open):
    node_id: str
    name: str
    subchain: str
    stage: str
    kinds: list[str] = Field(description="few | concentrated | external_supply")
    why: str
    organization_count: int
    top_share: float | None = None
    hhi: float | None = None
    holders: list[OrgRef]
    candidates: list[Candidate]
    evidence: Evidence


class Bottleneck(Open):
    node_id: str
    name: str
    voices: int
    cues: list[str]
    also_gap: bool
    why: str
    evidence: Evidence


class Leader(Open):
    rank: int
    id: int
    name: str
    score: float
    revenue: float | None = None
    revenue_year: int | None = None
    tiers: list[str]
    links: int
    local_links: int
    nodes: list[NodeRef]
    mentions: int = 0
    subsidiaries: int = 0
    signals: dict[str, float | None] = {}  # each in [0, 1]; revenue None when unknown
    missing: list[str] = []  # signals without data, e.g. 无营收数据
    reason: str
    evidence: Evidence


class LadderTier(Open):
    label: str
    count: int
    inferred: int = 0  # 规上 holders counted by revenue over the line, not from a 规上 list
    organizations: list[OrgRef]
    evidence: Evidence


class NearRung(OrgRef):
    next_rung: str
    why: str


class Ladder(Open):
    year: int | None = None
    enterprises: int = 0
    tiers: list[LadderTier] = []
    near_next_rung: list[NearRung] = []
    guishang_revenue: float = 0


class RegionName(BaseModel):
    key: str | None = None
    name: str


class Corridor(Open):
    kind: str = Field(description="relation | potential")
    from_region: RegionName
    to_region: RegionName
    from_node: NodeRef | None = None
    to_node: NodeRef | None = None
    relations: int
    why: str | None = None
    evidence: Evidence


class IndicatorYear(Open):
    year: int
    actual: float
    growth: float | None = None
    expected_growth: float | None = None
    on_track: bool | None = None


class ReportedFigure(Open):
    """A figure the region's own news states for the indicator, in the indicator's unit."""
    subject: str
    value: float
    year: int | None = None
    text: str
    document_id: int
    title: str | None = None
    published_at: str | None = None


class Indicator(Open):
    indicator: str
    label: str
    unit: str
    target_year: int
    target: float | None = None  # None: a multiple of a baseline the store cannot give (无基期数据)
    target_multiple: float | None = None
    baseline_year: int
    baseline_year_stated: bool = True
    baseline: float | None = None
    baseline_missing: bool = False
    has_registry_data: bool = True
    reported: list[ReportedFigure] = []
    coverage: str | None = None
    registry_baseline: float
    registry_coverage: float | None = None
    source: str | None = None
    progress: list[IndicatorYear]
    note: str
    evidence: Evidence


class ChainReport(Open):
    region: RegionRef
    year: int | None = None
    denominator: dict
    summary: dict
    nodes: list[ReportNodeRow]
    links: list[dict]
    gaps: list[Gap]
    choke_points: list[ChokePoint]
    bottlenecks: list[Bottleneck]
    leaders: list[Leader]
    ladder: Ladder | dict
    corridors: list[Corridor]
    indicators: list[Indicator]
    notes: list[str]


class Page(BaseModel, Generic[T]):
    total: int
    limit: int
    offset: int
    items: list[T]


class MapNode(BaseModel):
    id: str
    name: str
    subchain: str
    stage: str
    parent_id: str | None = None
    organization_count: int
    revenue: float
    location_quotient: float | None = None
    status: str
    category: str = Field(description="subchain, for the ECharts legend")
    value: int = Field(description="organization count, for symbol size")


class MapLink(BaseModel):
    source: str
    target: str
    active: bool = Field(description="both ends present locally: the link runs inside the region")
    gap: bool = Field(description="the source is a gap of the region")
    value: int = Field(1, description="link width for a sankey: local organizations on the target node (≥1)")


class ChainMap(BaseModel):
    region: RegionRef
    year: int | None = None
    nodes: list[MapNode]
    links: list[MapLink]
    statuses: dict[str, int]


class NodeDetail(Open):
    region: RegionRef
    year: int | None = None
    node: NodeRow
    organizations: Page[OrgRef]
    suppliers_into_region: list[RelationRef]
    candidates: list[Candidate]


class CompareCell(Open):
    organization_count: int
    revenue: float
    location_quotient: float | None = None
    status: str


class CompareRow(Open):
    id: str
    name: str
    subchain: str
    stage: str
    regions: list[CompareCell]
    leader: str | None = None


class CompareResult(BaseModel):
    regions: list[dict]
    nodes: Page[CompareRow]
