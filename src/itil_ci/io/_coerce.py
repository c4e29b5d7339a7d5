"""Coercion of user-given columns for :class:`~itil_ci.io.Tickets` (private).

Each function turns one column argument into a numpy array of the field's
dtype or raises the standard :class:`~itil_ci.errors.InvalidInputError`.
numpy arrays of the right dtype pass without a Python loop; pandas, polars and
Arrow columns are converted first; small Python lists are checked element by
element.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays
from itil_ci._internal import validate as v
from itil_ci._internal.columns import native
from itil_ci._internal.strings import strings

NS = "datetime64[ns]"
_INT64_MAX = np.iinfo(np.int64).max


def times(name: str, value: Any, *, required: bool) -> npt.NDArray[np.datetime64]:
    """A 1-D ``datetime64[ns]`` UTC column; ``NaT`` (or ``None``) allowed unless ``required``."""
    return arrays.as_times(name, value, allow_missing=not required)


def text(name: str, value: Any) -> npt.NDArray[np.str_]:
    """A 1-D numpy string column (no missing values; ``""`` is empty)."""
    return strings(name, value)


def ints(name: str, value: Any) -> npt.NDArray[np.int64]:
    """A 1-D ``int64`` column (integers only: no floats, booleans or missing values)."""
    value = native(name, value)
    if arrays._is_pandas(value):
        value = value.to_numpy()
    if isinstance(value, str | bytes) or not hasattr(value, "__len__"):
        raise v.fail(name, "a sequence of integers", value)
    try:
        arr = np.asarray(value)
    except (OverflowError, ValueError, TypeError):
        raise v.fail(name, "a one-dimensional array of integers", value) from None
    if arr.size == 0:
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iu" or arr.ndim != 1:
        raise v.fail(name, "a one-dimensional array of integers", f"array of dtype {arr.dtype}")
    if arr.dtype.kind == "u" and arr.dtype.itemsize == 8 and arr.size and arr.max() > _INT64_MAX:
        bad = int(np.flatnonzero(arr > _INT64_MAX)[0])
        raise v.fail(f"{name}[{bad}]", "an integer within int64", int(arr[bad]))
    return arr.astype(np.int64)


def bools(name: str, value: Any) -> npt.NDArray[np.bool_]:
    """A 1-D boolean column (no missing values)."""
    value = native(name, value)
    if arrays._is_pandas(value):
        value = value.to_numpy()
    if isinstance(value, str | bytes) or not hasattr(value, "__len__"):
        raise v.fail(name, "a sequence of booleans", value)
    arr = np.asarray(value)
    if arr.size == 0:
        arr = arr.astype(bool)
    if arr.dtype != np.bool_ or arr.ndim != 1:
        raise v.fail(name, "a one-dimensional array of booleans", f"array of dtype {arr.dtype}")
    return arr


def floats(name: str, value: Any) -> npt.NDArray[np.float64]:
    """A 1-D ``float64`` column; ``NaN`` is a missing value."""
    return arrays.as_values(name, value, allow_missing=True)
