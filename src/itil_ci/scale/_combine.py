"""Putting per-partition results together on the client (private).

Every partition returns its rows keyed by the same key columns (group keys,
then the period).  :func:`stack` puts the rows of all partitions one after the
other and numbers the distinct keys in sorted order (the order of the
in-memory functions' rows) with the measurement core's group-by engine;
:func:`find` looks rows up in such a table.  Sums and counts are then
segmented with :func:`numpy.bincount`, without a loop over rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from itil_ci.measurement import _grouping as grp

__all__ = ["Stacked", "find", "no_rows", "plain", "stack"]

IntArray = npt.NDArray[np.int64]
Keys = tuple[npt.NDArray[Any], ...]


def plain(column: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Key values as the in-memory functions give them: text as ``str`` arrays, not objects."""
    arr = np.asarray(column)
    if arr.dtype == object and arr.size and all(isinstance(x, str) for x in arr.tolist()):
        return arr.astype(np.str_)
    return arr


class Stacked:
    """The rows of several partitions, one after the other, with their distinct keys.

    ``codes[i]`` is the key of stacked row ``i`` (``0 .. size-1``, sorted key
    order), ``keys`` the key columns of the distinct keys, ``part[i]`` the
    partition the row came from.
    """

    def __init__(self, keys_per_part: Sequence[Keys], width: int, lengths: Sequence[int]) -> None:
        self.part = np.repeat(np.arange(len(keys_per_part), dtype=np.int64), lengths)
        n = int(sum(lengths))
        columns = [
            plain(np.concatenate([np.asarray(k[j]) for k in keys_per_part])) if n else np.empty(0)
            for j in range(width)
        ]
        labels = [f"key{j}" for j in range(width)]
        if width == 0:
            g = grp.Grouping(np.zeros(n, dtype=np.int64), 1 if n else 0, ())
        else:
            g = grp.group(columns, n, labels)
        self.codes: IntArray = g.codes
        self.size: int = g.size
        self.keys: Keys = tuple(plain(k) for k in g.keys)
        self.offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)

    def rows(self, index: int) -> IntArray:
        """The stacked codes of the rows of partial ``index``."""
        return self.codes[self.offsets[index] : self.offsets[index + 1]]


def stack(keys_per_part: Sequence[Keys], width: int, lengths: Sequence[int]) -> Stacked:
    """Stack the key columns of several partial results (``width`` columns, ``lengths`` rows)."""
    return Stacked(keys_per_part, width, lengths)


def find(table: Keys, query: Keys, n_table: int, n_query: int) -> IntArray:
    """Position of each query key in ``table`` (distinct keys), or -1 where it is absent.

    Without key columns there is at most one key: every query row is row 0.
    """
    if not table:
        return np.zeros(n_query, dtype=np.int64) if n_table else np.full(n_query, -1)
    both = stack([table, query], len(table), [n_table, n_query])
    where = np.full(both.size, -1, dtype=np.int64)
    where[both.codes[:n_table]] = np.arange(n_table, dtype=np.int64)
    return where[both.codes[n_table:]]


def no_rows(meta: Any, by: Sequence[str], period: object) -> tuple[tuple[str, ...], Keys]:
    """Names and empty key columns of a result without rows (dtypes from the frame's metadata)."""
    names = tuple(by) + (("period",) if period is not None else ())
    keys = [np.empty(0, dtype=_dtype(meta[name].dtype)) for name in by]
    if period is not None:
        keys.append(np.empty(0, dtype="datetime64[D]"))
    return names, tuple(keys)


def _dtype(dtype: Any) -> Any:
    kind = getattr(dtype, "kind", "O")
    if kind == "M":
        return np.dtype("datetime64[ns]")
    return np.dtype(dtype) if kind in "biuf" else np.dtype("<U1")
