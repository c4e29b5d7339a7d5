"""Ranks from scores (higher first) with a choice of tie rule, and the top k."""

from __future__ import annotations

from typing import Any, Literal, overload

import numpy as np
import numpy.typing as npt

from itil_ci._internal.validate import choice, fail, flag, is_whole
from itil_ci.domain.ranking import Ranking
from itil_ci.prioritisation import _inputs

__all__ = ["TIES", "rank", "top_k"]

#: The tie rules :func:`rank` accepts (as in ``scipy.stats.rankdata``).
TIES = ("min", "dense", "average", "ordinal", "max")

Ties = Literal["min", "dense", "average", "ordinal", "max"]


def _check_ties(ties: object) -> str:
    return choice("ties", ties, TIES)


def _ranks(
    s: npt.NDArray[np.float64], ties: str, descending: bool
) -> npt.NDArray[np.int64] | npt.NDArray[np.float64]:
    n = s.size
    x = -s if descending else s
    out_i = np.empty(n, dtype=np.int64)
    if n == 0:
        return out_i.astype(np.float64) if ties == "average" else out_i
    # Fast path: an unstable sort is exact when no two scores are equal.
    order = np.argsort(x)
    sx = x[order]
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(sx[1:], sx[:-1], out=new[1:])
    pos = np.arange(1, n + 1)
    if new.all():
        out_i[order] = pos
        return out_i if ties != "average" else out_i.astype(np.float64)
    order = np.argsort(x, kind="stable")
    if ties == "ordinal":
        out_i[order] = pos
        return out_i
    sx = x[order]
    np.not_equal(sx[1:], sx[:-1], out=new[1:])
    pos = np.arange(n)
    if ties == "dense":
        out_i[order] = np.cumsum(new)
        return out_i
    start = np.maximum.accumulate(np.where(new, pos, 0)) + 1
    if ties == "min":
        out_i[order] = start
        return out_i
    starts = np.flatnonzero(new)
    ends = np.empty(starts.size, dtype=np.int64)
    ends[:-1] = starts[1:]
    ends[-1] = n
    end = ends[np.cumsum(new) - 1]
    if ties == "max":
        out_i[order] = end
        return out_i
    out_f = np.empty(n, dtype=np.float64)
    out_f[order] = (start + end) / 2.0
    return out_f


@overload
def rank(
    scores: list[Any] | tuple[Any, ...] | npt.ArrayLike,
    *,
    ties: Ties = "min",
    descending: bool = True,
    key: None = None,
) -> npt.NDArray[Any]: ...
@overload
def rank(
    scores: list[Any] | tuple[Any, ...],
    *,
    ties: Ties = "min",
    descending: bool = True,
    key: str,
) -> Ranking: ...
def rank(
    scores: Any, *, ties: Ties = "min", descending: bool = True, key: str | None = None
) -> npt.NDArray[Any] | Ranking:
    """Rank scores, highest first: rank 1 is the best.

    ``ties`` decides the ranks of equal scores: ``"min"`` (1, 2, 2, 4: the
    default, "competition" ranking), ``"dense"`` (1, 2, 2, 3), ``"max"``
    (1, 3, 3, 4), ``"average"`` (1, 2.5, 2.5, 4; float ranks) or
    ``"ordinal"`` (1, 2, 3, 4: equal scores in the order given).  The sort is
    stable, so the result never depends on anything but the scores and their
    order.  ``descending=False`` ranks the lowest score first (for priority
    numbers).  Given a list of opportunities and ``key`` (a score key, see
    the guide), returns a :class:`~itil_ci.domain.Ranking` of their ids.

    Examples:
        >>> rank([0.5, 0.9, 0.5, 0.1]).tolist()
        [2, 1, 2, 4]
        >>> rank([0.5, 0.9, 0.5, 0.1], ties="dense").tolist()
        [2, 1, 2, 3]
        >>> rank([0.5, 0.9, 0.5, 0.1], ties="average").tolist()
        [2.5, 1.0, 2.5, 4.0]
    """
    t = _check_ties(ties)
    flag("descending", descending)
    if _inputs.is_opportunities(scores):
        if key is None:
            raise fail("key", "the score key to rank opportunities by", key)
        if t == "average":
            raise fail("ties", "'min', 'dense', 'max' or 'ordinal' for a Ranking", t)
        ids = _inputs.ids_of(scores)
        s = _inputs.read_column(scores, "key", key)
        return Ranking(
            ids=ids,
            scores=s,
            ranks=_ranks(s, t, descending),
            model="score",
            keys=(key,),
            ties=t,
            higher_is_better=descending,
        )
    if key is not None:
        raise fail("key", "None when scores are numbers (key is for opportunities)", key)
    s = _inputs.as_vector("scores", scores)
    return _ranks(s, t, descending)


def top_k(scores: Any, k: int, *, key: str | None = None) -> Any:
    """The indices of the ``k`` highest scores, best first, in O(n) plus O(k log k).

    Equal scores are taken in the order given (as :func:`rank` with
    ``ties="ordinal"``).  Given opportunities and ``key``, returns their ids.

    Examples:
        >>> top_k([0.5, 0.9, 0.5, 0.1], 2).tolist()
        [1, 0]
    """
    if not is_whole(k) or k < 0:
        raise fail("k", "a whole number >= 0", k)
    ids: tuple[str, ...] | None = None
    if _inputs.is_opportunities(scores):
        if key is None:
            raise fail("key", "the score key to rank opportunities by", key)
        ids = _inputs.ids_of(scores)
        s = _inputs.read_column(scores, "key", key)
    else:
        if key is not None:
            raise fail("key", "None when scores are numbers (key is for opportunities)", key)
        s = _inputs.as_vector("scores", scores)
    n = s.size
    k = min(int(k), n)
    if k == 0:
        idx = np.zeros(0, dtype=np.int64)
    elif k == n or n <= 64:
        idx = np.argsort(-s, kind="stable")[:k].astype(np.int64)
    else:
        part = np.argpartition(-s, k - 1)[:k]
        t = s[part].min()
        above = np.flatnonzero(s > t)
        level = np.flatnonzero(s == t)[: k - above.size]
        idx = np.concatenate([above, level]).astype(np.int64)
        idx = idx[np.lexsort((idx, -s[idx]))]
    if ids is not None:
        return tuple(ids[i] for i in idx)
    return idx
