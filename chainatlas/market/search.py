"""Browsing the public offers with facets (service, region, qualification, modality, provider kind):
shared by the REST API and the web pages."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy.orm import Session

from chainatlas.market.matching import OfferIndex
from chainatlas.market.reading import read_need
from chainatlas.market.service import offer_row, public_offers
from chainatlas.market.vocab import vocabulary
from chainatlas.store.models import MarketOffer


@dataclass
class OfferFilter:
    q: str | None = None
    service: str | None = None
    region: str | None = None
    qualification: str | None = None
    modality: str | None = None
    kind: str | None = None


def province(region: str) -> str:
    for cut in ("省", "自治区", "市"):
        if cut in region:
            return region[: region.index(cut) + len(cut)]
    return region


def search_offers(session: Session, f: OfferFilter) -> tuple[list[MarketOffer], dict[str, list[tuple[str, str, int]]]]:
    vocab = vocabulary()
    offers = [o for o in public_offers(session) if o.status == "open"]
    if f.q:
        index = OfferIndex([offer_row(o) for o in offers], vocab)
        scores = index.topical(read_need(vocab, {"id": "q", "title": f.q, "description": f.q}))
        ranked = sorted(((s, o) for s, o in zip(scores, offers, strict=True) if s > 0), key=lambda p: -p[0])
        offers = [o for _, o in ranked]

    def keep(o: MarketOffer, skip: str | None = None) -> bool:
        return ((skip == "service" or not f.service or f.service in o.services)
                and (skip == "region" or not f.region or province(o.region) == f.region)
                and (skip == "qualification" or not f.qualification or f.qualification in o.qualifications)
                and (skip == "modality" or not f.modality or f.modality in o.modalities)
                and (skip == "kind" or not f.kind or o.provider_kind == f.kind))

    facets: dict[str, list[tuple[str, str, int]]] = {}
    names = {"service": lambda k: vocab.services[k].name if k in vocab.services else k,
             "qualification": lambda k: vocab.qualifications[k].name if k in vocab.qualifications else k,
             "modality": lambda k: vocab.modalities[k].name if k in vocab.modalities else k,
             "region": lambda k: k, "kind": lambda k: k}
    for facet in names:
        counts: Counter[str] = Counter()
        for o in offers:
            if not keep(o, skip=facet):
                continue
            values = {"service": o.services, "qualification": o.qualifications, "modality": o.modalities,
                      "region": [province(o.region)], "kind": [o.provider_kind]}[facet]
            counts.update(set(values))
        facets[facet] = [(k, names[facet](k), n) for k, n in counts.most_common()]
    return [o for o in offers if keep(o)], facets
