"""Tying pause tickets to ticket rows by id: the hash join equals the exact one."""

from __future__ import annotations

import numpy as np
import pytest

from itil_ci.errors import InvalidInputError
from itil_ci.measurement import _join


def _ids(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.char.add("INC", rng.permutation(n * 3)[:n].astype("U9"))


def test_hash_join_equals_exact_join() -> None:
    ids = _ids(60_000, 1)  # above the size where the hash join is used
    rng = np.random.default_rng(2)
    keys = np.concatenate(
        [ids[rng.choice(ids.size, 5_000, replace=False)], np.array(["CHG1", "INC-absent", ""])]
    )
    rng.shuffle(keys)
    fast = _join.rows_of(ids, keys)
    exact = _join.rows_of(ids, keys, exact=True)
    np.testing.assert_array_equal(fast, exact)
    hit = fast >= 0
    assert (ids[fast[hit]] == keys[hit]).all()
    assert (~hit).sum() == 3


def test_width_of_the_string_arrays_does_not_matter() -> None:
    ids = _ids(60_000, 3)
    keys = ids[:10].astype("<U40")  # wider itemsize, same text
    np.testing.assert_array_equal(_join.rows_of(ids, keys), np.arange(10))


def test_weak_hash_falls_back_to_exact_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    # A hash that maps every id to one of 4 values: every group is "odd" and goes
    # through the exact join of its rows; the answer must not change.
    def weak(values: np.ndarray, chunk: int = 0, out: np.ndarray | None = None) -> np.ndarray:
        assert out is not None
        out[...] = (np.char.str_len(values).astype(np.uint64) % np.uint64(4)) << np.uint64(60)
        return out

    ids = _ids(60_000, 4)
    keys = np.concatenate([ids[::7], np.array(["NOPE"])])
    want = _join.rows_of(ids, keys, exact=True)
    monkeypatch.setattr(_join, "hash64", weak)
    np.testing.assert_array_equal(_join.rows_of(ids, keys), want)


def test_full_hash_collision_is_not_a_match(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every string hashes alike: pairs share the whole hash, and only the string
    # comparison tells them apart.
    def constant(values: np.ndarray, chunk: int = 0, out: np.ndarray | None = None) -> np.ndarray:
        assert out is not None
        out[...] = 12345
        return out

    ids = _ids(60_000, 5)
    keys = np.array([ids[17], "NOPE"])
    monkeypatch.setattr(_join, "hash64", constant)
    assert _join.rows_of(ids, keys).tolist() == [17, -1]
    assert _join.rows_of(ids, np.array(["NOPE"])).tolist() == [-1]


@pytest.mark.parametrize("n", [10, 60_000])
def test_a_duplicate_ticket_id_with_pauses_is_refused(n: int) -> None:
    ids = _ids(n, 6)
    ids[n - 1] = ids[3]
    message = rf"ids: expected distinct ticket ids .*rows 3 and {n - 1}"
    with pytest.raises(InvalidInputError, match=message):
        _join.rows_of(ids, np.array([ids[3]]))
    # A duplicate that no pause names is harmless.
    assert _join.rows_of(ids, np.array([ids[4]])).tolist() == [4]
