"""Criteria: what options are scored on, how much each counts and which way is better."""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import display
from itil_ci._internal import validate as v

__all__ = ["Criterion", "CriterionDirection", "as_criteria", "normalised_weights"]


class CriterionDirection(enum.Enum):
    """Which way a criterion is better: more is better (benefit) or less is (cost).

    The strings ``"benefit"``/``"cost"`` work wherever a direction is asked
    for, and so do the KPI directions ``"higher-is-better"``/``"lower-is-better"``
    (and ``"higher"``/``"lower"``).

    Examples:
        >>> CriterionDirection.parse("lower")
        <CriterionDirection.COST: 'cost'>
    """

    BENEFIT = "benefit"
    COST = "cost"

    @classmethod
    def parse(cls, value: object) -> CriterionDirection:
        """Read a direction from a member, ``"benefit"``/``"cost"`` or a KPI direction.

        Examples:
            >>> CriterionDirection.parse("benefit").value
            'benefit'
        """
        if isinstance(value, enum.Enum) and not isinstance(value, cls):
            value = value.value
        if isinstance(value, str):
            key = value.strip().lower()
            if key in ("higher", "higher-is-better", "max", "maximise", "maximize"):
                return cls.BENEFIT
            if key in ("lower", "lower-is-better", "min", "minimise", "minimize"):
                return cls.COST
        return v.member("direction", cls, value)


def _c_direction(value: Any) -> Any:
    try:
        return CriterionDirection.parse(value)
    except ValueError:
        return value


def _v_weight(inst: Criterion, attribute: attrs.Attribute[float], value: object) -> None:
    v.number("Criterion.weight", value, minimum=0)


@attrs.frozen
class Criterion:
    """One criterion: a ``name``, a ``weight`` (a number >= 0) and a ``direction``.

    ``direction`` is ``"benefit"`` (more is better, the default) or ``"cost"``
    (less is better), or a :class:`CriterionDirection`.  Weights need not sum
    to one: every function rescales the weights of the criteria it is given
    to sum to 1 (see :func:`normalised_weights`), so ``(2, 1, 1)`` and
    ``(0.5, 0.25, 0.25)`` mean the same.  A negative weight is an error here;
    all-zero weights are an error where the criteria are used.

    Examples:
        >>> c = Criterion("effort", 2, "cost")
        >>> c.direction.value, c.weight
        ('cost', 2.0)
        >>> Criterion("risk", -1)
        Traceback (most recent call last):
        ...
        itil_ci.errors.InvalidInputError: Criterion.weight: expected a number >= 0, got -1
    """

    name: str = attrs.field(validator=v.v_text(allow_empty=False))
    weight: float = attrs.field(default=1.0, converter=v.c_real, validator=_v_weight)
    direction: CriterionDirection = attrs.field(
        default=CriterionDirection.BENEFIT,
        converter=_c_direction,
        validator=v.v_enum(CriterionDirection),
    )

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "weight", float(self.weight))

    @property
    def is_cost(self) -> bool:
        """Whether less is better for this criterion.

        Examples:
            >>> Criterion("effort", 1, "cost").is_cost
            True
        """
        return self.direction is CriterionDirection.COST

    def _repr_html_(self) -> str:
        return display.html(self)


def as_criteria(criteria: object, name: str = "criteria") -> tuple[Criterion, ...]:
    """Check and coerce ``criteria`` to a tuple of :class:`Criterion`.

    Accepted: a sequence of :class:`Criterion` objects or of tuples
    ``(name, weight)`` / ``(name, weight, direction)``.  Names must be unique.

    Examples:
        >>> [c.name for c in as_criteria([("value", 3), ("effort", 1, "cost")])]
        ['value', 'effort']
    """
    v.text("name", name, allow_empty=False)
    if isinstance(criteria, Criterion):
        criteria = [criteria]
    if isinstance(criteria, str | bytes) or not isinstance(criteria, Sequence):
        raise v.fail(name, "a list of Criterion objects", criteria)
    if len(criteria) == 0:
        raise v.fail(name, "at least one criterion", criteria)
    out: list[Criterion] = []
    for i, item in enumerate(criteria):
        if isinstance(item, Criterion):
            out.append(item)
        elif isinstance(item, tuple | list) and 1 <= len(item) <= 3:
            try:
                out.append(Criterion(*item))
            except ValueError as exc:
                raise v.fail(f"{name}[{i}]", f"a valid criterion ({exc})", item) from None
        else:
            raise v.fail(f"{name}[{i}]", "a Criterion or a (name, weight, direction) tuple", item)
    v.unique(f"{name} names", (c.name for c in out))
    return tuple(out)


def normalised_weights(criteria: Sequence[Criterion]) -> npt.NDArray[np.float64]:
    """The criteria's weights rescaled to sum to 1.

    All-zero weights raise :class:`~itil_ci.errors.InvalidInputError`.

    Examples:
        >>> normalised_weights([Criterion("a", 3), Criterion("b", 1)]).tolist()
        [0.75, 0.25]
    """
    crit = as_criteria(criteria)
    w = np.array([c.weight for c in crit], dtype=np.float64)
    top = float(w.max())
    if not top > 0:
        raise v.fail("criteria weights", "at least one weight > 0", w.tolist())
    # Weights near 1.8e308 would sum to inf (and divide to zeros): scale by a power of
    # two first, which is exact and changes no ratio.
    w = np.ldexp(w, -math.frexp(top)[1])
    out: npt.NDArray[np.float64] = w / w.sum()
    return out


def _cost_mask(criteria: Sequence[Criterion]) -> npt.NDArray[np.bool_]:
    return np.array([c.is_cost for c in criteria], dtype=bool)
