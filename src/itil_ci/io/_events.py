"""Grouping rows by ticket and ordering each ticket's rows (private).

Used to collapse an export with one row per update (an event log) into one row
per ticket, to build the event :class:`~itil_ci.io.History`, and by
:meth:`Tickets.latest <itil_ci.io.Tickets.latest>`.

The order of one ticket's rows is lexicographic over the given keys (update
count, then update time, ...) and then the position of the row (a later row
is later): a deterministic rule whatever the order of the input.  Tickets
come in the order of their first row.

Nothing here loops over rows in Python.  Strings are compared through their
64-bit hashes (:func:`itil_ci._internal.strings.hash64`; collisions are
checked and fall back to an exact sort), and an input already grouped and in
order, as exports usually are, is recognised in linear time and not sorted.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from itil_ci._internal import strings

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Strs = npt.NDArray[np.str_]


def _unique_exact(values: Strs) -> bool:
    """True when no string appears twice."""
    if values.size < 2 or bool((values[1:] > values[:-1]).all()):
        return True
    h = strings.hash64(values)
    order = np.argsort(h, kind="stable")
    hs = h[order]
    same = hs[1:] == hs[:-1]
    if not same.any():
        return True
    # equal hashes: the strings decide (a collision is not a repeat)
    vs = values[order]
    return not bool((vs[1:][same] == vs[:-1][same]).any())


def first_codes(ids: Strs) -> tuple[Ints, int]:
    """Codes ``0 .. k-1`` per row, numbered in the order of each id's first row.

    Examples:
        >>> import numpy as np
        >>> codes, k = first_codes(np.array(["b", "a", "b", "c"]))
        >>> codes.tolist(), k
        ([0, 1, 0, 2], 3)
    """
    n = ids.size
    if n == 0:
        return np.zeros(0, dtype=np.int64), 0
    if n < 2 or bool((ids[1:] > ids[:-1]).all()):  # ascending, as exports often are
        return np.arange(n, dtype=np.int64), n
    head = np.concatenate(([True], ids[1:] != ids[:-1]))
    if _unique_exact(ids[head]):  # every id's rows are one run
        codes = np.cumsum(head, dtype=np.int64) - 1
        return codes, int(codes[-1]) + 1
    inverse, _, first = strings.factorise_first(ids)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size, dtype=np.int64)
    return rank[inverse], int(first.size)


def renumber(codes: Ints, k: int) -> Ints:
    """Codes renumbered in the order of first appearance (a no-op when they already are).

    Examples:
        >>> import numpy as np
        >>> renumber(np.array([2, 0, 2, 1]), 3).tolist()
        [0, 1, 0, 2]
    """
    if codes.size == 0:
        return codes
    top = np.maximum.accumulate(codes)
    if codes[0] == 0 and bool((codes[1:] <= top[:-1] + 1).all()):
        return codes
    first = np.full(k, codes.size, dtype=np.int64)
    np.minimum.at(first, codes, np.arange(codes.size, dtype=np.int64))
    rank = np.empty(k, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(k, dtype=np.int64)
    out: Ints = rank[codes]
    return out


def _in_order(codes: Ints, keys: Sequence[Ints]) -> bool:
    """True when rows are grouped by code (ascending) and ordered by ``keys`` within."""
    if codes.size < 2:
        return True
    dc = np.diff(codes)
    if (dc < 0).any():
        return False
    same = dc == 0
    undecided = same  # pairs of one ticket whose order the keys have not settled yet
    for key in keys:
        ints = key.view(np.int64) if key.dtype.kind == "M" else key
        before, after = ints[:-1], ints[1:]
        if (undecided & (after < before)).any():
            return False
        undecided = undecided & (after == before)
        if not undecided.any():
            break
    return True


def order(ids: Strs, keys: Sequence[Ints]) -> tuple[Ints | None, Ints, int]:
    """How to group rows by ticket and order each ticket's rows.

    ``keys`` are int64 arrays (most significant first; the row position is
    the last tie-breaker).  Returns ``(perm, codes, k)``: ``perm`` puts the
    rows in that order (``None`` when they already are), ``codes`` are the
    ticket codes of the rows *in the new order* (non-decreasing) and ``k`` the
    number of tickets.

    Examples:
        >>> import numpy as np
        >>> perm, codes, k = order(np.array(["a", "b", "a"]), [np.array([2, 0, 1])])
        >>> perm.tolist(), codes.tolist(), k
        ([2, 0, 1], [0, 0, 1], 2)
    """
    codes, k = first_codes(ids)
    return order_codes(codes, k, keys)


def order_codes(codes: Ints, k: int, keys: Sequence[Ints]) -> tuple[Ints | None, Ints, int]:
    """:func:`order` from ticket codes numbered in order of first appearance."""
    if _in_order(codes, keys):
        return None, codes, k
    n = codes.size
    perm: Ints
    if len(keys) == 1 and keys[0].size and k > 0:
        key = keys[0]
        lo, hi = int(key.min()), int(key.max())
        span = hi - lo + 1
        if span > 0 and k * span < 2**62:  # one combined key fits in int64
            combined = codes * span + (key - lo)
            perm = np.argsort(combined, kind="stable")
            return perm, codes[perm], k
    perm = np.lexsort((np.arange(n, dtype=np.int64), *reversed(list(keys)), codes))
    return perm, codes[perm], k


def group_ends(codes: Ints) -> Ints:
    """Index of the last row of each ticket in rows grouped by ``codes``.

    Examples:
        >>> import numpy as np
        >>> group_ends(np.array([0, 0, 1, 2, 2])).tolist()
        [1, 2, 4]
    """
    if codes.size == 0:
        return np.zeros(0, dtype=np.int64)
    last = np.concatenate((codes[1:] != codes[:-1], [True]))
    return np.flatnonzero(last).astype(np.int64)
