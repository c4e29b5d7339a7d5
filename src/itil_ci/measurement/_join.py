"""Tie the distinct tickets of a pause table to rows of a ticket table by id (private).

:func:`rows_of` answers, for each distinct ticket id of the pauses, the row
of ``ids`` holding that id (``-1`` when no row does).  Small inputs are
joined exactly through a sort of the (few) pause ids.  Large ones go
through 64-bit hashes and one sort of machine words (sorting strings is
several times slower, and a hash table probed at random is bound by memory
latency); every match is confirmed on the strings, and the rare groups of
ids sharing a hash prefix are joined exactly, so the answer never depends
on the hash.
"""

from __future__ import annotations

import sys

import numpy as np
import numpy.typing as npt

from itil_ci._internal.strings import hash64
from itil_ci._internal.validate import fail

__all__ = ["rows_of"]

Ints = npt.NDArray[np.int64]
Strs = npt.NDArray[np.str_]
_EXACT_BELOW = 50_000  # ticket rows; below this the exact join is as fast
_CHUNK = 1 << 18  # words per pass over the long arrays


def rows_of(ids: Strs, keys: Strs, *, exact: bool = False) -> Ints:
    """For each of the distinct ``keys``, the row of ``ids`` with that id, or -1.

    An id held by two rows, one of which a key names, is an error: the
    pauses could belong to either ticket.

    Examples:
        >>> rows_of(np.array(["a", "b", "c"]), np.array(["c", "x", "a"])).tolist()
        [2, -1, 0]
    """
    if keys.size == 0:
        return np.empty(0, dtype=np.int64)
    if not exact and ids.size >= _EXACT_BELOW:
        found = _hashed(ids, keys)
        if found is not None:
            return found
    return _exact(ids, keys)


def _duplicate(ids: Strs, rows: Ints) -> None:
    """Refuse an id held by two rows (``rows``: every row matched, by key)."""
    raise fail(
        "ids",
        "distinct ticket ids (pauses name them)",
        f"{str(ids[int(rows[0])])!r} at rows {int(rows[0])} and {int(rows[1])}",
    )


def _exact(ids: Strs, keys: Strs, rows: Ints | None = None) -> Ints:
    """The exact join by sorting the keys; ``rows`` limits it to those rows of ``ids``."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    look = ids if rows is None else ids[rows]
    pos = np.searchsorted(ordered, look)
    np.minimum(pos, ordered.size - 1, out=pos)
    hit = ordered[pos] == look
    matched = np.flatnonzero(hit)
    if rows is not None:
        matched = rows[matched]
    key_of_row = order[pos[hit]]
    found = np.full(keys.size, -1, dtype=np.int64)
    _check_once(ids, key_of_row, matched, keys.size)
    found[key_of_row] = matched
    return found


def _check_once(ids: Strs, key_of_row: Ints, rows: Ints, n_keys: int) -> None:
    hits = np.bincount(key_of_row, minlength=n_keys)
    if (hits > 1).any():
        k = int(np.flatnonzero(hits > 1)[0])
        _duplicate(ids, rows[key_of_row == k][:2])


def _hashed(ids: Strs, keys: Strs) -> Ints | None:
    """The join through hashes and one sort; None when the exact join must decide.

    Each id and each key becomes one 64-bit word: the top bits of its hash,
    then its row (or key index), then a side bit (1 for a key).  After one
    sort of all words, an id and a key with the same hash prefix are
    neighbours: a group of exactly one id and one key is a candidate pair,
    confirmed on the strings.  The few other groups holding a key (a prefix
    shared by chance, or an id held by two rows) are joined exactly, on
    their own rows only.  Work on the long arrays goes a chunk at a time, so
    the temporaries stay small.
    """
    n, m = ids.size, keys.size
    b = max(n, m).bit_length()  # bits of a row or key index
    keep = 63 - b  # hash bits kept in a word
    if keep < 24:
        return None
    total = n + m
    up = np.uint64(b + 1)
    drop = np.uint64(64 - keep)
    words = np.empty(total + 1, dtype=np.uint64)
    hash64(ids, out=words[:n])
    hash64(keys, out=words[n:total])
    for base, count, side in ((0, n, 0), (n, m, 1)):  # ids, then keys, a chunk at a time
        for lo in range(0, count, _CHUNK):
            hi = min(lo + _CHUNK, count)
            part = words[base + lo : base + hi]
            part >>= drop
            part <<= up
            index = np.arange(lo, hi, dtype=np.uint64)
            index <<= np.uint64(1)
            index |= np.uint64(side)
            part |= index
    words[-1] = np.iinfo(np.uint64).max  # a sentinel group after every word
    words[:total].sort()
    # new[i]: word i starts a group (its hash prefix differs from word i - 1's)
    new = np.empty(total + 1, dtype=bool)
    new[0] = True
    for lo in range(0, total, _CHUNK):
        hi = min(lo + _CHUNK, total)
        diff = words[lo + 1 : hi + 1] ^ words[lo:hi]
        diff >>= up
        np.not_equal(diff, 0, out=new[lo + 1 : hi + 1])
    at = np.flatnonzero(_low_bits(words[:total]))  # where the keys are
    mask = np.uint64((1 << b) - 1)

    def index_at(pos: Ints) -> Ints:
        out: Ints = ((words[pos] >> np.uint64(1)) & mask).astype(np.int64)
        return out

    alone = new[at] & new[at + 1]  # a group of one key: its id is absent
    key_first = new[at] & ~new[at + 1] & new[np.minimum(at + 2, total)]
    key_second = (at > 0) & ~new[at] & new[np.maximum(at - 1, 0)] & new[at + 1]
    partner = np.where(key_first, at + 1, at - 1)
    partner_is_id = (words[np.clip(partner, 0, total)] & np.uint64(1)) == 0
    pair = (key_first | key_second) & partner_is_id
    found = np.full(m, -1, dtype=np.int64)
    found[index_at(at[pair])] = index_at(partner[pair])
    # Confirm on the strings, in key order (the keys are then read in sequence); a
    # mismatch means only a hash prefix was shared: the key's id is absent.
    kept = np.flatnonzero(found >= 0)
    wrong = ids[found[kept]] != keys[kept]
    found[kept[wrong]] = -1
    odd = ~alone & ~pair
    if odd.any():  # rare: the groups' own rows, joined exactly
        firsts = np.flatnonzero(new)  # group starts, and the sentinel's
        g = np.unique(np.searchsorted(firsts, at[odd], side="right") - 1)
        begin, size = firsts[g], firsts[g + 1] - firsts[g]
        pos = np.repeat(begin - np.cumsum(size) + size, size) + np.arange(int(size.sum()))
        is_key = (words[pos] & np.uint64(1)).astype(bool)
        q_rows = index_at(pos[~is_key])
        k_idx = index_at(pos[is_key])
        sub = _exact(ids, keys[k_idx], rows=q_rows)
        hit = sub >= 0
        found[k_idx[hit]] = sub[hit]
    return found


def _low_bits(words: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
    """The lowest bit of each word, as booleans (the low byte read in place)."""
    first = 0 if sys.byteorder == "little" else 7
    low = words.view(np.uint8)[first::8]
    out: npt.NDArray[np.bool_] = (low & 1).view(bool)
    return out
