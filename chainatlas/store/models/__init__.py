"""All tables. Import from here so that Alembic sees the whole metadata."""

from . import trace  # noqa: F401  (EPCIS / traceability tables)
from .base import Base
from .chain import ChainNode, NodeCode, NodeInput, NodeKeyword, OfficialCode
from .document import (
    Document,
    Event,
    EvidenceSpan,
    IndicatorTarget,
    IngestIssue,
    IngestLock,
    Mention,
    Metric,
    SearchPending,
)
from .invest import (
    PROJECT_STAGES,
    TARGET_STATUSES,
    InvestTarget,
    InvestTargetNote,
    OrgSignal,
    Project,
    ProjectOrganization,
    ProjectStage,
)
from .market import MarketEvent, MarketMatch, MarketNeed, MarketNotice, MarketOffer
from .meta import ReferenceData
from .organization import (
    FIGURE_KINDS,
    NON_SUPPLY_KINDS,
    ORGANIZATION_KINDS,
    RELATION_TYPES,
    TIER_LABELS,
    Organization,
    OrganizationAlias,
    OrganizationNode,
    OrganizationNodeVeto,
    Relation,
    Tier,
    YearlyFigure,
)
from .region import Park, Region
from .standards import (  # 标准云享站
    Standard,
    StandardAdoption,
    StandardAlert,
    StandardChange,
    StandardImport,
    StandardNode,
    StandardReplacement,
    StandardWatch,
)
from .user import ROLES, AppUser, LoginThrottleEntry

__all__ = [
    "FIGURE_KINDS", "NON_SUPPLY_KINDS", "ORGANIZATION_KINDS", "RELATION_TYPES", "ROLES", "TIER_LABELS",
    "AppUser", "Base", "ChainNode", "Document", "Event", "EvidenceSpan", "IndicatorTarget", "IngestIssue",
    "LoginThrottleEntry",
    "MarketEvent", "MarketMatch", "MarketNeed", "MarketNotice", "MarketOffer",
    "Mention", "Metric", "NodeCode", "NodeInput", "NodeKeyword", "OfficialCode", "Organization",
    "OrganizationAlias", "OrganizationNode", "OrganizationNodeVeto", "Park", "ReferenceData", "Region", "Relation",
    "Tier", "YearlyFigure",
    "PROJECT_STAGES", "TARGET_STATUSES", "InvestTarget", "InvestTargetNote", "OrgSignal", "Project",
    "ProjectOrganization", "ProjectStage",
    "Standard", "StandardAdoption", "StandardAlert", "StandardChange", "StandardImport", "StandardNode",
    "StandardReplacement", "StandardWatch",
    "IngestLock", "SearchPending",
]
