"""Analytic Hierarchy Process: weights from pairwise comparisons, with consistency.

Saaty's AHP: for ``n`` items, ``A[i, j]`` says how many times more important
item ``i`` is than item ``j`` (1 = equal ... 9 = extremely), with
``A[j, i] = 1 / A[i, j]``.  The weights are the principal right eigenvector
of ``A`` (or the normalised geometric means of its rows); the consistency
index is ``CI = (λmax - n) / (n - 1)`` and the consistency ratio
``CR = CI / RI(n)``, where ``RI(n)`` is the mean CI of random reciprocal
matrices.  ``CR < 0.10`` is Saaty's rule for acceptable consistency.  For
``n <= 2`` every reciprocal matrix is consistent and CI = CR = 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays, display
from itil_ci._internal.validate import choice, fail, is_whole, number, text, unique

__all__ = ["RANDOM_INDEX", "AHPResult", "ahp", "random_index"]

#: Random-index tables, RI by matrix size n.
RANDOM_INDEX: dict[str, dict[int, float]] = {
    # Saaty, T. L. (1980). The Analytic Hierarchy Process. McGraw-Hill
    # (500 random matrices per size; the table most software uses).
    "saaty1980": {
        1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12,
        6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49,
    },
    # Saaty, T. L. (2005). Theory and Applications of the Analytic Network
    # Process. RWS Publications, p. 31 (also Saaty & Tran 2007, Math. Comput.
    # Modelling 46:962-975); recomputed with many more random matrices.
    "saaty2005": {
        1: 0.0, 2: 0.0, 3: 0.52, 4: 0.89, 5: 1.11, 6: 1.25, 7: 1.35, 8: 1.40,
        9: 1.45, 10: 1.49, 11: 1.52, 12: 1.54, 13: 1.56, 14: 1.58, 15: 1.59,
    },
    # Donegan, H. A. & Dodd, F. J. (1991). A note on Saaty's random indexes.
    # Mathematical and Computer Modelling 15(10):135-137,
    # doi:10.1016/0895-7177(91)90098-R.
    "donegan-dodd": {
        1: 0.0, 2: 0.0, 3: 0.4914, 4: 0.8286, 5: 1.0591, 6: 1.1797, 7: 1.2519,
        8: 1.3171, 9: 1.3733, 10: 1.4055, 11: 1.4213, 12: 1.4497, 13: 1.4643,
        14: 1.4822, 15: 1.4969,
    },
}  # fmt: skip

_METHODS = ("eigenvector", "geometric-mean")


def random_index(n: int, table: str = "saaty1980") -> float:
    """The random index RI(n) from one of the :data:`RANDOM_INDEX` tables.

    Examples:
        >>> random_index(3), random_index(3, "donegan-dodd")
        (0.58, 0.4914)
    """
    choice("random_index", table, RANDOM_INDEX)
    values = RANDOM_INDEX[table]
    if not is_whole(n) or n < 1:
        raise fail("n", "a whole number of items >= 1", n)
    if n not in values:
        raise fail(
            "pairwise",
            f"at most {max(values)} items for the {table!r} random-index table "
            f"(use random_index='saaty2005' or 'donegan-dodd' for up to 15)",
            f"{n} items",
        )
    return values[n]


@attrs.frozen
class AHPResult:
    """Weights and consistency from :func:`ahp`.

    ``weights`` sum to 1 (in the order of ``labels``, or of the matrix rows);
    ``lambda_max`` is the principal eigenvalue (for the geometric-mean method,
    its usual estimate ``mean((A w) / w)``); ``ci`` and ``cr`` the consistency
    index and ratio; ``consistent`` is ``cr < threshold``.

    Examples:
        >>> r = ahp({("speed", "cost"): 3})
        >>> r.labels, r.weights.tolist(), r.consistent
        (('speed', 'cost'), [0.75, 0.25], True)
    """

    weights: npt.NDArray[np.float64] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    lambda_max: float
    ci: float
    cr: float
    consistent: bool
    labels: tuple[str, ...] = ()
    method: str = "eigenvector"
    random_index: str = "saaty1980"
    threshold: float = 0.10

    def as_dict(self) -> dict[str, float]:
        """Weights by label (needs labels).

        Examples:
            >>> ahp({("a", "b"): 3}).as_dict()
            {'a': 0.75, 'b': 0.25}
        """
        if not self.labels:
            raise fail("labels", "labels (give ahp a dict of judgements)", ())
        return {k: float(w) for k, w in zip(self.labels, self.weights, strict=True)}

    def _repr_html_(self) -> str:
        return display.html(self)


def _from_judgements(
    pairs: Mapping[Any, Any], labels: Sequence[str] | None
) -> tuple[npt.NDArray[np.float64], tuple[str, ...]]:
    order: list[str] = list(labels) if labels is not None else []
    for key in pairs:
        if not (isinstance(key, tuple) and len(key) == 2):
            raise fail("pairwise key", "a pair (a, b) of item names", key)
        a, b = key
        for item in (a, b):
            if not isinstance(item, str) or not item.strip():
                raise fail("pairwise key", "a pair (a, b) of item names (non-empty strings)", key)
        if a == b:
            raise fail(f"pairwise[{key!r}]", "two different items", key)
        for item in (a, b):
            if item not in order:
                if labels is not None:
                    raise fail("pairwise key", f"items among labels {tuple(labels)!r}", item)
                order.append(item)
    n = len(order)
    pos = {name: i for i, name in enumerate(order)}
    a_mat = np.full((n, n), np.nan)
    np.fill_diagonal(a_mat, 1.0)
    for (a, b), value in pairs.items():
        val = number(f"pairwise[{(a, b)!r}]", value, minimum=0, strict_min=True)
        assert val is not None
        i, j = pos[a], pos[b]
        if not np.isnan(a_mat[i, j]) and not np.isclose(a_mat[i, j], val, rtol=1e-3):
            raise fail(
                f"pairwise[{(a, b)!r}]",
                f"{a_mat[i, j]:g} (the reciprocal of pairwise[{(b, a)!r}])",
                value,
            )
        a_mat[i, j] = val
        a_mat[j, i] = 1.0 / val
    missing = np.argwhere(np.isnan(a_mat))
    if missing.size:
        i, j = missing[0]
        raise fail(
            "pairwise", "a judgement for every pair of items", f"none for {(order[i], order[j])!r}"
        )
    return a_mat, tuple(str(x) for x in order)


def _check_matrix(a: npt.NDArray[np.float64], rtol: float) -> None:
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise fail("pairwise", "a non-empty square matrix", f"shape {a.shape}")
    bad = ~(np.isfinite(a) & (a > 0))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise fail(f"pairwise[{i}, {j}]", "a finite number > 0", float(a[i, j]))
    diag = np.abs(np.diag(a) - 1.0) > rtol
    if diag.any():
        i = int(np.flatnonzero(diag)[0])
        raise fail(f"pairwise[{i}, {i}]", "1 on the diagonal", float(a[i, i]))
    with np.errstate(over="ignore", under="ignore"):
        prod = a * a.T  # may overflow for a non-reciprocal pair near 1e308: still flagged
    bad = np.abs(prod - 1.0) > rtol
    if bad.any():
        i, j = np.argwhere(np.triu(bad, 1))[0]
        raise fail(
            f"pairwise[{j}, {i}]",
            f"the reciprocal of pairwise[{i}, {j}] = {a[i, j]:g}, i.e. {1 / a[i, j]:.6g} "
            f"(within rtol={rtol:g})",
            float(a[j, i]),
        )


def ahp(
    pairwise: Any,
    *,
    method: Literal["eigenvector", "geometric-mean"] = "eigenvector",
    random_index: str = "saaty1980",
    labels: Sequence[str] | None = None,
    threshold: float = 0.10,
    rtol: float = 1e-3,
) -> AHPResult:
    """AHP weights, λmax, CI, CR and whether the judgements are consistent.

    ``pairwise`` is a positive reciprocal square matrix, or a dict of
    judgements ``{("a", "b"): 3, ...}`` meaning "a is 3 times as important as
    b" with one judgement for every pair (the reciprocals are implied; items
    are ordered as first seen, or as ``labels``).  A matrix entry that is not
    positive, a diagonal that is not 1 or a pair whose product is not 1
    (within ``rtol``, so 0.333 for 1/3 passes) is an error naming the first
    bad cell.  ``method`` is ``"eigenvector"`` (Saaty's principal eigenvector)
    or ``"geometric-mean"`` (row geometric means, Crawford & Williams 1985).
    ``random_index`` chooses the RI table: ``"saaty1980"`` (default, n <= 10),
    ``"saaty2005"`` or ``"donegan-dodd"`` (n <= 15).

    Examples:
        >>> r = ahp([[1, 3, 5], [1/3, 1, 3], [1/5, 1/3, 1]])
        >>> r.weights.round(3).tolist(), round(r.lambda_max, 3), round(r.cr, 3), r.consistent
        ([0.637, 0.258, 0.105], 3.039, 0.033, True)
    """
    choice("method", method, _METHODS)
    choice("random_index", random_index, RANDOM_INDEX)
    thr = number("threshold", threshold, minimum=0, strict_min=True)
    tol = number("rtol", rtol, minimum=0)
    assert thr is not None
    assert tol is not None
    if tol >= 1:
        raise fail("rtol", "a relative tolerance >= 0 and < 1 (default 1e-3)", rtol)
    if labels is not None:
        if isinstance(labels, str | bytes) or not isinstance(labels, Sequence):
            raise fail("labels", "a list of item names", labels)
        labels = list(labels)
        for i, label in enumerate(labels):
            text(f"labels[{i}]", label, allow_empty=False)
        unique("labels", labels)
    if isinstance(pairwise, Mapping):
        if not pairwise and not labels:
            raise fail(
                "pairwise",
                "at least one judgement, e.g. {('a', 'b'): 3} (or a single label in labels)",
                pairwise,
            )
        a, names = _from_judgements(pairwise, labels)
    else:
        a = arrays.as_numbers("pairwise", pairwise)
        names = ()
        if labels is not None:
            names = tuple(labels)
            if a.ndim != 2 or len(names) != a.shape[0]:
                raise fail("labels", f"one label per row ({a.shape[0] if a.ndim else 0})", labels)
        _check_matrix(a, tol)
    n = a.shape[0]
    ri = _ri(n, random_index)
    # Judgements near the float64 limits (ratios like 1e300) can over- or
    # underflow; such a result is refused below rather than returned as nan.
    with np.errstate(all="ignore"):
        if method == "eigenvector":
            vals, vecs = np.linalg.eig(a)
            k = int(np.argmax(vals.real))
            w = np.abs(vecs[:, k].real)
            w = w / w.sum()
            lam = float(vals[k].real)
        else:
            g = np.exp(np.log(a).mean(axis=1))
            w = g / g.sum()
            lam = float(np.mean((a @ w) / w))
    if not (np.isfinite(w).all() and np.isfinite(lam)):
        raise fail(
            "pairwise",
            "judgements whose weights are finite in float64 (ratios within about 1e150)",
            f"weights {w.tolist()!r}, lambda_max {lam!r}",
        )
    if n <= 2:
        ci = cr = 0.0
        lam = float(n)
    else:
        ci = max((lam - n) / (n - 1), 0.0)
        cr = ci / ri
    return AHPResult(
        weights=arrays.readonly(w),
        lambda_max=lam,
        ci=ci,
        cr=cr,
        consistent=bool(cr < thr),
        labels=names,
        method=method,
        random_index=random_index,
        threshold=thr,
    )


def _ri(n: int, table: str) -> float:
    return random_index(n, table)
