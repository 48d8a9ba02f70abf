"""Pydantic response schemas, one module per resource, so OpenAPI documents every field."""
