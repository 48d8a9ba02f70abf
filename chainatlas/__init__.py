"""ChainAtlas 大健康产业链图谱平台: one knowledge graph for a big-health industry cluster."""

__version__ = "0.1.0"
