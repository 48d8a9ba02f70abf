"""The English switch translates the data's vocabularies, not only the page chrome: kinds, stages,
statuses, event types, tiers, sub-chains and business steps come from the i18n files, in both."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser.seed import seed_web
from fastapi.testclient import TestClient

from chainatlas.api.app import create_app
from chainatlas.store import Store
from chainatlas.store.models.organization import TIER_LABELS
from chainatlas.web.i18n import catalogue

VOCABULARIES = ("kind.", "stage.", "status.", "event.", "tier.", "subchain.", "bizstep.")


@pytest.fixture
def client(sqlite_store: Store) -> Iterator[TestClient]:
    ids = seed_web(sqlite_store)
    with TestClient(create_app(sqlite_store)) as c:
        c.ids = ids  # type: ignore[attr-defined]
        yield c


def test_every_vocabulary_label_is_in_both_languages() -> None:
    zh, en = catalogue("zh"), catalogue("en")
    for prefix in VOCABULARIES:
        zh_keys = {k for k in zh if k.startswith(prefix)}
        en_keys = {k for k in en if k.startswith(prefix)}
        assert zh_keys and zh_keys == en_keys, (prefix, zh_keys ^ en_keys)
    assert {f"tier.{t}" for t in TIER_LABELS} <= set(en)
    from chainatlas.taxonomy.load import read_taxonomy  # every sub-chain of the taxonomy has a label

    assert {f"subchain.{sc}" for sc in read_taxonomy().subchains} <= set(en)


def test_english_pages_show_english_labels(client: TestClient) -> None:
    chain = client.get("/chain/321200?lang=en&node=bio.media").text
    assert ">Biologics</a>" in chain and 'subchain=bio">生物药</a>' not in chain
    orgs = client.get("/orgs?region=321200&lang=en").text
    assert "Above designated size" in orgs and ">规上<" not in orgs
    zh = client.get("/orgs?region=321200&lang=zh").text
    assert ">规上<" in zh
