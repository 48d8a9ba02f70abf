"""统一社会信用代码 (GB 32100-2015): structure, both check digits, precise reasons — property-tested."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainatlas.registry import uscc
from chainatlas.registry.uscc import ALPHABET, USCCError

# The worked example printed in GB 32100-2015.
STANDARD_EXAMPLE = "91350100M000100Y43"

alnum31 = st.sampled_from(ALPHABET)
digits6 = st.text(alphabet="0123456789", min_size=6, max_size=6)
body8 = st.text(alphabet=ALPHABET, min_size=8, max_size=8)


@st.composite
def valid_codes(draw: st.DrawFn) -> str:
    return uscc.make(draw(alnum31), draw(alnum31), draw(digits6), draw(body8))


def test_standard_example_validates() -> None:
    uscc.validate(STANDARD_EXAMPLE)
    assert uscc.check_digit(STANDARD_EXAMPLE[:17]) == "3"
    assert uscc.org_code_check("M000100Y") == "4"
    parts = uscc.parse(STANDARD_EXAMPLE)
    assert (parts.department_name, parts.category_name, parts.adcode, parts.org_code) == (
        "工商", "企业", "350100", "M000100Y-4")
    assert uscc.adcode(STANDARD_EXAMPLE) == "350100"


def test_weights_are_powers_of_three_mod_31() -> None:
    assert uscc.WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@pytest.mark.parametrize(("code", "err", "pos", "fragment"), [
    ("91350100M000100Y4", "E311", None, "length 17"),
    ("91350100M000100Y433", "E311", None, "length 19"),
    ("", "E311", None, "length 0"),
    ("91350100M0001O0Y43", "E312", 14, "illegal character 'O' at position 14"),
    ("91350100M000100y43", "E312", 16, "position 16"),
    ("913501A0M000100Y43", "E313", 7, "行政区划码"),
    ("91350100M000100Y53", "E314", 17, "expected 4, got 5"),
    ("91350100M000100Y44", "E315", 18, "expected 3, got 4"),
])
def test_precise_reasons(code: str, err: str, pos: int | None, fragment: str) -> None:
    with pytest.raises(USCCError) as info:
        uscc.validate(code)
    assert info.value.code == err
    assert info.value.position == pos
    assert fragment in str(info.value)
    assert not uscc.is_valid(code)


def test_normalize_folds_what_people_paste() -> None:
    assert uscc.normalize(" ９１３５０１００ｍ000100y43 ") == STANDARD_EXAMPLE
    assert uscc.is_valid(uscc.normalize("91350100 M000100Y43"))


@given(valid_codes())
def test_any_valid_prefix_with_computed_digit_validates(code: str) -> None:
    uscc.validate(code)
    assert uscc.is_valid(code)
    assert code[17] == uscc.check_digit(code[:17])
    assert uscc.adcode(code) == code[2:8]


@settings(max_examples=300)
@given(valid_codes(), st.integers(min_value=0, max_value=17), alnum31)
def test_any_single_character_change_is_caught(code: str, position: int, replacement: str) -> None:
    if code[position] == replacement:
        replacement = ALPHABET[(ALPHABET.index(replacement) + 1) % len(ALPHABET)]
    changed = code[:position] + replacement + code[position + 1:]
    # Weights 3^i are units mod the prime 31, so every substitution moves the weighted sum.
    assert not uscc.is_valid(changed)


@settings(max_examples=300)
@given(valid_codes(), st.integers(min_value=0, max_value=16))
def test_any_adjacent_transposition_is_caught(code: str, i: int) -> None:
    if code[i] == code[i + 1]:
        return
    swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
    assert not uscc.is_valid(swapped)


@given(valid_codes(), st.sampled_from("IOZSV"), st.integers(min_value=0, max_value=17))
def test_letters_outside_the_alphabet_name_their_position(code: str, letter: str, position: int) -> None:
    bad = code[:position] + letter + code[position + 1:]
    with pytest.raises(USCCError) as info:
        uscc.validate(bad)
    assert info.value.code == "E312"
    assert info.value.position == position + 1


@given(st.text(max_size=30))
def test_validate_never_crashes_on_arbitrary_text(text: str) -> None:
    # Any outcome but USCCError (IndexError, KeyError …) would be a bug in the validator.
    with contextlib.suppress(USCCError):
        uscc.validate(text)


def test_check_digit_rejects_bad_input() -> None:
    with pytest.raises(USCCError):
        uscc.check_digit("123")
    with pytest.raises(USCCError) as info:
        uscc.check_digit("9135010OM000100Y4")
    assert info.value.position == 8
