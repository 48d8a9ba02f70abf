"""The store: the only place that opens database sessions."""

from .db import Store, open_store

__all__ = ["Store", "open_store"]
