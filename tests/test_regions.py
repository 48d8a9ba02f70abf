"""Region lookup by name, short name and adcode; parents; parks; short-name rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chainatlas.errors import RegionNotFound
from chainatlas.regions import RegionIndex, short_name
from chainatlas.regions.load import iter_region_rows, read_parks
from chainatlas.store import Store


@pytest.fixture
def index(store: Store) -> RegionIndex:
    with store.session() as s:
        return RegionIndex(s)


def test_all_divisions_loaded(index: RegionIndex) -> None:
    levels = [r.level for r in index.by_code.values()]
    assert levels.count("province") >= 34
    assert levels.count("prefecture") >= 330
    assert levels.count("county") >= 2800


@pytest.mark.parametrize(("query", "adcode"), [
    ("泰州", "321200"), ("泰州市", "321200"), ("321200", "321200"), ("泰安", "370900"),
    ("新泰市", "370982"), ("鄂州", "420700"), ("武汉", "420100"), ("北京", "110000"), ("3212", "321200"),
])
def test_lookup(index: RegionIndex, query: str, adcode: str) -> None:
    assert index.get(query).adcode == adcode


def test_parent_chain(index: RegionIndex) -> None:
    assert [r.name for r in index.parents("370902")] == ["泰山区", "泰安市", "山东省"]


def test_park_lookup_resolves_to_its_region(index: RegionIndex) -> None:
    assert index.get("光谷生物城").adcode == "420100"
    park = index.find_park("葛店经开区")
    assert park is not None and park.region_adcode == "420700"


def test_unknown_region(index: RegionIndex) -> None:
    with pytest.raises(RegionNotFound, match="E211"):
        index.get("不存在市")


def test_descendants_nest_by_code(index: RegionIndex) -> None:
    below = index.descendants("321200")
    assert "321203" in below and "320100" not in below


@pytest.mark.parametrize(("name", "short"), [
    ("泰州市", "泰州"), ("山东省", "山东"), ("新疆维吾尔自治区", "新疆"), ("甘南藏族自治州", "甘南"),
    ("广西壮族自治区", "广西"), ("沙市区", "沙市"), ("香港特别行政区", "香港"),
])
def test_short_names(name: str, short: str) -> None:
    assert short_name(name) == short


@given(st.sampled_from([r.name for r in iter_region_rows()]))
def test_short_name_is_a_nonempty_prefix(name: str) -> None:
    s = short_name(name)
    assert s and name.startswith(s) and len(s) >= min(2, len(name))


def test_parks_file_is_consistent() -> None:
    rows = read_parks()
    codes = {r.adcode for r in iter_region_rows()}
    assert all(r["region_adcode"] in codes for r in rows)
    assert all(r["source"] for r in rows), "every park cites a source"
