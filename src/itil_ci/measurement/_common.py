"""Helpers shared by the measurement modules (private)."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays
from itil_ci._internal import validate as v
from itil_ci.domain import KPI, Direction, Series

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


def values_of(name: str, data: Any, *, allow_empty: bool = False) -> F64:
    """A finite 1-D float array from a Series or anything array-like."""
    if isinstance(data, Series):
        if data.missing:
            bad = int(np.flatnonzero(np.isnan(data.values))[0])
            raise v.fail(f"{name}[{bad}]", "a number (missing values are not allowed here)", "nan")
        x = data.values
    else:
        x = arrays.as_values(name, data)
    if not allow_empty and x.size == 0:
        raise v.fail(name, "at least one value", "an empty array")
    return x


def too_large(name: str, what: str, *groups: F64) -> Exception:
    """The error for finite values whose arithmetic would overflow float64."""
    big = max((float(np.max(np.abs(g))) for g in groups if g.size), default=0.0)
    return v.fail(name, f"values small enough to {what} without overflow", f"values up to {big:g}")


@contextlib.contextmanager
def no_overflow(name: str, what: str, *groups: F64) -> Iterator[None]:
    """Run numpy arithmetic with overflow (and inf - inf) raised as InvalidInputError."""
    try:
        with np.errstate(over="raise", invalid="raise"):
            yield
    except FloatingPointError:
        raise too_large(name, what, *groups) from None


_TINY = 2.0**-256  # below this, squares (a std's) lose precision or underflow to 0


def scaled(f: Callable[[F64], Any], x: F64, name: str, what: str) -> float:
    """``f(x)`` for a positively homogeneous statistic (``f(c·x) = c·f(x)``, ``c > 0``).

    Computed directly when that neither overflows nor underflows; otherwise
    on ``x`` scaled by a power of two (exact) so that its largest magnitude is
    about 1, and scaled back.  So a mean or percentile of huge but finite
    values is still found, and the standard deviation of tiny values
    (``max|x| < 2**-256``, whose squares would underflow) is not 0; an answer
    beyond float64 is an InvalidInputError.
    """
    with np.errstate(over="raise", invalid="raise"):
        big = max(float(np.max(x)), -float(np.min(x))) if x.size else 0.0
        if not 0.0 < big < _TINY:
            try:
                return float(f(x))
            except FloatingPointError:
                pass
        e = math.frexp(big)[1]
        try:
            return math.ldexp(float(f(np.ldexp(x, -e))), e)
        except (FloatingPointError, OverflowError):
            raise too_large(name, what, x) from None


def direction_of(name: str, value: object, *, allow_none: bool = False) -> Direction | None:
    """A Direction from a Direction, its value, ``"higher"``/``"lower"`` or a KPI."""
    if isinstance(value, KPI):
        value = value.direction
        if value is None and not allow_none:
            raise v.fail(name, "a KPI with a direction", "a KPI without one")
    if value is None:
        if allow_none:
            return None
        raise v.fail(name, "'higher' or 'lower' (or a Direction)", None)
    try:
        return Direction.parse(value)
    except Exception:
        raise v.fail(name, "'higher', 'lower' or a Direction", value) from None


def normal_sf(z: float) -> float:
    """Upper tail of the standard normal distribution, accurate far out."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def two_sided_p(z: float) -> float:
    """Two-sided normal p-value of ``z``."""
    return min(1.0, math.erfc(abs(z) / math.sqrt(2.0)))


def dense_rank(x: npt.NDArray[Any]) -> tuple[I64, I64]:
    """Dense ranks (0-based, ties share a rank) and the size of each tie group."""
    order = np.argsort(x, kind="stable")
    sx = x[order]
    new = np.empty(sx.size, dtype=bool)
    if sx.size:
        new[0] = True
        np.not_equal(sx[1:], sx[:-1], out=new[1:])
    dense = np.cumsum(new, dtype=np.int64) - 1
    rank = np.empty(x.size, dtype=np.int64)
    rank[order] = dense
    sizes = np.diff(np.append(np.flatnonzero(new), sx.size)).astype(np.int64)
    return rank, sizes


def average_rank(x: F64) -> tuple[F64, I64]:
    """Average ranks (1-based, ties get the mean rank) and tie group sizes."""
    order = np.argsort(x, kind="stable")
    sx = x[order]
    new = np.empty(sx.size, dtype=bool)
    if sx.size:
        new[0] = True
        np.not_equal(sx[1:], sx[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    sizes = np.diff(np.append(starts, sx.size)).astype(np.int64)
    mean_rank = starts + (sizes + 1) / 2.0
    ranks = np.empty(x.size, dtype=np.float64)
    ranks[order] = np.repeat(mean_rank, sizes)
    return ranks, sizes
