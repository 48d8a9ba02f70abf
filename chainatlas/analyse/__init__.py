"""Chain analysis: coverage, 断链/卡点/堵点, 链主, ladder, corridors, compare, indicators.

Pure functions over ``ChainData`` (``analyse.data``), which a fixed number of set-based
queries fill; ``report.chain_report`` puts the sections together.
"""

from chainatlas.analyse.compare import compare_regions, corridors_for
from chainatlas.analyse.report import chain_report
from chainatlas.analyse.scope import Scope, resolve_scope
from chainatlas.analyse.targets import load_targets

__all__ = ["Scope", "chain_report", "compare_regions", "corridors_for", "load_targets", "resolve_scope"]
