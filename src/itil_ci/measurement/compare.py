"""Before/after comparison of a KPI statistic with a confidence interval."""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any, cast

import numpy as np

from itil_ci._internal import validate as v
from itil_ci.domain import Aggregation, AggregationMethod, Direction
from itil_ci.domain.results import Comparison, Verdict
from itil_ci.measurement._common import (
    F64,
    average_rank,
    direction_of,
    no_overflow,
    normal_sf,
    too_large,
    values_of,
)

__all__ = ["compare", "mann_whitney"]

_METHODS = ("bootstrap", "bca", "mann-whitney")
_MAX_RESAMPLES = 10_000_000  # two float64 arrays of this many: 160 MB
_CHUNK_CELLS = 4_000_000  # resampled values held at once (32 MB of float64)
_STD = NormalDist()


def _parse_statistic(statistic: object) -> Aggregation:
    try:
        agg = Aggregation.parse(statistic)
    except Exception:
        agg = None
    if agg is None or agg.method not in (
        AggregationMethod.MEAN,
        AggregationMethod.MEDIAN,
        AggregationMethod.PERCENTILE,
    ):
        raise v.fail("statistic", "'mean', 'median' or a percentile such as 'p90'", statistic)
    return agg


def _stat(x: F64, agg: Aggregation, axis: int | None = None) -> Any:
    if agg.method is AggregationMethod.MEAN:
        return np.mean(x, axis=axis)
    if agg.method is AggregationMethod.MEDIAN:
        return np.median(x, axis=axis)
    assert agg.p is not None
    return np.percentile(x, agg.p, axis=axis)


def _boot(x: F64, agg: Aggregation, resamples: int, rng: np.random.Generator) -> F64:
    """The statistic of ``resamples`` bootstrap resamples of ``x``, in bounded chunks."""
    n = x.size
    out = np.empty(resamples, dtype=np.float64)
    chunk = max(1, _CHUNK_CELLS // n)
    for lo in range(0, resamples, chunk):
        hi = min(resamples, lo + chunk)
        idx = rng.integers(0, n, size=(hi - lo, n))
        out[lo:hi] = _stat(x[idx], agg, axis=1)
    return out


def _jackknife(x: F64, agg: Aggregation) -> F64:
    """Leave-one-out values of the statistic, vectorised (one per observation)."""
    n = x.size
    if agg.method is AggregationMethod.MEAN:
        loo: F64 = (x.sum() - x) / (n - 1)
        return loo
    # A quantile of the sample without its i-th order statistic: the reduced
    # sorted array is s[j + (j >= i)], so only two neighbours are needed.
    s = np.sort(x)
    q = 0.5 if agg.method is AggregationMethod.MEDIAN else float(agg.p or 0.0) / 100.0
    h = (n - 2) * q
    j = math.floor(h)
    frac = h - j
    i = np.arange(n)
    j1 = min(j + 1, n - 2)
    a = s[j + (j >= i)]
    b = s[j1 + (j1 >= i)]
    out: F64 = a + frac * (b - a)
    return out


def _bca_levels(
    boot: F64, observed: float, before: F64, after: F64, agg: Aggregation, alpha: float
) -> tuple[float, float]:
    prop = float(np.mean(boot < observed)) + 0.5 * float(np.mean(boot == observed))
    b = boot.size
    prop = min(max(prop, 0.5 / b), 1.0 - 0.5 / b)
    z0 = _STD.inv_cdf(prop)
    # Acceleration of theta = stat(after) - stat(before), from the jackknife of each group
    # (Efron & Tibshirani 1993, eq. 15.36, as scipy.stats.bootstrap for several samples):
    # U_i = (n - 1) * (mean of the leave-one-out thetas - the i-th one), and
    # a = sum_groups(sum U^3 / n^3) / (6 * sum_groups(sum U^2 / n^2) ** 1.5).
    # Leaving out a "before" observation changes theta by minus the change of
    # stat(before), so that group's deviations enter with the opposite sign.
    num = den = 0.0
    for x, sign in ((before, -1.0), (after, 1.0)):
        n = x.size
        if n > 1:
            jack = _jackknife(x, agg)
            u = sign * (n - 1) * (jack.mean() - jack)
            num += float(np.sum(u**3)) / n**3
            den += float(np.sum(u**2)) / n**2
    acc = num / (6.0 * den**1.5) if den > 0 else 0.0
    levels = []
    for q in (alpha / 2, 1 - alpha / 2):
        zq = _STD.inv_cdf(q)
        levels.append(_STD.cdf(z0 + (z0 + zq) / (1 - acc * (z0 + zq))))
    return levels[0], levels[1]


def _interval(
    x: F64,
    y: F64,
    agg: Aggregation,
    method: str,
    resamples: int,
    rng: np.random.Generator,
    alpha: float,
) -> tuple[bool, tuple[float, ...]]:
    """Whether the bootstrap is flat, and (stat_x, stat_y, difference, low, high)."""
    stat_x = float(_stat(x, agg))
    stat_y = float(_stat(y, agg))
    diff = float(np.float64(stat_y) - np.float64(stat_x))
    boot = _boot(y, agg, resamples, rng) - _boot(x, agg, resamples, rng)
    flat = float(np.ptp(boot)) == 0.0
    if flat:
        low = high = diff
    else:
        if method == "bca":
            q_lo, q_hi = _bca_levels(boot, diff, x, y, agg, alpha)
        else:
            q_lo, q_hi = alpha / 2, 1 - alpha / 2
        low, high = (float(q) for q in np.quantile(boot, [q_lo, q_hi]))
    return flat, (stat_x, stat_y, diff, low, high)


def mann_whitney(before: Any, after: Any) -> tuple[float, float]:
    """Mann-Whitney U of ``after`` against ``before`` and its two-sided p-value.

    Normal approximation with the tie correction of the variance and a
    continuity correction of 0.5 (as ``scipy.stats.mannwhitneyu`` with
    ``method="asymptotic"``).  When every value is the same, p is 1.

    Examples:
        >>> u, p = mann_whitney([1, 2, 3, 4], [5, 6, 7, 8])
        >>> u, round(p, 4)
        (16.0, 0.0304)
    """
    x = values_of("before", before)
    y = values_of("after", after)
    n1, n2 = y.size, x.size
    ranks, ties = average_rank(np.concatenate([y, x]))
    u = float(ranks[:n1].sum() - n1 * (n1 + 1) / 2.0)
    n = n1 + n2
    tie_term = float(np.sum(ties.astype(np.float64) ** 3 - ties))
    var = n1 * n2 / 12.0 * ((n + 1) - tie_term / (n * (n - 1))) if n > 1 else 0.0
    if var <= 0:
        return u, 1.0
    mu = n1 * n2 / 2.0
    z = (max(u, n1 * n2 - u) - mu - 0.5) / math.sqrt(var)
    return u, min(1.0, 2.0 * normal_sf(z))


def compare(
    before: Any,
    after: Any,
    direction: Direction | str | Any,
    *,
    confidence: float = 0.95,
    method: str = "bootstrap",
    seed: int | np.random.Generator | None = None,
    statistic: str = "mean",
    resamples: int = 10_000,
) -> Comparison:
    """Compare a statistic of the observations after a change with before it.

    ``difference = statistic(after) - statistic(before)``; ``statistic`` is
    ``"mean"``, ``"median"`` or a percentile such as ``"p90"``.  The interval
    is a bootstrap over ``resamples`` independent resamples of each group
    (seeded by ``seed``; vectorised in chunks so memory stays bounded):

    - ``method="bootstrap"`` (default): percentile interval; the verdict is
      *improved* when the whole interval lies on the better side of 0 for
      ``direction`` (a Direction, ``"higher"``/``"lower"`` or a KPI),
      *worsened* when it lies wholly on the worse side, else
      *no-detectable-change*;
    - ``method="bca"``: bias-corrected and accelerated interval (Efron 1987;
      acceleration from the jackknife of both groups, Efron & Tibshirani
      1993, eq. 15.36, as ``scipy.stats.bootstrap`` with two samples), same
      verdict rule;
    - ``method="mann-whitney"``: percentile interval, but the verdict comes
      from the Mann-Whitney test: a change when ``p_value < 1 - confidence``,
      in the direction of the difference in mean ranks.

    ``p_value`` is always the two-sided Mann-Whitney U test.

    Each group needs at least 2 observations.  When every bootstrap
    difference is the same (zero spread: both groups constant, or a statistic
    that no resample moves) the interval is ``[difference, difference]`` and
    says nothing about uncertainty, so it cannot decide the verdict: it is
    *no-detectable-change* unless the difference is non-zero and the
    Mann-Whitney test finds a change (``p_value < 1 - confidence``) in the
    same direction.  ``[5, 5]`` against ``[6, 6]`` is therefore no detectable
    change (p = 0.19), thirty 5s against thirty 6s an improvement for
    ``"higher"``.

    Examples:
        >>> c = compare([5, 6, 7, 6, 5, 7, 6], [3, 4, 3, 4, 2, 3, 4], "lower", seed=1)
        >>> c.verdict.value, c.difference, c.low < c.high < 0
        ('improved', -2.714..., True)
    """
    x = values_of("before", before)
    y = values_of("after", after)
    d = direction_of("direction", direction)
    assert d is not None
    agg = _parse_statistic(statistic)
    conf = v.number("confidence", confidence)
    if conf is None or not 0 < conf < 1:
        raise v.fail("confidence", "a number between 0 and 1 (exclusive)", confidence)
    v.choice("method", method, _METHODS)
    if not v.is_whole(resamples) or not 100 <= int(cast(Any, resamples)) <= _MAX_RESAMPLES:
        raise v.fail("resamples", f"a whole number from 100 to {_MAX_RESAMPLES:,}", resamples)
    rng = v.rng("seed", seed)
    for name, group in (("before", x), ("after", y)):
        if group.size < 2:
            raise v.fail(
                name,
                "at least 2 observations (a single one says nothing about variation)",
                f"n={group.size}",
            )
    resamples = int(resamples)
    alpha = 1.0 - conf
    state = rng.bit_generator.state
    try:
        with np.errstate(over="raise", invalid="raise"):
            flat, stats = _interval(x, y, agg, method, resamples, rng, alpha)
    except FloatingPointError:
        # Huge but finite values: the same resamples (the generator is rewound)
        # on both groups scaled by one power of two (exact), then scaled back.
        rng.bit_generator.state = state
        big = max(float(np.max(np.abs(x))), float(np.max(np.abs(y))))
        e = math.frexp(big)[1]
        with no_overflow("before/after", "compare", x, y):
            flat, small = _interval(
                np.ldexp(x, -e), np.ldexp(y, -e), agg, method, resamples, rng, alpha
            )
        try:
            stats = tuple(math.ldexp(s, e) for s in small)
        except OverflowError:
            raise too_large("before/after", "compare", x, y) from None
    stat_x, stat_y, diff, low, high = stats
    u, p = mann_whitney(x, y)
    sign = d.sign
    shift = u - x.size * y.size / 2.0  # > 0: after tends to be larger
    if flat and method != "mann-whitney":
        # A zero-width interval carries no measure of uncertainty: only a rank
        # test that agrees with the sign of the difference can show a change.
        if diff != 0 and p < alpha and shift * diff > 0:
            verdict = Verdict.IMPROVED if diff * sign > 0 else Verdict.WORSENED
        else:
            verdict = Verdict.NO_CHANGE
    elif method == "mann-whitney":
        if p < alpha and shift != 0:
            verdict = Verdict.IMPROVED if shift * sign > 0 else Verdict.WORSENED
        else:
            verdict = Verdict.NO_CHANGE
    elif (sign > 0 and low > 0) or (sign < 0 and high < 0):
        verdict = Verdict.IMPROVED
    elif (sign > 0 and high < 0) or (sign < 0 and low > 0):
        verdict = Verdict.WORSENED
    else:
        verdict = Verdict.NO_CHANGE
    names = {"bootstrap": "percentile bootstrap", "bca": "BCa bootstrap"}
    interval = names.get(method, "percentile bootstrap")
    return Comparison(
        difference=float(diff),
        low=float(low),
        high=float(high),
        p_value=float(p),
        verdict=verdict,
        before=stat_x,
        after=stat_y,
        n_before=int(x.size),
        n_after=int(y.size),
        statistic=str(agg),
        direction=d.value,
        confidence=float(conf),
        resamples=resamples,
        seed=int(cast(Any, seed)) if v.is_whole(seed) else None,
        method=f"{interval} interval of the difference in {agg}; Mann-Whitney U p-value"
        + ("; verdict from the Mann-Whitney test" if method == "mann-whitney" else ""),
    )
