"""Input resolution shared by the prioritisation functions (private).

Every public function takes either raw numbers (a matrix or arrays) or a
sequence of :class:`~itil_ci.domain.Opportunity` objects plus ``keys``, a
mapping from the function's inputs (criterion names, or argument names such
as ``"reach"``) to *score keys*.  A score key is read from an opportunity as:

* ``"effort"`` or ``"expected_benefit"``: that attribute of the opportunity;
* ``"scores.<name>"``: the entry ``<name>`` of ``Opportunity.scores``;
* any other string: the entry of ``Opportunity.scores`` with that name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays
from itil_ci._internal.validate import fail
from itil_ci.domain.opportunity import Opportunity
from itil_ci.errors import InvalidInputError

ATTRIBUTE_KEYS = ("effort", "expected_benefit")


def is_opportunities(data: object) -> bool:
    """Whether ``data`` is a non-empty list/tuple of Opportunity objects.

    An empty list is read as zero options of raw numbers.
    """
    if not isinstance(data, list | tuple):
        return False
    return len(data) > 0 and isinstance(data[0], Opportunity)


def check_keys(keys: object, needed: Sequence[str], defaults: Mapping[str, str]) -> dict[str, str]:
    """Resolve the score key of every name in ``needed``."""
    if keys is None:
        keys = {}
    if not isinstance(keys, Mapping):
        raise fail("keys", "a mapping from input names to score keys", keys)
    unknown = [k for k in keys if k not in needed]
    if unknown:
        raise fail("keys", f"keys among {', '.join(map(repr, needed))}", unknown[0])
    out: dict[str, str] = {}
    for name in needed:
        key = keys.get(name, defaults.get(name, name))
        if not isinstance(key, str) or not key:
            raise fail(f"keys[{name!r}]", "a non-empty score key", key)
        out[name] = key
    return out


def read_column(opps: Sequence[Any], name: str, key: str) -> npt.NDArray[np.float64]:
    """Read one score key from every opportunity, with a clear error if one lacks it."""
    if not isinstance(key, str) or not key:
        raise fail(name, "a non-empty score key (a string)", key)
    out = np.empty(len(opps), dtype=np.float64)
    attr = key in ATTRIBUTE_KEYS
    sub = key[len("scores.") :] if key.startswith("scores.") else key
    for i, opp in enumerate(opps):
        if not isinstance(opp, Opportunity):
            raise fail(f"opportunities[{i}]", "an Opportunity", opp)
        value = getattr(opp, key) if attr else opp.scores.get(sub)
        if value is None:
            where = f"Opportunity.{key}" if attr else f"Opportunity.scores[{sub!r}]"
            have = ", ".join(sorted(opp.scores)) or "none"
            raise InvalidInputError(
                f"opportunity {opp.id!r} (opportunities[{i}]) has no {where}, needed for "
                f"{name!r}; its scores are: {have}; map {name!r} to another key with "
                f"keys={{{name!r}: ...}}"
            )
        # Opportunity validates scores on construction, but its dict can be changed later.
        try:
            if not isinstance(value, int | float | np.integer | np.floating) or isinstance(
                value, bool
            ):
                raise TypeError
            out[i] = float(value)
        except (TypeError, ValueError, OverflowError):
            raise fail(
                f"opportunity {opp.id!r} (opportunities[{i}]) {key}", "a number", value
            ) from None
    if not np.isfinite(out).all():
        bad = int(np.flatnonzero(~np.isfinite(out))[0])
        raise fail(f"opportunity {opps[bad].id!r} {key}", "a finite number", float(out[bad]))
    return out


def ids_of(opps: Sequence[Any]) -> tuple[str, ...]:
    """The ids of the opportunities, checked to be unique."""
    ids = tuple(o.id for o in opps)
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        for i in ids:
            if i in seen:
                raise fail("opportunities", "opportunities with unique ids", i)
            seen.add(i)
    return ids


def as_matrix(name: str, data: Any, n_criteria: int | None = None) -> npt.NDArray[np.float64]:
    """Coerce a raw matrix (options × criteria) to finite float64, checked once.

    Numbers are checked by the shared validator (:func:`itil_ci._internal.arrays.as_numbers`):
    strings, booleans, complex numbers and other objects are refused.  An
    empty list is zero options (of ``n_criteria`` criteria, or of none).
    """
    arr = arrays.as_numbers(name, data)
    if arr.ndim == 1 and (n_criteria == 1 or arr.size == 0):
        arr = arr.reshape(0 if arr.size == 0 else -1, n_criteria or 0)
    if arr.ndim != 2:
        raise fail(name, "a 2-D array of numbers (options × criteria)", f"shape {arr.shape}")
    if n_criteria is not None and arr.shape[1] != n_criteria:
        raise fail(
            name,
            f"{n_criteria} columns (one per criterion)",
            f"{arr.shape[1]} columns (shape {arr.shape})",
        )
    return arr


def as_vector(name: str, data: Any, *, minimum: float | None = None) -> npt.NDArray[np.float64]:
    """Coerce a 1-D array of finite numbers (a scalar becomes length 1), by the shared validator."""
    arr = arrays.as_numbers(name, data)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise fail(name, "a one-dimensional array of numbers", f"shape {arr.shape}")
    if minimum is not None and arr.size and not (arr >= minimum).all():
        bad = int(np.flatnonzero(~(arr >= minimum))[0])
        raise fail(f"{name}[{bad}]", f"a number >= {minimum:g}", float(arr[bad]))
    return arr
