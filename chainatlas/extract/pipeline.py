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
from .orgs import OrganizationRecognizer, RulesPass
from .places import first_place, main_region
from .segments import assign_segments
from .tagger import Token, lac_available, ner_tokens, ner_windows_many, pos_tokens
from .text import DocumentView, PlainDocument, Sentence
from .types import Extraction

MODEL_SCOPES = ("windows", "sentences")


class Pipeline:
    """``use_model``: whether LAC helps the rules at all. ``model_scope``: ``windows`` (the
    default) runs it only on the stretches where a rules-only pass has doubts — about a
    tenth of the text, at nearly the same organization F1 —; ``sentences`` on every body
    sentence (several times slower; kept for comparison)."""

    def __init__(self, known_names: Iterable[str] | None = None, *, use_model: bool = True,
                 model_scope: str | None = None) -> None:
        model_scope = model_scope or env_model_scope()
        if model_scope not in MODEL_SCOPES:
            raise ValueError(f"model_scope must be one of {MODEL_SCOPES}, not {model_scope!r}")
        self.use_model = use_model
        self.model_scope = model_scope
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
        return {"use_model": self.use_model, "model_scope": self.model_scope if self.use_model else None,
                "components": [c.config() for c in self.components]}

    def _model_tokens(self, view: DocumentView, sentences: list[Sentence], pos: dict[int, list[Token]],
                      ruled: dict[int, RulesPass]) -> dict[int, list[Token]]:
        if not self.use_model or not lac_available():
            return {}
        if self.model_scope == "sentences":
            return {s.start: ner_tokens(s.text, s.start) for s in sentences}
        wanted: list[tuple[Sentence, list[tuple[int, int]]]] = []
        for s in sentences:
            first = ruled[s.start] = self.orgs.model_windows(view.text, s, pos[s.start])
            if first.windows:
                wanted.append((s, first.windows))
        # One call for the whole document: windows of equal length share a batch.
        tokens = ner_windows_many([(s.text, w, s.start) for s, w in wanted])
        return {s.start: toks for (s, _), toks in zip(wanted, tokens, strict=True)}

    def __call__(self, prepared: Any) -> Extraction:
        view = DocumentView(prepared)
        sentences = list(view.sentences())
        # Words and tags only where a rule can use them (a sentence with no organization
        # suffix, enumeration or title has no rule-made name to find); every sentence when
        # the model reads them all.
        every = self.use_model and self.model_scope == "sentences"
        pos: dict[int, list[Token]] = {
            s.start: pos_tokens(s.text, s.start) if every or self.orgs.needs_tokens(s.text) else []
            for s in sentences}
        ruled: dict[int, RulesPass] = {}
        ner = self._model_tokens(view, sentences, pos, ruled)
        region = main_region([s.text for s in sentences])
        orgs = self.orgs(view, sentences, pos, ner, ruled)
        for org in orgs:
            place = first_place(org.normalized)
            # A province in a company name (江苏…有限公司) is less precise than the city the
            # document is about when that city lies in the province.
            if place is not None and region is not None and place.level == "province" \
                    and region.adcode[:2] == place.adcode[:2]:
                place = region
            org.region = place.name if place else (region.name if region else None)
        assign_segments(view, orgs)
        # Figures and events also read across line wraps (organizations stop at a line end).
        facts = view.fact_sentences()
        metrics = self.metrics(view, facts, orgs)
        events = self.events(view, facts, orgs)
        result = Extraction(orgs, metrics, events, region=region.name if region else None)
        self.chain(view, sentences, result)
        return result


def model_enabled() -> bool:
    """``CHAINATLAS_EXTRACT_MODEL=0`` turns the LAC model off (rules alone, organization
    recall a few points lower); ``=sentences`` runs it on every sentence instead of the
    rules' doubtful windows (slow; for comparison)."""
    return os.environ.get("CHAINATLAS_EXTRACT_MODEL", "1").strip().lower() not in {"0", "off", "false", "no"}


def env_model_scope() -> str:
    value = os.environ.get("CHAINATLAS_EXTRACT_MODEL", "").strip().lower()
    return value if value in MODEL_SCOPES else "windows"


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
