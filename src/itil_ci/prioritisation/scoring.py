"""Multi-criteria scores: weighted sum, TOPSIS, and each criterion's contribution."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays
from itil_ci._internal.validate import fail, is_whole
from itil_ci.domain.ranking import Ranking
from itil_ci.prioritisation import _inputs
from itil_ci.prioritisation.criteria import (
    Criterion,
    _cost_mask,
    as_criteria,
    normalised_weights,
)
from itil_ci.prioritisation.normalise import Normalisation, _affine, _check_method, _column_extremes
from itil_ci.prioritisation.ranking import _ranks

__all__ = ["Explanation", "explain", "topsis", "weighted_sum"]

_CHUNK = 16384


@attrs.frozen
class _Prepared:
    x: npt.NDArray[np.float64]
    crit: tuple[Criterion, ...]
    w: npt.NDArray[np.float64]
    cost: npt.NDArray[np.bool_]
    ids: tuple[str, ...] | None
    keys: tuple[str, ...]


def _prepare(data: Any, criteria: Any, keys: Mapping[str, str] | None) -> _Prepared:
    """Validate once: the matrix (or opportunities + keys) and the criteria."""
    crit = as_criteria(criteria)
    w = normalised_weights(crit)
    names = [c.name for c in crit]
    if _inputs.is_opportunities(data):
        resolved = _inputs.check_keys(keys, names, {})
        ids = _inputs.ids_of(data)
        x = np.empty((len(data), len(crit)), dtype=np.float64)
        for j, name in enumerate(names):
            x[:, j] = _inputs.read_column(data, name, resolved[name])
        return _Prepared(x, crit, w, _cost_mask(crit), ids, tuple(resolved[n] for n in names))
    if keys is not None:
        raise fail("keys", "None for a matrix (keys map criteria to opportunity scores)", keys)
    x = _inputs.as_matrix("matrix", data, len(crit))
    return _Prepared(x, crit, w, _cost_mask(crit), None, ())


def _to_ranking(p: _Prepared, scores: npt.NDArray[np.float64], model: str, norm: str) -> Ranking:
    """Wrap scores of opportunities as a Ranking (ranks with ties="min")."""
    assert p.ids is not None
    return Ranking(
        ids=p.ids,
        scores=scores,
        ranks=_ranks(scores, "min", True),
        model=model,
        criteria=tuple(c.name for c in p.crit),
        weights=p.w,
        directions=tuple(c.direction.value for c in p.crit),
        keys=p.keys,
        normalise=norm,
    )


def _ideals(
    x: npt.NDArray[np.float64], c: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """TOPSIS ideal and anti-ideal raw values per column, for ``normalised = c * x + const``.

    The ideal is the column maximum where ``c >= 0`` (higher normalised is
    better) and the minimum where ``c < 0``; the anti-ideal the other one.
    Shared by :func:`topsis` and the robustness simulation so they agree.
    """
    if x.shape[0]:
        lo, hi = _column_extremes(x)
    else:
        lo = hi = np.zeros(x.shape[1])
    return np.where(c >= 0, hi, lo), np.where(c >= 0, lo, hi)


def _scaled_gaps(
    x: npt.NDArray[np.float64],
    c: npt.NDArray[np.float64],
    ideal: npt.NDArray[np.float64],
    anti: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``c * (x - ideal)`` and ``c * (x - anti)`` divided by one common power of two.

    For inputs so large that the plain gaps or their squares overflow, or so
    small that they underflow: each column is first brought to a largest
    magnitude of about 1 by a power of two (exact, so subnormal values keep
    their digits), its weight takes the inverse power, and every gap is then
    divided by the power of two of the largest column, so the largest gap is
    at most 2 in size.  TOPSIS closeness ``d⁻ / (d⁺ + d⁻)`` does not change
    when all distances are divided by the same factor.
    """
    top = np.maximum(np.abs(ideal), np.abs(anti))
    shift = -np.frexp(top)[1]  # column j times 2**shift[j] has magnitude below 1
    mant, expo = np.frexp(c)
    scale = (
        expo.astype(np.int64) - shift
    )  # gap_j = (x_j - ref_j) * 2**shift_j * mant_j * 2**scale_j
    live = (c != 0) & (ideal != anti)
    if not live.any():
        return np.zeros_like(x), np.zeros_like(x)
    coef = np.ldexp(mant, np.where(live, scale - int(scale[live].max()), 0))
    xs = np.ldexp(x, shift)
    return (xs - np.ldexp(ideal, shift)) * coef, (xs - np.ldexp(anti, shift)) * coef


def _gaps_out_of_range(
    c: npt.NDArray[np.float64], ideal: npt.NDArray[np.float64], anti: npt.NDArray[np.float64]
) -> bool:
    """Whether squared TOPSIS gaps would overflow or underflow (then use :func:`_scaled_gaps`)."""
    with np.errstate(over="ignore", invalid="ignore"):
        spread = np.abs(c) * np.abs(ideal - anti)
        lost = (c != 0) & (c * c < np.finfo(np.float64).tiny)  # squared weight underflows
    big = float(spread.max(initial=0.0))
    return bool(lost.any()) or not big < _SQUARE_MAX or 0.0 < big < _SQUARE_MIN


_SQUARE_MAX = 2.0**500  # gaps up to this square (and sum) without overflow
_SQUARE_MIN = 2.0**-400  # gaps below this lose digits when squared


def weighted_sum(
    matrix: Any,
    criteria: Sequence[Criterion],
    *,
    normalise: Normalisation = "minmax",
    keys: Mapping[str, str] | None = None,
) -> Any:
    """Weighted sum of normalised criteria: one score per option, higher is better.

    ``matrix`` is options × criteria (a 2-D array, nested lists or a pandas
    DataFrame), in the order of ``criteria``; or a list of
    :class:`~itil_ci.domain.Opportunity` objects, in which case each
    criterion is read from the score key ``keys.get(name, name)`` of every
    opportunity (``"effort"`` and ``"expected_benefit"`` are the attributes,
    anything else an entry of ``Opportunity.scores``) and the result is a
    :class:`~itil_ci.domain.Ranking`.  Weights are rescaled to sum to 1 and
    columns normalised by ``normalise`` (see :mod:`itil_ci.prioritisation.normalise`;
    default min-max, so every score lies in [0, 1]).

    Examples:
        >>> crit = [Criterion("benefit", 2), Criterion("effort", 1, "cost")]
        >>> weighted_sum([[8, 3], [6, 1], [2, 2]], crit).round(3).tolist()
        [0.667, 0.778, 0.167]
        >>> from itil_ci.domain import Opportunity
        >>> opps = [Opportunity("A", id="a", expected_benefit=8, effort=3),
        ...         Opportunity("B", id="b", expected_benefit=5, effort=1)]
        >>> r = weighted_sum(opps, crit, keys={"benefit": "expected_benefit"})
        >>> r.order, r.ranks.tolist()
        (('a', 'b'), [1, 2])
    """
    norm = _check_method(normalise)
    p = _prepare(matrix, criteria, keys)
    x, a, b = _affine(p.x, p.cost, norm)
    coef = p.w * a
    scores: npt.NDArray[np.float64] = x @ coef + float(p.w @ b)
    if p.ids is not None:
        return _to_ranking(p, scores, "weighted-sum", norm)
    return scores


def topsis(
    matrix: Any,
    criteria: Sequence[Criterion],
    *,
    normalise: Normalisation = "vector",
    keys: Mapping[str, str] | None = None,
) -> Any:
    """TOPSIS relative closeness to the ideal option, in [0, 1], higher is better.

    Hwang & Yoon (1981): normalise each column (vector normalisation
    ``x / ‖x‖₂`` by default, as in the original; ``"minmax"`` and the others
    as options), weight it, take the best and worst value of each column as
    the ideal and anti-ideal, and score each option by ``d⁻ / (d⁺ + d⁻)``
    with Euclidean distances ``d⁺`` to the ideal and ``d⁻`` to the anti-ideal.
    When every weighted column is constant all options score 0.5.  Inputs
    and the :class:`~itil_ci.domain.Ranking` result for opportunities as in
    :func:`weighted_sum`.

    Examples:
        >>> crit = [Criterion("benefit", 1), Criterion("effort", 1, "cost")]
        >>> topsis([[8, 3], [6, 1], [2, 2]], crit).round(3).tolist()
        [0.524, 0.772, 0.293]
    """
    norm = _check_method(normalise)
    p = _prepare(matrix, criteria, keys)
    n = p.x.shape[0]
    x, a, _ = _affine(p.x, p.cost, norm)
    c = p.w * a  # weighted-normalised = c * x + const, so distances use c only
    ideal, anti = _ideals(x, c)
    d_plus = np.empty(n)
    d_minus = np.empty(n)
    with np.errstate(over="ignore", invalid="ignore"):
        c2 = c * c
        for start in range(0, n, _CHUNK):
            block = x[start : start + _CHUNK]
            t = block - ideal
            np.square(t, out=t)
            np.matmul(t, c2, out=d_plus[start : start + _CHUNK])
            np.subtract(block, anti, out=t)
            np.square(t, out=t)
            np.matmul(t, c2, out=d_minus[start : start + _CHUNK])
    if _gaps_out_of_range(c, ideal, anti) or not (
        np.isfinite(d_plus).all() and np.isfinite(d_minus).all()
    ):
        # Huge or tiny finite values over- or underflowed: redo with gaps scaled to about 1.
        gp, gm = _scaled_gaps(x, c, ideal, anti)
        d_plus = np.einsum("ij,ij->i", gp, gp)
        d_minus = np.einsum("ij,ij->i", gm, gm)
    np.sqrt(d_plus, out=d_plus)
    np.sqrt(d_minus, out=d_minus)
    total = d_plus + d_minus
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(total > 0, d_minus / total, 0.5)
    if p.ids is not None:
        return _to_ranking(p, scores, "topsis", norm)
    return scores


@attrs.frozen
class Explanation:
    """Why options score what they do under the weighted sum.

    ``contributions[i, j]`` is criterion ``j``'s share of option ``i``'s score
    (its weight times its normalised value); each row sums to ``scores[i]``.

    Examples:
        >>> e = explain([[8, 3], [5, 1]], [Criterion("benefit", 2), Criterion("effort", 1, "cost")])
        >>> e.for_option(1)
        (('effort', 0.333...), ('benefit', 0.0))
    """

    criteria: tuple[str, ...]
    weights: npt.NDArray[np.float64] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    contributions: npt.NDArray[np.float64] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    scores: npt.NDArray[np.float64] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    ids: tuple[str, ...] = ()
    normalise: str = "minmax"
    method: str = "weighted-sum"

    def for_option(self, option: int | str) -> tuple[tuple[str, float], ...]:
        """Criterion contributions of one option (an index, or an id), largest first.

        Examples:
            >>> crit = [Criterion("benefit", 2), Criterion("effort", 1, "cost")]
            >>> e = explain([[8, 3], [5, 1]], crit)
            >>> e.for_option(0)
            (('benefit', 0.666...), ('effort', 0.0))
        """
        if isinstance(option, str):
            if option not in self.ids:
                raise fail("option", "one of the explained ids", option)
            i = self.ids.index(option)
        elif not is_whole(option):
            raise fail("option", "an option index or id", option)
        else:
            i = int(option)
            if not 0 <= i < self.scores.size:
                raise fail("option", f"an index in 0..{self.scores.size - 1}", option)
        row = self.contributions[i]
        order = np.argsort(-row, kind="stable")
        return tuple((self.criteria[j], float(row[j])) for j in order)


def explain(
    matrix: Any,
    criteria: Sequence[Criterion],
    *,
    normalise: Normalisation = "minmax",
    keys: Mapping[str, str] | None = None,
) -> Explanation:
    """Each criterion's contribution to each option's weighted-sum score.

    Takes the same inputs as :func:`weighted_sum`; its ``scores`` equal (up to rounding)
    :func:`weighted_sum`'s.  With opportunities, ``ids`` holds their ids and
    :meth:`Explanation.for_option` accepts an id.

    Examples:
        >>> e = explain([[8, 3], [5, 1]], [Criterion("benefit", 2), Criterion("effort", 1, "cost")])
        >>> e.contributions.round(3).tolist()
        [[0.667, 0.0], [0.0, 0.333]]
    """
    norm = _check_method(normalise)
    p = _prepare(matrix, criteria, keys)
    x, a, b = _affine(p.x, p.cost, norm)
    contrib = (x * a + b) * p.w
    return Explanation(
        criteria=tuple(c.name for c in p.crit),
        weights=arrays.readonly(p.w),
        contributions=arrays.readonly(contrib),
        scores=arrays.readonly(contrib.sum(axis=1)),
        ids=p.ids or (),
        normalise=norm,
    )
