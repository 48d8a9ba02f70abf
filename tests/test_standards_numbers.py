"""Standard numbers: every spelling people type meets the catalogue's key (property tests)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chainatlas.standards.numbers import NumberError, find_numbers, parse, split_list

PREFIXES = ["GB", "GB/T", "GB/Z", "YY", "YY/T", "WS", "WS/T"]
DASHES = ["-", "—", "–", "－", "‐", "―"]


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


numbers = st.tuples(
    st.sampled_from(PREFIXES),
    st.integers(1, 99999).map(lambda n: f"{n:04d}"),
    st.one_of(st.none(), st.integers(1, 30).map(str)),
    st.one_of(st.none(), st.integers(1995, 2030)),
)


@given(numbers, st.sampled_from(DASHES), st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_every_spelling_meets_the_same_keys(n, dash, lower, no_slash, wide, spaced) -> None:  # type: ignore[no-untyped-def]
    prefix, code, part, year = n
    code = f"{code}.{part}" if part else code
    canonical = parse(f"{prefix} {code}" + (f"-{year}" if year else ""))
    text = prefix.replace("/", "") if no_slash else prefix
    text += (" " if spaced else "") + code + (f"{dash}{year}" if year else "")
    if lower:
        text = text.lower()
    if wide:
        text = full_width(text)
    got = parse(text)
    assert got.key == canonical.key
    assert got.base_key == canonical.base_key
    assert got.year == year
    if no_slash and prefix == "GB/Z":
        assert got.kind == "GBZ"  # GBZ is its own prefix (职业卫生); the key still meets GB/Z's
    else:
        assert got.kind == canonical.kind == prefix
        assert got.display == canonical.display


@given(numbers)
def test_display_round_trips(n) -> None:  # type: ignore[no-untyped-def]
    prefix, code, part, year = n
    num = parse(f"{prefix} {code}{'.' + part if part else ''}{'-' + str(year) if year else ''}")
    assert parse(num.display) == num
    assert num.key.startswith(num.base_key)
    assert "/" not in num.key


@pytest.mark.parametrize("text", ["GBT 16886.5", "gb/t16886.5-2017", "GB/T 16886.5—2017", "ＧＢ／Ｔ１６８８６．５"])
def test_issue_spellings(text: str) -> None:
    assert parse(text).base_key == "GBT16886.5"


def test_gb_without_marker_meets_loosely() -> None:
    assert parse("gb16886.5-2017").loose_key == parse("GB/T 16886.5-2017").loose_key == "GB16886.5"
    assert parse("gb16886.5-2017").key != parse("GB/T 16886.5-2017").key  # GB and GB/T stay different kinds


def test_kinds() -> None:
    assert parse("YY/T0287—2017").display == "YY/T 0287-2017"
    assert parse("ＹＹ/Ｔ０２８７").key == "YYT0287"
    assert parse("T/CAMDI 001-2018").kind == "T"
    assert parse("ISO 10993-5:2009").base_key == "ISO10993-5"
    assert parse("IEC 60601-1:2005+A2:2020").year == 2005
    assert parse("GB 1234-88").year == 1988
    chp = parse("中国药典2025年版 四部 0512")
    assert (chp.kind, chp.year) == ("中国药典", 2025)
    assert parse("中国药典 2025年版四部0512").key == chp.key


@pytest.mark.parametrize("bad", ["", "  ", "abc", "16886.5", "GB/T ab-2017", "GB 1234-1890", "中国药典"])
def test_malformed_numbers_say_why(bad: str) -> None:
    with pytest.raises(NumberError) as exc:
        parse(bad)
    assert exc.value.reason


def test_numbers_in_running_text() -> None:
    text = "产品符合YY/T 0287-2017和GB 9706.1—2020，并按ISO 13485:2016建立体系。"
    assert [n.display for _, _, n in find_numbers(text)] == ["YY/T 0287-2017", "GB 9706.1-2020", "ISO 13485:2016"]
    start, end, _ = find_numbers(text)[1]
    assert text[start:end] == "GB 9706.1—2020"


def test_pasted_list() -> None:
    assert split_list("YY/T 0287\nGBT 16886.5、ISO 10993-5；\n\n") == ["YY/T 0287", "GBT 16886.5", "ISO 10993-5"]
