"""Text group keys by hashing: the same codes and keys as sorting the strings."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itil_ci._internal import strings
from itil_ci.measurement._grouping import factorise

# Distinct strings that numpy keeps apart: no trailing NUL (numpy's padding).
words = st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=6)


def _reference_order(ids: np.ndarray) -> np.ndarray:
    """Stable sort by (first row of the key, row): a slow loop over rows."""
    first: dict[str, int] = {}
    for i, x in enumerate(ids.tolist()):
        first.setdefault(x, i)
    return np.array(sorted(range(ids.size), key=lambda i: (first[ids[i]], i)), dtype=np.int64)


@settings(max_examples=60, deadline=None)
@given(pool=st.lists(words, min_size=1, max_size=30, unique=True), seed=st.integers(0, 2**16))
def test_factorise_equals_sorting_the_strings(pool: list[str], seed: int) -> None:
    rng = np.random.default_rng(seed)
    keys = np.array(pool)[rng.integers(0, len(pool), int(rng.integers(1, 200)))]
    expected_words, expected_codes = np.unique(keys, return_inverse=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(strings, "HASHED_FROM", 8)  # the hashed path on small inputs
        codes, uniques = factorise("by", keys, keys.size)
        order = strings.grouped(keys)
    assert codes.dtype == np.int64
    assert codes.tolist() == expected_codes.ravel().tolist()
    assert uniques.tolist() == expected_words.tolist()
    expected = _reference_order(keys)
    got = np.arange(keys.size) if order is None else order
    assert got.tolist() == expected.tolist()


@pytest.mark.parametrize("hashed_from", [8, 1 << 15])
def test_a_hash_collision_falls_back_to_sorting(
    hashed_from: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every string hashes alike: the row check must catch it and sort instead
    monkeypatch.setattr(strings, "HASHED_FROM", hashed_from)
    monkeypatch.setattr(strings, "hash64", lambda values: np.zeros(values.size, np.uint64))
    keys = np.array(["Service Desk", "Network", "DB", "Network", "Service Desk"] * 8)
    codes, uniques = factorise("by", keys, keys.size)
    assert uniques.tolist() == ["DB", "Network", "Service Desk"]
    assert codes[:5].tolist() == [2, 1, 0, 1, 2]
    order = strings.grouped(keys)
    assert order is not None
    assert keys[order][:8].tolist() == ["Service Desk"] * 8  # first key first, rows in order


def test_large_columns_take_the_hashed_path_and_agree() -> None:
    rng = np.random.default_rng(3)
    names = np.array([f"Group {i:03d} Ops" for i in range(700)] + ["", "é ü", "Group 1"])
    keys = names[rng.integers(0, names.size, strings.HASHED_FROM * 3)]
    expected_words, expected_codes = np.unique(keys, return_inverse=True)
    codes, uniques = strings.factorise(keys)
    assert np.array_equal(codes, expected_codes.ravel())
    assert np.array_equal(uniques, expected_words)
