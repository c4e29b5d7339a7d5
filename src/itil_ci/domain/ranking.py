"""The result of ranking opportunities: ids, scores, ranks and how they were made."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays, display
from itil_ci._internal import validate as v

__all__ = ["Ranking"]


def _floats(name: str, value: Any) -> Any:
    # the shared number check: strings, booleans, complex numbers, infinities and
    # oversized integers are refused here, naming the field; NaN by the validator
    arr = arrays.as_numbers(name, value, allow_missing=True)
    return arrays.readonly(arr.copy() if arr is value else arr)


def _c_scores(value: Any) -> Any:
    return _floats("Ranking.scores", value)


def _c_weights(value: Any) -> Any:
    return _floats("Ranking.weights", value)


def _c_ints(value: Any) -> Any:
    try:
        arr = np.array(value)
    except (TypeError, ValueError, OverflowError, RecursionError):
        return value
    if arr.dtype.kind in "iu" and (arr.size == 0 or int(arr.max()) < 2**62):
        return arrays.readonly(arr.astype(np.int64))
    whole = arr.dtype.kind == "f" and bool(((np.abs(arr) < 2**62) & (arr == np.round(arr))).all())
    if whole:
        return arrays.readonly(arr.astype(np.int64))
    return value


def _c_strs(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(value)
    return value


def _c_pairs(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(value.items())
    if isinstance(value, list | tuple):
        return tuple(tuple(p) if isinstance(p, list) else p for p in value)
    return value


def _v_pairs(inst: Ranking, attribute: attrs.Attribute[Any], value: object) -> None:
    name = f"Ranking.{attribute.name}"
    if not isinstance(value, tuple):
        raise v.fail(name, "a tuple of (name, value) string pairs", value)
    for i, pair in enumerate(value):
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise v.fail(f"{name}[{i}]", "a (name, value) pair of strings", pair)
        v.text(f"{name}[{i}] name", pair[0], allow_empty=False)
        v.text(f"{name}[{i}] value", pair[1])
    v.unique(f"{name} names", [p[0] for p in value])


def _v_array(kind: str) -> Any:
    def check(inst: Ranking, attribute: attrs.Attribute[Any], value: object) -> None:
        name = f"Ranking.{attribute.name}"
        if not isinstance(value, np.ndarray) or value.ndim != 1 or value.dtype.kind != kind:
            what = "floats" if kind == "f" else "whole numbers"
            raise v.fail(name, f"a one-dimensional array of {what}", value)
        if kind == "f" and not np.isfinite(value).all():
            raise v.fail(name, "finite scores", value)

    return check


def _v_strs(inst: Ranking, attribute: attrs.Attribute[Any], value: object) -> None:
    name = f"Ranking.{attribute.name}"
    if not isinstance(value, tuple):
        raise v.fail(name, "a tuple of strings", value)
    for i, item in enumerate(value):
        v.text(f"{name}[{i}]", item)


@attrs.frozen
class Ranking:
    """Opportunities ranked by a prioritisation model.

    ``ids[i]`` has score ``scores[i]`` and rank ``ranks[i]`` (1 is first); the
    order of ``ids`` is the order the opportunities were given in.  ``model``
    names the model (``"weighted-sum"``, ``"topsis"``, ``"wsjf"``, ...) and the
    other fields record its parameters: the ``criteria`` names with their
    ``weights`` (rescaled to sum to 1) and ``directions``, the score ``keys``
    read from each opportunity, the ``normalise`` method (normalisation only;
    empty for models that do not normalise), the ``ties`` rule and any other
    model option as ``parameters``, (name, value) string pairs such as
    ``(("combine", "product"),)`` (a dict is accepted and kept in its order).
    ``higher_is_better`` is False only for models whose score is a priority
    number (1 first), such as the ITIL impact × urgency priority.

    Examples:
        >>> r = Ranking(ids=("a", "b", "c"), scores=[0.2, 0.9, 0.5], ranks=[3, 1, 2],
        ...             model="weighted-sum")
        >>> r.order
        ('b', 'c', 'a')
        >>> r.rank_of("c"), r.score_of("b")
        (2, 0.9)
    """

    ids: tuple[str, ...] = attrs.field(converter=_c_strs, validator=_v_strs)
    scores: npt.NDArray[np.float64] = attrs.field(
        converter=_c_scores,
        validator=_v_array("f"),
        eq=attrs.cmp_using(eq=np.array_equal),
    )
    ranks: npt.NDArray[np.int64] = attrs.field(
        converter=_c_ints, validator=_v_array("i"), eq=attrs.cmp_using(eq=np.array_equal)
    )
    model: str = attrs.field(validator=v.v_text(allow_empty=False))
    criteria: tuple[str, ...] = attrs.field(default=(), converter=_c_strs, validator=_v_strs)
    weights: npt.NDArray[np.float64] = attrs.field(
        factory=lambda: arrays.readonly(np.zeros(0)),
        converter=_c_weights,
        validator=_v_array("f"),
        eq=attrs.cmp_using(eq=np.array_equal),
    )
    directions: tuple[str, ...] = attrs.field(default=(), converter=_c_strs, validator=_v_strs)
    keys: tuple[str, ...] = attrs.field(default=(), converter=_c_strs, validator=_v_strs)
    normalise: str = attrs.field(default="", validator=v.v_text())
    ties: str = attrs.field(default="min", validator=v.v_text(allow_empty=False))
    higher_is_better: bool = attrs.field(default=True, validator=v.v_instance(bool))
    parameters: tuple[tuple[str, str], ...] = attrs.field(
        default=(), converter=_c_pairs, validator=_v_pairs
    )

    def __attrs_post_init__(self) -> None:
        n = len(self.ids)
        if self.scores.shape != (n,) or self.ranks.shape != (n,):
            raise v.fail(
                "Ranking.scores/ranks",
                f"{n} scores and {n} ranks (one per id)",
                f"{self.scores.size} scores and {self.ranks.size} ranks",
            )
        v.unique("Ranking.ids", self.ids)
        if n and (self.ranks.min() < 1 or self.ranks.max() > n):
            raise v.fail("Ranking.ranks", f"ranks between 1 and {n}", self.ranks.tolist())
        if len(self.directions) not in (0, len(self.criteria)) or self.weights.size not in (
            0,
            len(self.criteria),
        ):
            raise v.fail(
                "Ranking.weights/directions",
                f"one weight and one direction per criterion ({len(self.criteria)})",
                (self.weights.tolist(), self.directions),
            )

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def order(self) -> tuple[str, ...]:
        """The ids best first (ties keep the given order).

        Examples:
            >>> Ranking(ids=("x", "y"), scores=[1.0, 2.0], ranks=[2, 1], model="m").order
            ('y', 'x')
        """
        idx = np.lexsort((np.arange(len(self.ids)), self.ranks))
        return tuple(self.ids[i] for i in idx)

    def top(self, k: int) -> tuple[str, ...]:
        """The ``k`` best ids, best first.

        Examples:
            >>> Ranking(ids=("x", "y", "z"), scores=[1, 3, 2], ranks=[3, 1, 2], model="m").top(2)
            ('y', 'z')
        """
        if not v.is_whole(k) or k < 0:
            raise v.fail("k", "a whole number >= 0", k)
        return self.order[: int(k)]

    def _index(self, id: str) -> int:
        if not isinstance(id, str) or id not in self.ids:
            raise v.fail("id", "one of the ranked ids", id)
        return self.ids.index(id)

    def rank_of(self, id: str) -> int:
        """The rank of the opportunity ``id`` (1 is first).

        Examples:
            >>> Ranking(ids=("x", "y"), scores=[1.0, 2.0], ranks=[2, 1], model="m").rank_of("y")
            1
        """
        return int(self.ranks[self._index(id)])

    def score_of(self, id: str) -> float:
        """The score of the opportunity ``id``.

        Examples:
            >>> Ranking(ids=("x", "y"), scores=[1.0, 2.0], ranks=[2, 1], model="m").score_of("x")
            1.0
        """
        return float(self.scores[self._index(id)])

    def _repr_html_(self) -> str:
        return display.html(self)
