"""A small vectorised group-by engine (private).

Keys are factorised into dense integer codes (``0 .. size-1``, in sorted key
order), several key columns are combined into one code, and reductions are
segmented without a Python loop over rows or groups:

* counts and sums with :func:`numpy.bincount`;
* order statistics (median, p90, any percentile) from one selection over a
  combined ``int64`` key ``(group << shift) | value``: the group code sits in
  the high bits, the value in the low bits, so ordering the key orders by
  group and then by value.  :func:`numpy.partition` with every wanted rank as
  a ``kth`` places exactly the needed order statistics, which is cheaper than
  a full sort.  When the values do not fit beside the group code (floats, or
  integers with a range wider than ``63 - bits(groups)`` bits) a stable
  two-pass ``argsort`` is used instead.

Percentiles follow numpy's default (``method="linear"``, Hyndman & Fan type
7): the ``q``-th percentile of ``n`` sorted values sits at virtual index
``h = q/100 * (n - 1)`` and is ``x[floor h] + (h - floor h) * (x[floor h + 1] -
x[floor h])``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import strings
from itil_ci._internal.validate import fail

__all__ = ["Grouping", "counts", "factorise", "group", "quantiles", "sums"]

IntArray = npt.NDArray[np.int64]
QuantileMethod = Literal["auto", "partition", "sort", "argsort"]

# A dense table of this many slots per row is cheap; beyond it keys are sorted.
_DENSE_SLACK = 1 << 20


@attrs.frozen(eq=False)
class Grouping:
    """Rows mapped to groups.

    ``codes[i]`` is the group of row ``i``; ``keys[j][k]`` is the value of key
    column ``j`` for group ``k``; groups are in lexicographic key order.

    Examples:
        >>> g = group([np.array(["b", "a", "b"])], 3)
        >>> g.codes.tolist(), g.size, g.keys[0].tolist()
        ([1, 0, 1], 2, ['a', 'b'])
    """

    codes: IntArray
    size: int
    keys: tuple[npt.NDArray[Any], ...]


def _dense(values: IntArray) -> tuple[IntArray, IntArray] | None:
    """Factorise integers through a lookup table when their range is small."""
    if values.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    lo = int(values.min())
    hi = int(values.max())
    span = hi - lo + 1
    if span > 2 * values.size + _DENSE_SLACK:
        return None
    shifted = values - lo if lo else values
    present = np.bincount(shifted, minlength=span) > 0
    lookup = np.cumsum(present) - 1
    codes = lookup[shifted]
    uniques = np.flatnonzero(present) + lo
    return codes.astype(np.int64, copy=False), uniques.astype(np.int64, copy=False)


def factorise(name: str, values: Any, n: int) -> tuple[IntArray, npt.NDArray[Any]]:
    """Codes ``0 .. k-1`` (in sorted order of the values) and the ``k`` unique values.

    Integers, booleans and times with a small range use a lookup table (linear
    time); strings, floats, objects and wide integer ranges are sorted.
    Missing keys (``None``, ``NaN``, ``NaT``) are rejected.

    Examples:
        >>> codes, uniques = factorise("by", [30, 10, 30, 20], 4)
        >>> codes.tolist(), uniques.tolist()
        ([2, 0, 2, 1], [10, 20, 30])
    """
    if type(values).__module__.split(".")[0] == "pandas" and hasattr(values, "factorize"):
        try:
            pcodes, puniques = values.factorize(sort=True)
        except TypeError:
            raise fail(name, "group keys that can be ordered (one type)", values) from None
        pcodes = np.asarray(pcodes, dtype=np.int64)
        if pcodes.size != n:
            raise fail(name, f"{n} group keys (one per ticket)", f"{pcodes.size} keys")
        if pcodes.size and pcodes.min() < 0:
            bad = int(np.flatnonzero(pcodes < 0)[0])
            raise fail(f"{name}[{bad}]", "a group key (not missing)", "a missing value")
        return pcodes, np.asarray(puniques)
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError):
        raise fail(name, "an array of group keys", values) from None
    if arr.ndim != 1:
        raise fail(name, "a one-dimensional array of group keys", f"shape {arr.shape}")
    if arr.size != n:
        raise fail(name, f"{n} group keys (one per ticket)", f"{arr.size} keys")
    kind = arr.dtype.kind
    if kind == "M" or kind == "m":
        if np.isnat(arr).any():
            bad = int(np.flatnonzero(np.isnat(arr))[0])
            raise fail(f"{name}[{bad}]", "a group key (not missing)", "NaT")
        dense = _dense(arr.view(np.int64))
        if dense is not None:
            return dense[0], dense[1].view(arr.dtype)
    elif kind in "biu":
        if kind == "u" and arr.dtype.itemsize == 8 and arr.max() > np.iinfo(np.int64).max:
            uniques, inverse = np.unique(arr, return_inverse=True)
            return inverse.astype(np.int64, copy=False).ravel(), uniques
        dense = _dense(arr.astype(np.int64, copy=False))
        if dense is not None:
            return dense[0], dense[1].astype(arr.dtype)
    elif kind == "f":
        if np.isnan(arr).any():
            bad = int(np.flatnonzero(np.isnan(arr))[0])
            raise fail(f"{name}[{bad}]", "a group key (not missing)", float("nan"))
    elif kind == "O":
        missing = np.fromiter((x is None for x in arr), dtype=bool, count=arr.size)
        if missing.any():
            bad = int(np.flatnonzero(missing)[0])
            raise fail(f"{name}[{bad}]", "a group key (not missing)", None)
    elif kind == "U":
        return strings.factorise(arr)
    elif kind != "S":
        raise fail(name, "group keys that are strings, integers, booleans or times", arr.dtype)
    try:
        uniques, inverse = np.unique(arr, return_inverse=True)
    except TypeError:
        raise fail(name, "group keys that can be ordered (one type)", values) from None
    return inverse.astype(np.int64, copy=False).ravel(), uniques


def group(columns: Sequence[Any], n: int, names: Sequence[str] | None = None) -> Grouping:
    """Group ``n`` rows by one or more key columns (lexicographic key order).

    With no column every row is in one group (``keys`` is empty).

    Examples:
        >>> g = group([np.array([1, 1, 2]), np.array(["x", "y", "x"])], 3)
        >>> g.codes.tolist(), [k.tolist() for k in g.keys]
        ([0, 1, 2], [[1, 1, 2], ['x', 'y', 'x']])
    """
    if not columns:
        return Grouping(np.zeros(n, dtype=np.int64), 1 if n else 0, ())
    labels = list(names) if names is not None else [f"by[{i}]" for i in range(len(columns))]
    parts = [factorise(label, col, n) for label, col in zip(labels, columns, strict=True)]
    codes, uniques = parts[0]
    keys: list[npt.NDArray[Any]] = [uniques]
    size = int(uniques.size)
    for more, more_uniques in parts[1:]:
        # Combine two codes, then re-factorise so the code space stays <= n
        # (n * n < 2**62 for any array that fits in memory).
        radix = int(more_uniques.size)
        combined = codes * radix
        combined += more
        dense = _dense(combined)
        if dense is not None:
            codes, present = dense
        else:
            present, inverse = np.unique(combined, return_inverse=True)
            codes = inverse.astype(np.int64, copy=False).ravel()
        keys = [k[present // radix] for k in keys]
        keys.append(more_uniques[present % radix])
        size = int(present.size)
    return Grouping(codes, size, tuple(keys))


def counts(codes: IntArray, size: int, mask: npt.NDArray[np.bool_] | None = None) -> IntArray:
    """Rows per group (only rows where ``mask`` is true, when given).

    Examples:
        >>> counts(np.array([0, 2, 2]), 3).tolist()
        [1, 0, 2]
    """
    if mask is None:
        return np.bincount(codes, minlength=size).astype(np.int64, copy=False)
    # Weighted bincount beats boolean indexing (no gathered copy); exact below 2**53.
    return np.bincount(codes, weights=mask, minlength=size).astype(np.int64)


def sums(
    codes: IntArray,
    size: int,
    values: npt.NDArray[Any],
    mask: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.float64]:
    """Sum of ``values`` per group, in row order (float64).

    Examples:
        >>> sums(np.array([0, 1, 0]), 2, np.array([1.0, 5.0, 2.0])).tolist()
        [3.0, 5.0]
    """
    if mask is not None:
        codes = codes[mask]
        values = values[mask]
    return np.bincount(codes, weights=values, minlength=size).astype(np.float64, copy=False)


def int_sums(codes: IntArray, size: int, values: IntArray) -> IntArray:
    """Exact int64 sum of ``values`` per group (the caller keeps each sum within int64).

    Examples:
        >>> int_sums(np.array([0, 1, 0]), 2, np.array([2**60, 5, 3])).tolist()
        [1152921504606846979, 5]
    """
    out = np.zeros(size, dtype=np.int64)
    if codes.size == 0:
        return out
    order = np.argsort(codes, kind="stable")  # then one reduceat: faster than np.add.at
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    out[sorted_codes[starts]] = np.add.reduceat(values[order], starts)
    return out


def _shift_fits(size: int, values: IntArray) -> tuple[int, int] | None:
    """``(shift, low)`` when ``(code << shift) | (value - low)`` fits in an int64."""
    low = int(values.min())
    span = int(values.max()) - low
    shift = max(span.bit_length(), 1)
    if shift + max(size - 1, 1).bit_length() > 63:
        return None
    return shift, low


def _positions(
    n_per: IntArray, offsets: IntArray, qs: Sequence[float]
) -> list[tuple[IntArray, IntArray, npt.NDArray[np.float64]]]:
    """For each percentile: lower and upper row positions and the weight between them."""
    out = []
    has = n_per > 0
    last = np.maximum(n_per - 1, 0)
    for q in qs:
        h = (q / 100.0) * last.astype(np.float64)
        lo = np.floor(h).astype(np.int64)
        hi = np.minimum(lo + 1, last)
        gamma = h - lo
        lo_pos = np.where(has, offsets + lo, 0)
        hi_pos = np.where(has, offsets + hi, 0)
        out.append((lo_pos, hi_pos, gamma))
    return out


def _lerp(
    a: npt.NDArray[np.float64], b: npt.NDArray[np.float64], t: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    # Same two-sided form as numpy's percentile, so results agree to the last bits.
    diff = b - a
    out = a + diff * t
    upper = t >= 0.5
    out[upper] = (b - diff * (1.0 - t))[upper]
    return out


def quantiles(
    codes: IntArray,
    size: int,
    values: npt.NDArray[Any],
    qs: Sequence[float],
    *,
    scale: float = 1.0,
    method: QuantileMethod = "auto",
) -> list[npt.NDArray[np.float64]]:
    """Percentiles ``qs`` (0-100) of ``values * scale`` per group; NaN for empty groups.

    ``values`` may be int64 (exact, fast path) or float64.  ``method`` picks
    the segmented algorithm (``"auto"``: partition of a combined key when it
    fits, else ``"argsort"``); every method gives the same answer.

    Examples:
        >>> qs = quantiles(np.array([0, 0, 0, 1]), 2, np.array([3, 1, 2, 7]), [50, 90])
        >>> [q.tolist() for q in qs]
        [[2.0, 7.0], [2.8, 7.0]]
    """
    if values.size == 0:
        return [np.full(size, np.nan) for _ in qs]
    n_per = np.bincount(codes, minlength=size).astype(np.int64, copy=False)
    offsets = np.cumsum(n_per) - n_per
    where = _positions(n_per, offsets, qs)
    empty = n_per == 0
    fit = None
    if values.dtype.kind in "iu":
        fit = _shift_fits(size, values)
        if fit is None:
            # Times are often whole seconds (or ms, us): drop the common factor
            # so the values fit beside the group code; still exact.
            step = 1
            for div in (10**3, 10**6, 10**9):
                if (values % div).any():
                    break
                step = div
            if step > 1:
                values = values // step
                scale *= step
                fit = _shift_fits(size, values)
    if method == "auto":
        method = "partition" if fit is not None else "argsort"
    if method in ("partition", "sort") and fit is None:
        method = "argsort"
    if method == "argsort":
        order = np.argsort(values, kind="stable")
        gsorted = codes[order]
        small = np.uint16 if size <= 1 << 16 else np.int64
        order = order[np.argsort(gsorted.astype(small, copy=False), kind="stable")]
        del gsorted
        ordered = values[order]
        del order

        def pick(pos: IntArray) -> npt.NDArray[np.float64]:
            return ordered[pos].astype(np.float64) * scale

    else:
        assert fit is not None
        shift, low = fit
        key = codes.astype(np.int64, copy=True)
        key <<= shift
        if low:
            key += values - low
        else:
            key += values
        if method == "sort":
            key.sort()
        else:
            kth = np.unique(np.concatenate([np.concatenate(w[:2]) for w in where]))
            if kth.size:
                key.partition(kth)
        mask = (1 << shift) - 1

        def pick(pos: IntArray) -> npt.NDArray[np.float64]:
            return ((key[pos] & mask) + low).astype(np.float64) * scale

    results = []
    for lo_pos, hi_pos, gamma in where:
        res = _lerp(pick(lo_pos), pick(hi_pos), gamma)
        res[empty] = np.nan
        results.append(res)
    return results
