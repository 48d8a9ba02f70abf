"""The small method set every extraction component shares (after spaCy's pipeline components):
a versioned ``name``, ``__call__`` on one document, ``initialize`` to load lexicons and models
before the first document (so worker processes start warm), and ``config`` describing it."""

from __future__ import annotations

from typing import Any


class Component:
    name = "component@1"

    def initialize(self) -> None:
        """Load lexicons (and models) now rather than on the first document."""

    def config(self) -> dict[str, Any]:
        return {"name": self.name}

    def __call__(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover - interface
        raise NotImplementedError
