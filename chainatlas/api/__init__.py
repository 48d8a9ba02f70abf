"""REST API (FastAPI): thin adapters over the capability packages, one router per resource."""
