"""String columns shared by the ticket tables and the SLA clock (private).

* :func:`strings` coerces a column to a 1-D numpy ``str_`` array (refusing
  anything that is not text);
* :func:`factorise` gives each string a code in sorted order (hashing the
  strings rather than sorting them: several times faster than ``np.unique``
  on millions of rows);
* :func:`grouped` finds the row order that makes each key's rows contiguous;
* :func:`run_starts` gives the first row of each run of equal keys;
* :func:`hash64` hashes each string to 64 bits without a Python loop over the
  rows (one pass per character position), the same for the same text whatever
  the array's width, so two columns of ids can be joined through their hashes
  (a match must still be confirmed on the strings).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays
from itil_ci._internal import validate as v
from itil_ci._internal.columns import native

__all__ = ["factorise", "factorise_first", "grouped", "hash64", "run_starts", "strings"]

Strs = npt.NDArray[np.str_]
Ints = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]


def strings(name: str, value: Any) -> Strs:
    """A 1-D array of strings (numpy ``str_``), the one text-column check; refuses anything else.

    numpy ``str_`` arrays pass as they are; pandas categoricals are looked up
    from their categories and pandas Arrow-backed or ``string`` columns copied
    from Arrow's buffers, without a Python object per row; polars and Arrow
    columns are converted first (:func:`~itil_ci._internal.columns.native`).
    Python lists and object arrays (small inputs) are checked item by item.
    A missing value (``None``, ``NaN``, ``<NA>``) or a non-string is refused
    naming its row.
    """
    value = native(name, value)
    if arrays._is_pandas(value):
        fast = _pandas_text(name, value)
        if fast is not None:
            return fast
        value = value.to_numpy(dtype=object)
    if isinstance(value, str | bytes) or not hasattr(value, "__len__"):
        raise v.fail(name, "a sequence of strings", value)
    arr = value if isinstance(value, np.ndarray) else np.asarray(list(value), dtype=object)
    if arr.ndim != 1:
        raise v.fail(name, "a one-dimensional array of strings", f"array of shape {arr.shape}")
    if arr.dtype.kind == "U":
        return arr
    if arr.size == 0:
        return np.empty(0, dtype="<U1")
    if arr.dtype != object:
        raise v.fail(name, "an array of strings", f"array of dtype {arr.dtype}")
    is_str = np.fromiter((type(x) is str for x in arr), dtype=bool, count=arr.size)
    if not is_str.all():  # the slow path for Python lists and object arrays
        bad = int(np.flatnonzero(~is_str)[0])
        raise v.fail(f"{name}[{bad}]", "a string", arr[bad])
    return arr.astype(np.str_)


def _pandas_text(name: str, series: Any) -> Strs | None:
    """A categorical or string-typed pandas column as ``str_`` (None: not such a column)."""
    import pandas as pd  # a pandas object is in hand

    dtype = getattr(series, "dtype", None)
    is_cat = isinstance(dtype, pd.CategoricalDtype)
    if not (is_cat or isinstance(dtype, pd.StringDtype) or str(dtype) in ("str", "string")):
        return None
    missing = np.asarray(series.isna())
    if missing.any():
        bad = int(np.flatnonzero(missing)[0])
        raise v.fail(f"{name}[{bad}]", "a string (not missing)", "a missing value")
    if is_cat:
        words = strings(name, np.asarray(series.cat.categories, dtype=object))
        out: Strs = words[np.asarray(series.cat.codes, dtype=np.int64)]
        return out
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pandas string columns without pyarrow
        return None
    from itil_ci._internal.arrowtext import unicode

    try:
        arr = pa.array(series)
    except (TypeError, ValueError, pa.ArrowException):  # pragma: no cover - text is text
        return None
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return unicode(pa, arr)
    return None  # pragma: no cover - a string dtype is Arrow text


def run_starts(keys: npt.NDArray[Any]) -> Ints:
    """Index of the first row of each run of equal adjacent keys."""
    if keys.size == 0:
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1]))).astype(np.int64)


#: From this many rows on, :func:`factorise` hashes instead of sorting strings.
HASHED_FROM = 1 << 15


def factorise(values: Strs) -> tuple[Ints, Strs]:
    """Codes ``0 .. k-1`` in sorted order of the strings, and the ``k`` distinct strings.

    The same answer as ``np.unique(values, return_inverse=True)``.  From
    :data:`HASHED_FROM` rows on, the strings are hashed (:func:`hash64`) and
    the 64-bit hashes sorted, which is several times faster than sorting the
    strings; every row is then compared with the first string of its hash, so
    a collision between two distinct strings is caught and answered by the
    plain sort instead.

    Examples:
        >>> codes, words = factorise(np.array(["b", "a", "b", "c"]))
        >>> codes.tolist(), words.tolist()
        ([1, 0, 1, 2], ['a', 'b', 'c'])
    """
    codes, words, _ = factorise_first(values)
    return codes, words


def factorise_first(values: Strs, chunk: int = 1 << 16) -> tuple[Ints, Strs, Ints]:
    """:func:`factorise`, and the first row of each distinct string.

    Examples:
        >>> factorise_first(np.array(["b", "a", "b"]))[2].tolist()
        [1, 0]
    """
    n = values.size
    if n >= HASHED_FROM and values.dtype.kind == "U":
        _, first, inverse = np.unique(hash64(values), return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
        words = values[first]
        exact = all(  # in chunks: no second copy of the column
            np.array_equal(values[lo : lo + chunk], words[inverse[lo : lo + chunk]])
            for lo in range(0, n, chunk)
        )
        if exact:
            order = np.argsort(words, kind="stable")
            rank = np.empty(order.size, dtype=np.int64)
            rank[order] = np.arange(order.size, dtype=np.int64)
            return rank[inverse], words[order], first[order].astype(np.int64, copy=False)
    uniques, first, codes = np.unique(values, return_index=True, return_inverse=True)
    return (
        codes.reshape(-1).astype(np.int64, copy=False),
        uniques,
        first.astype(np.int64, copy=False),
    )


def grouped(ids: Strs) -> Ints | None:
    """Row order that makes each key's rows contiguous (None: already so).

    Keys keep the order of their first row; each key's rows keep their given
    order (a stable sort).
    """
    n = ids.size
    if n < 2:
        return None
    starts = run_starts(ids)
    runs = starts.size
    if runs < HASHED_FROM and np.unique(ids[starts]).size == runs:
        return None  # every key's rows are one run already (few runs: checked directly)
    codes, _, first = factorise_first(ids)
    if runs == first.size:
        return None  # as many runs as keys: each key's rows are one run
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size, dtype=np.int64)
    order: Ints = np.argsort(rank[codes], kind="stable")
    return order


# One odd 64-bit multiplier per character position (fixed: hashes are stable
# across runs).  Position j adds code_point * _MULT[j]: a NUL (the padding of
# numpy's fixed-width strings) adds nothing, so width does not change a hash.
_MULT = np.random.default_rng(0x1D5C10C4).integers(1, 2**63, size=256, dtype=np.uint64) * (
    np.uint64(2)
) + np.uint64(1)


def _mix(h: U64) -> U64:
    """The splitmix64 finaliser, in place (a bijection of 64-bit words)."""
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h


def hash64(values: Strs, chunk: int = 1 << 16, out: U64 | None = None) -> U64:
    """A 64-bit hash of each string; equal strings always get equal hashes.

    Distinct strings collide with a tiny probability, so callers confirm a
    match by comparing the strings themselves.  ``out`` (``n`` words) receives
    the hashes instead of a new array.

    Examples:
        >>> a = hash64(np.array(["INC1", "INC22"]))
        >>> b = hash64(np.array(["INC22", "INC1", "INC1x"]))
        >>> bool(a[0] == b[1]) and bool(a[1] == b[0]) and bool(a[0] != b[2])
        True
    """
    arr = np.ascontiguousarray(values)
    n = arr.size
    width = arr.dtype.itemsize // 4
    if out is None:
        out = np.zeros(n, dtype=np.uint64)
    else:  # the caller's buffer (``n`` words), overwritten
        out[...] = 0
    if n == 0:
        return out
    codes = arr.view(np.uint32).reshape(n, width)
    mult = _multipliers(width)
    word = np.empty(min(chunk, n), dtype=np.uint64)
    for lo in range(0, n, chunk):  # chunks keep the working set in cache
        part = codes[lo : lo + chunk]
        h = out[lo : lo + chunk]
        w = word[: h.size]
        for j in range(width):  # one pass per character position, not per row
            np.multiply(part[:, j], mult[j], out=w, dtype=np.uint64)
            h += w
        _mix(h)
    return out


def _multipliers(width: int) -> U64:
    if width <= _MULT.size:
        return _MULT
    extra = np.random.default_rng(width).integers(1, 2**63, size=width, dtype=np.uint64)
    return np.concatenate((_MULT, extra[_MULT.size :] * np.uint64(2) + np.uint64(1)))
