"""Single-formula prioritisation models: value/effort, WSJF, RICE, ICE, ITIL priority.

Each takes arrays (one value per option) or, as its first argument, a list of
:class:`~itil_ci.domain.Opportunity` objects with ``keys`` mapping the
argument names to score keys (defaults below); given opportunities, the
scoring models return a :class:`~itil_ci.domain.Ranking`.  Arrays must all
have the same length (a length-1 array is not stretched: the error names both
arguments); a single number (not in a list) applies to every option.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays, display
from itil_ci._internal.validate import choice, fail, is_real, number
from itil_ci.domain.ranking import Ranking
from itil_ci.prioritisation import _inputs
from itil_ci.prioritisation.ranking import _ranks

__all__ = [
    "ITIL_PRIORITY_MATRIX",
    "Quadrant",
    "ValueEffort",
    "ice",
    "itil_priority",
    "rice",
    "value_effort",
    "wsjf",
]


def _columns(
    first: Any,
    rest: tuple[Any, ...],
    names: tuple[str, ...],
    keys: Mapping[str, str] | None,
    defaults: Mapping[str, str],
    minimum: float | None = 0.0,
) -> tuple[list[npt.NDArray[np.float64]], tuple[str, ...] | None, tuple[str, ...]]:
    """Arrays for each input name, from arrays or from opportunities + keys."""
    if _inputs.is_opportunities(first):
        given = [i for i, r in enumerate(rest) if r is not None]
        if given:
            raise fail(
                names[given[0] + 1],
                "to be left out when opportunities are given (use keys=)",
                rest[given[0]],
            )
        resolved = _inputs.check_keys(keys, names, defaults)
        ids = _inputs.ids_of(first)
        cols = [_inputs.read_column(first, n, resolved[n]) for n in names]
        for n, col in zip(names, cols, strict=True):
            if minimum is not None and col.size and not (col >= minimum).all():
                i = int(np.flatnonzero(~(col >= minimum))[0])
                raise fail(
                    f"opportunity {ids[i]!r} {resolved[n]}", f"a number >= {minimum:g}", col[i]
                )
        return cols, ids, tuple(resolved[n] for n in names)
    if keys is not None:
        raise fail("keys", "None for arrays (keys map inputs to opportunity scores)", keys)
    values = (first, *rest)
    cols = []
    lead: tuple[str, int] | None = None  # the first argument given as an array, and its length
    for n, val in zip(names, values, strict=True):
        if val is None:
            raise fail(n, "an array of numbers", val)
        col = _inputs.as_vector(n, val, minimum=minimum)
        if not is_real(val):  # an array (even of length 1) must match the others exactly
            if lead is None:
                lead = (n, col.size)
            elif col.size != lead[1]:
                raise fail(
                    n,
                    f"arrays of one length ({lead[1]} values, as many as {lead[0]})",
                    f"{col.size} values",
                )
        cols.append(col)
    if lead is not None:  # single numbers apply to every option
        cols = [c if c.size == lead[1] else np.broadcast_to(c, lead[1]) for c in cols]
    return cols, None, ()


def _positive(name: str, col: npt.NDArray[np.float64], ids: tuple[str, ...] | None) -> None:
    if col.size and not (col > 0).all():
        i = int(np.flatnonzero(~(col > 0))[0])
        where = f"opportunity {ids[i]!r} {name}" if ids else f"{name}[{i}]"
        raise fail(where, "a number > 0 (it divides)", float(col[i]))


def _product(
    factors: list[npt.NDArray[np.float64]], divisor: npt.NDArray[np.float64] | None = None
) -> npt.NDArray[np.float64]:
    """``prod(factors) / divisor`` without intermediate overflow or underflow.

    Mantissas and exponents are multiplied separately (``frexp``), so a score
    whose true value is a float64 is found however large the factors, and a
    zero factor gives 0 (never ``inf * 0``).  In the normal range the result
    is the same float as the direct product (scaling by 2**k is exact); a true
    score beyond float64 is ``inf`` (refused by :func:`_finite`).
    """
    mantissa, exponent = np.frexp(factors[0])
    exponent = exponent.astype(np.int64)
    for f in factors[1:]:
        m, e = np.frexp(f)
        mantissa = mantissa * m
        exponent = exponent + e
    if divisor is not None:
        m, e = np.frexp(divisor)
        mantissa = mantissa / m
        exponent = exponent - e
    with np.errstate(over="ignore", under="ignore"):
        out: npt.NDArray[np.float64] = np.ldexp(mantissa, np.clip(exponent, -2200, 2200))
    return out


def _sum(cols: list[npt.NDArray[np.float64]], divisor: float | npt.NDArray[np.float64]) -> Any:
    """``sum(cols) / divisor``; where the sum overflows, summed at a quarter scale (exact)."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = sum(cols[1:], cols[0]) / divisor
        bad = ~np.isfinite(out)
        if bad.any():
            quarter = sum((c * 0.25 for c in cols[1:]), cols[0] * 0.25) / divisor
            out = np.where(bad, quarter * 4.0, out)
    return out


def _finite(
    names: tuple[str, ...],
    model: str,
    scores: npt.NDArray[np.float64],
    ids: tuple[str, ...] | None,
    keys: tuple[str, ...] = (),
) -> npt.NDArray[np.float64]:
    """Reject scores whose true value is beyond float64 (finite inputs near 1e308)."""
    bad = ~np.isfinite(scores)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        inputs = "/".join(keys or names)
        where = f"opportunity {ids[i]!r} {inputs}" if ids else f"{inputs}[{i}]"
        raise fail(
            where,
            f"inputs small enough for a finite {model} score (this one overflows float64; "
            "rescale them, e.g. reach in thousands)",
            float(scores[i]),
        )
    return scores


def _result(
    scores: npt.NDArray[np.float64],
    ids: tuple[str, ...] | None,
    keys: tuple[str, ...],
    model: str,
    names: tuple[str, ...],
    parameters: tuple[tuple[str, str], ...] = (),
) -> Any:
    _finite(names, model, scores, ids, keys)
    if ids is None:
        return scores
    return Ranking(
        ids=ids,
        scores=scores,
        ranks=_ranks(scores, "min", True),
        model=model,
        criteria=names,
        keys=keys,
        parameters=parameters,
    )


def wsjf(
    business_value: Any,
    time_criticality: Any = None,
    risk_reduction: Any = None,
    job_size: Any = None,
    *,
    keys: Mapping[str, str] | None = None,
) -> Any:
    """Weighted Shortest Job First (SAFe): cost of delay divided by job size.

    Cost of delay = user-business value + time criticality + risk reduction
    and/or opportunity enablement; all inputs >= 0 (SAFe scores them on a
    modified Fibonacci scale), ``job_size`` > 0.  With opportunities the
    default keys are the argument names (entries of ``Opportunity.scores``).

    Examples:
        >>> wsjf([8, 3], [5, 1], [2, 1], [5, 1]).tolist()
        [3.0, 5.0]
    """
    names = ("business_value", "time_criticality", "risk_reduction", "job_size")
    cols, ids, used = _columns(
        business_value, (time_criticality, risk_reduction, job_size), names, keys, {}
    )
    _positive("job_size", cols[3], ids)
    scores = _sum(cols[:3], cols[3])
    return _result(scores, ids, used, "wsjf", names)


def rice(
    reach: Any,
    impact: Any = None,
    confidence: Any = None,
    effort: Any = None,
    *,
    keys: Mapping[str, str] | None = None,
) -> Any:
    """RICE (Intercom): reach × impact × confidence / effort.

    ``confidence`` is a fraction in [0, 1] (write 0.8 for 80 %); ``effort``
    must be > 0 (person-months in the original).  With opportunities the
    default keys are the argument names, so ``effort`` reads
    ``Opportunity.effort``.  A zero factor gives 0, and huge factors are
    multiplied without intermediate overflow; only a score beyond float64 is
    an :class:`~itil_ci.errors.InvalidInputError`.

    Examples:
        >>> rice([1000, 200], [2, 3], [0.8, 1.0], [4, 1]).tolist()
        [400.0, 600.0]
    """
    names = ("reach", "impact", "confidence", "effort")
    cols, ids, used = _columns(reach, (impact, confidence, effort), names, keys, {})
    conf = cols[2]
    if conf.size and not (conf <= 1).all():
        i = int(np.flatnonzero(~(conf <= 1))[0])
        raise fail("confidence", "a fraction in [0, 1] (0.8 for 80 %)", float(conf[i]))
    _positive("effort", cols[3], ids)
    scores = _product(cols[:3], cols[3])
    return _result(scores, ids, used, "rice", names)


def ice(
    impact: Any,
    confidence: Any = None,
    ease: Any = None,
    *,
    combine: Literal["product", "mean"] = "product",
    keys: Mapping[str, str] | None = None,
) -> Any:
    """ICE: impact, confidence and ease (each typically 1-10), combined.

    ``combine="product"`` (the default, as Sean Ellis introduced it)
    multiplies the three; ``"mean"`` averages them, a common variant.  Both
    are computed without intermediate overflow (the mean of three 1e308 is
    1e308); only a product beyond float64 is refused.

    Examples:
        >>> ice([8, 5], [5, 9], [2, 9]).tolist()
        [80.0, 405.0]
        >>> ice([8, 5], [5, 9], [2, 9], combine="mean").round(2).tolist()
        [5.0, 7.67]
    """
    choice("combine", combine, ("product", "mean"))
    names = ("impact", "confidence", "ease")
    cols, ids, used = _columns(impact, (confidence, ease), names, keys, {})
    scores = _product(cols) if combine == "product" else _sum(cols, 3.0)
    return _result(scores, ids, used, "ice", names, (("combine", combine),))


class Quadrant(enum.Enum):
    """The four boxes of a value/effort matrix.

    Examples:
        >>> Quadrant(value_effort([8, 3], [2, 6]).quadrant[0])
        <Quadrant.QUICK_WIN: 'quick-win'>
    """

    QUICK_WIN = "quick-win"
    MAJOR_PROJECT = "major-project"
    FILL_IN = "fill-in"
    THANKLESS_TASK = "thankless-task"


_QUADRANT_LABELS = np.array([q.value for q in Quadrant])


@attrs.frozen
class ValueEffort:
    """Value/effort ratios and quadrants, one per option.

    ``quadrant`` holds the :class:`Quadrant` values as strings; ``ids`` the
    opportunity ids when opportunities were given.

    Examples:
        >>> r = value_effort([8, 3, 9, 2], [2, 1, 8, 6])
        >>> r.ratio.tolist()[:2], r.value_split, r.effort_split
        ([4.0, 3.0], 5.5, 4.0)
        >>> r.quadrant.tolist()
        ['quick-win', 'fill-in', 'major-project', 'thankless-task']
    """

    ratio: npt.NDArray[np.float64] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    quadrant: npt.NDArray[np.str_] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    value_split: float
    effort_split: float
    ids: tuple[str, ...] = ()
    method: str = "value-effort"

    def ranking(self) -> Ranking:
        """The options ranked by ratio (needs ids: only for opportunities).

        Examples:
            >>> from itil_ci.domain import Opportunity
            >>> o = [Opportunity("A", id="a", expected_benefit=8, effort=4),
            ...      Opportunity("B", id="b", expected_benefit=3, effort=1)]
            >>> value_effort(o).ranking().order
            ('b', 'a')
        """
        if not self.ids:
            raise fail("ids", "opportunity ids (call value_effort with opportunities)", ())
        return Ranking(
            ids=self.ids,
            scores=self.ratio,
            ranks=_ranks(self.ratio, "min", True),
            model="value-effort",
            keys=("value", "effort"),
        )

    def _repr_html_(self) -> str:
        return display.html(self)


def _median(x: npt.NDArray[np.float64]) -> float:
    """The median, without overflow when the middle two values are near 1e308."""
    with np.errstate(over="ignore"):
        mid = float(np.median(x))
    return mid if np.isfinite(mid) else float(np.median(x / 2)) * 2


def value_effort(
    value: Any,
    effort: Any = None,
    *,
    value_split: float | None = None,
    effort_split: float | None = None,
    keys: Mapping[str, str] | None = None,
) -> ValueEffort:
    """The value/effort ratio and quadrant of each option.

    Quadrants: high value & low effort = quick win, high value & high effort
    = major project, low value & low effort = fill-in, low value & high
    effort = thankless task.  A value (effort) on or above its split counts
    as high; the splits default to the median of the values (efforts) given.
    ``effort`` must be > 0.  With opportunities, ``value`` reads
    ``Opportunity.expected_benefit`` and ``effort`` ``Opportunity.effort``
    unless ``keys`` says otherwise.

    Examples:
        >>> r = value_effort([8, 8, 2, 2], [1, 5, 1, 5], value_split=5, effort_split=3)
        >>> r.quadrant.tolist()
        ['quick-win', 'major-project', 'fill-in', 'thankless-task']
        >>> r.ratio.tolist()
        [8.0, 1.6, 2.0, 0.4]
    """
    names = ("value", "effort")
    cols, ids, used = _columns(value, (effort,), names, keys, {"value": "expected_benefit"})
    val, eff = cols
    _positive("effort", eff, ids)
    vs = _median(val) if value_split is None and val.size else value_split
    es = _median(eff) if effort_split is None and eff.size else effort_split
    vs = number("value_split", 0.0 if vs is None else vs)
    es = number("effort_split", 0.0 if es is None else es)
    assert vs is not None
    assert es is not None
    code = np.where(val >= vs, 0, 2) + np.where(eff >= es, 1, 0)
    with np.errstate(over="ignore"):
        ratio = _finite(names, "value_effort", val / eff, ids, used)
    return ValueEffort(
        ratio=arrays.readonly(ratio),
        quadrant=arrays.readonly(_QUADRANT_LABELS[code]),
        value_split=vs,
        effort_split=es,
        ids=ids or (),
    )


#: ITIL's default priority matrix: rows impact 1 (high) to 3 (low), columns
#: urgency 1 (high) to 3 (low), entries priority 1 (critical) to 5 (planning).
ITIL_PRIORITY_MATRIX: npt.NDArray[np.int64] = arrays.readonly(
    np.array([[1, 2, 3], [2, 3, 4], [3, 4, 5]], dtype=np.int64)
)


def _levels(name: str, x: npt.NDArray[np.float64], size: int) -> npt.NDArray[np.int64]:
    ok = (x == np.round(x)) & (x >= 1) & (x <= size)
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        raise fail(f"{name}[{i}]", f"a whole number from 1 (high) to {size} (low)", float(x[i]))
    return x.astype(np.int64)


def itil_priority(
    impact: Any,
    urgency: Any = None,
    *,
    matrix: Any = None,
    keys: Mapping[str, str] | None = None,
) -> Any:
    """ITIL priority from impact × urgency (1 = high), by table look-up.

    The default table is :data:`ITIL_PRIORITY_MATRIX` (impact 1: priorities
    1, 2, 3; impact 2: 2, 3, 4; impact 3: 3, 4, 5).  A custom ``matrix`` of
    any shape (rows = impact levels, columns = urgency levels, entries
    positive whole numbers) may be given.  Two numbers give a number;
    arrays give an array; opportunities (default keys ``"impact"`` and
    ``"urgency"``) give a :class:`~itil_ci.domain.Ranking` whose scores are
    the priorities, ranked lowest number first (``higher_is_better`` False).

    Examples:
        >>> itil_priority(1, 2)
        2
        >>> itil_priority([1, 2, 3], [3, 3, 3]).tolist()
        [3, 4, 5]
    """
    if matrix is None:
        table = ITIL_PRIORITY_MATRIX
    else:
        table_f = arrays.as_numbers("matrix", matrix)
        if (
            table_f.ndim != 2
            or table_f.size == 0
            or not np.isfinite(table_f).all()
            or (table_f != np.round(table_f)).any()
            or (table_f < 1).any()
        ):
            raise fail("matrix", "a non-empty 2-D table of whole numbers >= 1", matrix)
        table = table_f.astype(np.int64)
    scalar = is_real(impact) and is_real(urgency)
    names = ("impact", "urgency")
    cols, ids, used = _columns(impact, (urgency,), names, keys, {}, minimum=None)
    i = _levels("impact", np.asarray(cols[0], dtype=np.float64), table.shape[0])
    u = _levels("urgency", np.asarray(cols[1], dtype=np.float64), table.shape[1])
    prio = table[i - 1, u - 1]
    if ids is not None:
        return Ranking(
            ids=ids,
            scores=prio.astype(np.float64),
            ranks=_ranks(prio.astype(np.float64), "min", False),
            model="itil-priority",
            criteria=names,
            keys=used,
            higher_is_better=False,
        )
    if scalar:
        return int(prio[0])
    return prio
