"""Arrow text columns to numpy strings: the offsets-and-bytes copy against Python strings."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from itil_ci._internal.arrowtext import codes_and_words, unicode, unicode_checked

ascii_text = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=12)
# Arrow holds UTF-8 (no lone surrogates); numpy fixed-width strings cannot end in NUL
any_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8
)


@given(values=st.lists(ascii_text, max_size=40), cut=st.integers(0, 40))
def test_ascii_columns_equal_python_strings(values: list[str], cut: int) -> None:
    # the expected column is built from Python strings, one per value
    expected = np.array(values, dtype=str) if values else np.empty(0, dtype="<U1")
    chunked = pa.chunked_array([values[:cut], values[cut:]], type=pa.string())
    for column in (pa.array(values, type=pa.string()), chunked, chunked.cast(pa.large_string())):
        got = unicode(pa, column)
        assert got.dtype.kind == "U"
        assert got.tolist() == expected.tolist()


@given(values=st.lists(any_text, min_size=1, max_size=30), start=st.integers(0, 29))
def test_slices_and_non_ascii_text(values: list[str], start: int) -> None:
    # a sliced array starts at an offset into its buffers
    arr = pa.array(values, type=pa.string()).slice(min(start, len(values)))
    assert unicode(pa, arr).tolist() == values[min(start, len(values)) :]


def test_equal_lengths_take_the_reshape_path_and_blanks_are_reported() -> None:
    got, clean = unicode_checked(pa, pa.array(["INC001", "INC002", "INC003"]))
    assert (got.tolist(), got.dtype, clean) == (["INC001", "INC002", "INC003"], "<U6", True)
    assert unicode_checked(pa, pa.array(["a", " b", ""]))[1] is False
    assert unicode_checked(pa, pa.array(["a ", "b"]))[1] is False
    assert unicode(pa, pa.array(["", ""])).tolist() == ["", ""]


@given(values=st.lists(st.sampled_from(["Service Desk", "Network", "DB", "é"]), max_size=30))
def test_codes_and_words_rebuild_the_column(values: list[str]) -> None:
    codes, words = codes_and_words(pa, pa.chunked_array([values], type=pa.string()))
    assert words[codes].tolist() == values
    assert len(set(words.tolist())) == words.size


@given(
    values=st.lists(ascii_text, min_size=1, max_size=40), equal=st.booleans(), cut=st.integers(0, 5)
)
def test_clean_says_whether_any_value_starts_or_ends_with_a_blank(
    values: list[str], equal: bool, cut: int
) -> None:
    if equal:  # every value as long: the grid path
        width = max(len(x) for x in values) or 1
        values = [x.ljust(width, "x") for x in values]
    # the reference: Python's own look at each value's first and last character
    blank = any(x and (ord(x[0]) <= 32 or ord(x[-1]) <= 32) for x in values)
    arr = pa.array(["pad"] * cut + values, type=pa.string()).slice(cut)
    got, clean = unicode_checked(pa, arr)
    assert got.tolist() == np.array(values, dtype=str).tolist()
    assert clean is not blank
