"""Resolution: link extracted mentions to registry organizations and parks, create candidate
organizations for the unknown ones, and persist facts with their evidence."""

from .persist import persist

__all__ = ["persist"]
