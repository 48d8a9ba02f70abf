"""The extraction pipeline: body sentences → tokens → organizations, figures, events and
chain nodes. ``extract(prepared)`` is what ingest calls; components are small classes with
the same call shape, configured by the lexicons in ``data/lexicons``."""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from .chain import ChainPlacer
from .events import EventExtractor
from .metrics import MetricExtractor
from .orgs import OrganizationRecognizer
from .places import first_place, main_region
from .segments import assign_segments
from .tagger import Token, ner_tokens, pos_tokens
from .text import DocumentView, PlainDocument
from .types import Extraction


class Pipeline:
    def __init__(self, known_names: Iterable[str] | None = None, *, use_model: bool = True) -> None:
        self.use_model = use_model
        self.orgs = OrganizationRecognizer(list(known_names or []), use_model=use_model)
        self.metrics = MetricExtractor()
        self.events = EventExtractor()
        self.chain = ChainPlacer()

    @property
    def components(self) -> list[Any]:
        return [self.orgs, self.metrics, self.events, self.chain]

    def initialize(self) -> Pipeline:
        for component in self.components:
            component.initialize()
        return self

    def config(self) -> dict[str, Any]:
        return {"use_model": self.use_model, "components": [c.config() for c in self.components]}

    def __call__(self, prepared: Any) -> Extraction:
        view = DocumentView(prepared)
        sentences = list(view.sentences())
        pos: dict[int, list[Token]] = {s.start: pos_tokens(s.text, s.start) for s in sentences}
        ner: dict[int, list[Token]] = (
            {s.start: ner_tokens(s.text, s.start) for s in sentences} if self.use_model else {}
        )
        region = main_region([s.text for s in sentences])
        orgs = self.orgs(view, sentences, pos, ner)
        for org in orgs:
            place = first_place(org.normalized)
            # A province in a company name (江苏…有限公司) is less precise than the city the
            # document is about when that city lies in the province.
            if place is not None and region is not None and place.level == "province" \
                    and region.adcode[:2] == place.adcode[:2]:
                place = region
            org.region = place.name if place else (region.name if region else None)
        assign_segments(view, orgs)
        metrics = self.metrics(view, sentences, orgs)
        events = self.events(view, sentences, orgs)
        result = Extraction(orgs, metrics, events, region=region.name if region else None)
        self.chain(view, sentences, result)
        return result


def model_enabled() -> bool:
    """``CHAINATLAS_EXTRACT_MODEL=0`` turns the LAC model off: about ten times faster,
    organization recall a few points lower."""
    return os.environ.get("CHAINATLAS_EXTRACT_MODEL", "1").strip().lower() not in {"0", "off", "false", "no"}


@lru_cache(maxsize=1)
def default_pipeline() -> Pipeline:
    """The pipeline ``extract`` uses (the model as ``model_enabled`` says)."""
    return Pipeline(use_model=model_enabled())


def extract(prepared: Any) -> Extraction:
    """Extract organizations, figures, events and chain nodes from one prepared document."""
    return default_pipeline()(prepared)


def extract_text(text: str, **kwargs: Any) -> Extraction:
    """Extract from plain text taken as all body (tests, quick looks)."""
    return extract(PlainDocument(text, **kwargs))
