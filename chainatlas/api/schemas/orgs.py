"""Organization list rows, profile and edits."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chainatlas.api.schemas.common import PageInfo


class NodeRef(BaseModel):
    id: str
    name: str


class OrgRow(BaseModel):
    id: int
    name: str
    uscc: str | None = None
    kind: str
    region_adcode: str | None = None
    region_name: str | None = None
    park_id: int | None = Field(None, ge=1, le=2**63 - 1)
    park_name: str | None = None
    revenue_wan: float | None = Field(None, description="latest 营业收入 in 万元")
    revenue_text: str | None = Field(None, description="revenue as Chinese readers read it, e.g. 12.3亿元")
    revenue_undated: bool = Field(False, description="the revenue shown carries no year (年度未知)")
    tiers: list[str] = []
    nodes: list[NodeRef] = []
    is_candidate: bool = False
    synthetic: bool = False


class OrgPage(BaseModel):
    page: PageInfo
    items: list[OrgRow]


class TierOut(BaseModel):
    label: str
    issuer: str | None = None
    year: int | None = None
    expires: int | None = None
    source: str | None = None


class FigureOut(BaseModel):
    year: int | None = Field(None, description="null: the list gave no year (年度未知); never compared year on year")
    kind: str
    value: float
    unit: str
    source: str | None = None
    undated: bool = False


class PlacementOut(BaseModel):
    """A chain node the organization is placed on, and why."""

    id: str
    name: str
    subchain: str | None = None
    stage: str | None = None
    source: str = Field(description="basis: code (行业代码) | product (主营产品/经营范围) | name | manual (an analyst) "
                                    "| registry (a chain-node column) | news | keyword")
    confidence: float
    basis: str | None = Field(None, description="what matched, e.g. 行业代码 C2740 中成药生产")


class PlacementEdit(BaseModel):
    node: str = Field(description="chain node id or name (疫苗, bio.vaccine)")


class RelationOut(BaseModel):
    type: str
    direction: str = Field(description="out: this organization → other; in: other → this organization")
    other_id: int
    other_name: str
    source: str | None = None
    evidence: str | None = None
    weight: float | None = None
    date: str | None = None


class Sentence(BaseModel):
    before: str
    match: str
    after: str


class MentionOut(BaseModel):
    document_id: int
    title: str | None = None
    published_at: str | None = None
    surface: str
    sentence: Sentence
    start: int
    end: int


class OrgProfile(BaseModel):
    id: int
    name: str
    uscc: str | None = None
    kind: str
    region_adcode: str | None = None
    region: list[dict] = Field([], description="the region and its parents, most specific first")
    park: dict | None = None
    founded: str | None = None
    listing_code: str | None = None
    industry_code: str | None = None
    is_candidate: bool = False
    synthetic: bool = False
    source: str | None = None
    aliases: list[str] = []
    tiers: list[TierOut] = []
    figures: list[FigureOut] = []
    nodes: list[PlacementOut] = []
    relations: list[RelationOut] = []
    events: list[dict] = []
    mentions: list[MentionOut] = []


NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL: refused as invalid input, not a 500


class OrgEdit(BaseModel):
    """Basic fields an analyst may correct; omitted fields stay as they are."""

    name: str | None = Field(None, min_length=2, max_length=200, pattern=NO_NUL)
    uscc: str | None = Field(None, description="18-character 统一社会信用代码 (check digit validated); empty to clear")
    kind: str | None = Field(None, max_length=32, pattern=NO_NUL)
    region_adcode: str | None = Field(None, pattern=r"^\d{6}$")
    park_id: int | None = Field(None, ge=1, le=2**63 - 1)
    listing_code: str | None = Field(None, max_length=64, pattern=NO_NUL)
    founded: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$")
