"""Exact 0/1 selection of options under a budget (knapsack) with constraints."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays, display
from itil_ci._internal.validate import fail, is_whole, number, whole
from itil_ci.errors import InvalidInputError
from itil_ci.prioritisation import _inputs

__all__ = ["Selection", "select"]

#: Largest group of options linked by ``requires`` that is enumerated exactly.
MAX_GROUP = 16

# Subsets of a linked group are scored against the budget axis this many
# (subset, budget) cells at a time.
_WORK = 2**20


@attrs.frozen
class Selection:
    """The chosen options: ``indices`` (ascending), total ``value`` and ``cost``.

    ``ids`` holds the chosen opportunity ids when opportunities were given;
    ``budget``, ``method`` and the constraints record how the choice was
    made: ``mandatory`` and ``excluded`` as given (option indices, ascending)
    and ``requires`` as ``(option, required option)`` index pairs, sorted.

    Examples:
        >>> s = select([5, 4, 3], [3, 2, 2], budget=4)
        >>> s.indices.tolist(), s.value, s.cost
        ([1, 2], 7.0, 4.0)
    """

    indices: npt.NDArray[np.int64] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    value: float
    cost: float
    budget: float
    ids: tuple[str, ...] = ()
    mandatory: tuple[int, ...] = ()
    excluded: tuple[int, ...] = ()
    requires: tuple[tuple[int, int], ...] = ()
    method: str = "dynamic-programming"

    def _repr_html_(self) -> str:
        return display.html(self)


def _index_of(name: str, item: object, n: int, pos: Mapping[str, int] | None) -> int:
    if isinstance(item, str):
        if pos is None or item not in pos:
            raise fail(name, "an option index (or an opportunity id)", item)
        return pos[item]
    if not is_whole(item) or not 0 <= item < n:
        raise fail(name, f"an option index in 0..{n - 1}" + (" or an id" if pos else ""), item)
    return int(item)


def _index_set(name: str, items: object, n: int, pos: Mapping[str, int] | None) -> set[int]:
    if isinstance(items, str | int) or not isinstance(items, Iterable):
        raise fail(name, "a collection of option indices or ids", items)
    return {_index_of(name, it, n, pos) for it in items}


def _edges(requires: object, n: int, pos: Mapping[str, int] | None) -> list[tuple[int, int]]:
    if requires is None:
        return []
    pairs: list[tuple[object, object]] = []
    if isinstance(requires, Mapping):
        for a, bs in requires.items():
            if isinstance(bs, str) or is_whole(bs):
                pairs.append((a, bs))
            elif isinstance(bs, Iterable):
                pairs.extend((a, b) for b in bs)
            else:
                raise fail(f"requires[{a!r}]", "an option or a collection of options", bs)
    elif isinstance(requires, Iterable) and not isinstance(requires, str):
        for pair in requires:
            if not (isinstance(pair, tuple | list) and len(pair) == 2):
                raise fail("requires", "pairs (option, option it requires)", pair)
            pairs.append((pair[0], pair[1]))
    else:
        raise fail(
            "requires", "a mapping {option: required option(s)} or a list of pairs", requires
        )
    out = []
    for a, b in pairs:
        ia = _index_of("requires", a, n, pos)
        ib = _index_of("requires", b, n, pos)
        if ia != ib:
            out.append((ia, ib))
    return out


def _closure(start: set[int], step: dict[int, list[int]]) -> set[int]:
    seen = set(start)
    stack = list(start)
    while stack:
        for nxt in step.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def _components(nodes: set[int], edges: list[tuple[int, int]]) -> list[list[int]]:
    parent = {i: i for i in nodes}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    groups: dict[int, list[int]] = {}
    for i in sorted(nodes):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _dp_values(v: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The values the dynamic programme adds up: ``v`` itself, or ``v`` times a power of two.

    Sums of values near 1.8e308 overflow to inf, and an inf total ties with
    every other inf, so the table could keep a worse choice.  When the sum of
    the positive values would overflow, they are scaled down by a power of
    two (exact: the same choices compare the same way) so that it cannot.
    """
    pos = v[v > 0]
    if pos.size == 0:
        return v
    top = float(pos.max())
    e = math.frexp(top)[1]
    total = float(np.ldexp(pos, -e).sum())  # at most pos.size: no overflow
    magnitude = e + math.frexp(total)[1]  # the sum is below 2**magnitude
    if magnitude <= _SAFE_EXPONENT:
        return v
    return np.ldexp(v, -magnitude)


_SAFE_EXPONENT = 1000


def select(
    values: Any,
    costs: Any = None,
    budget: float | None = None,
    *,
    mandatory: Iterable[int | str] = (),
    excluded: Iterable[int | str] = (),
    requires: Mapping[Any, Any] | Iterable[tuple[Any, Any]] | None = None,
    keys: Mapping[str, str] | None = None,
    max_table_bytes: int = 512 * 2**20,
) -> Selection:
    """The exact best choice of options (most total value) within a budget.

    Each option is taken whole or not at all (0/1 knapsack).  ``mandatory``
    options are always taken, ``excluded`` never; ``requires`` maps an option
    to the option(s) it needs (``{3: 1}`` or ``[(3, 1)]``: 3 only with 1),
    applied transitively.  Options are indices, or ids when ``values`` is a
    list of opportunities (then ``value`` reads ``expected_benefit`` and
    ``cost`` reads ``effort`` unless ``keys`` maps them elsewhere).

    Costs must be whole numbers >= 0: the solver is a dynamic programme
    vectorised over the budget axis, O(options × budget) time and
    options × budget bits of memory, plus 4 bytes per budget unit for each
    group of linked options and a few float64 working arrays over the budget
    (all counted against ``max_table_bytes``).  For
    fractional costs, scale costs and budget to whole units first (for
    example ``np.round(costs * 100)`` and ``budget * 100`` for hundredths).
    Options linked by ``requires`` are solved exactly as a group (at most
    :data:`MAX_GROUP` linked options per group).  Among equally good choices
    the one with fewer optional options is preferred deterministically.

    Examples:
        >>> # Cormen et al., Introduction to Algorithms (3rd ed.), Fig. 16.2:
        >>> # greedy by value/weight takes 0 and 1 (value 160); the optimum is 220.
        >>> s = select([60, 100, 120], [10, 20, 30], 50)
        >>> s.indices.tolist(), s.value, s.cost
        ([1, 2], 220.0, 50.0)
        >>> select([60, 100, 120], [10, 20, 30], 50, mandatory=[0]).indices.tolist()
        [0, 2]
    """
    pos: dict[str, int] | None = None
    ids: tuple[str, ...] | None = None
    if _inputs.is_opportunities(values):
        if costs is not None:
            raise fail("costs", "to be left out when opportunities are given (use keys=)", costs)
        resolved = _inputs.check_keys(
            keys, ["value", "cost"], {"value": "expected_benefit", "cost": "effort"}
        )
        ids = _inputs.ids_of(values)
        pos = {k: i for i, k in enumerate(ids)}
        v = _inputs.read_column(values, "value", resolved["value"])
        c = _inputs.read_column(values, "cost", resolved["cost"])
    else:
        if keys is not None:
            raise fail("keys", "None for arrays (keys map inputs to opportunity scores)", keys)
        if costs is None:
            raise fail("costs", "an array of costs, one per value", costs)
        v = _inputs.as_vector("values", values)
        c = _inputs.as_vector("costs", costs)
        if v.size != c.size:
            raise fail("costs", f"{v.size} costs (one per value)", f"{c.size} costs")
    whole("max_table_bytes", max_table_bytes, minimum=0)
    if budget is None:
        raise fail("budget", "a number >= 0", budget)
    b_total = number("budget", budget, minimum=0)
    assert b_total is not None
    n = v.size
    if n and not (c >= 0).all():
        i = int(np.flatnonzero(~(c >= 0))[0])
        raise fail(f"costs[{i}]", "a cost >= 0", float(c[i]))
    if n and (c != np.round(c)).any():
        i = int(np.flatnonzero(c != np.round(c))[0])
        raise fail(
            f"costs[{i}]",
            "whole numbers for the exact solver; scale costs and budget to whole units "
            "first, e.g. select(values, np.round(costs * 100), budget * 100)",
            float(c[i]),
        )
    v_dp = _dp_values(v)
    must = _index_set("mandatory", mandatory, n, pos)
    out = _index_set("excluded", excluded, n, pos)
    given_must, given_out = tuple(sorted(must)), tuple(sorted(out))
    both = must & out
    if both:
        raise fail("excluded", "options that are not also mandatory", sorted(both)[0])
    edges = _edges(requires, n, pos)
    needs: dict[int, list[int]] = {}
    needed_by: dict[int, list[int]] = {}
    for a, b in edges:
        needs.setdefault(a, []).append(b)
        needed_by.setdefault(b, []).append(a)
    must = _closure(must, needs)
    clash = must & out
    if clash:
        raise fail(
            "excluded",
            "options that no mandatory option requires",
            sorted(clash)[0] if ids is None else ids[sorted(clash)[0]],
        )
    must_list = np.array(sorted(must), dtype=np.int64)
    must_cost = float(c[must_list].sum()) if must_list.size else 0.0
    if must_cost > b_total:
        raise fail(
            "budget",
            f"at least {must_cost:g}, the cost of the mandatory options (and what they require)",
            budget,
        )
    cap = int(np.floor(b_total - must_cost + 1e-9))
    # Options that cannot fit, and everything that requires them, are out.
    too_big = set(np.flatnonzero(c > cap).tolist()) - must
    out = _closure(out | too_big, needed_by)
    free = set(range(n)) - must - out
    inner = [(a, b) for a, b in edges if a in free and b in free]
    linked = {a for a, _ in inner} | {b for _, b in inner}
    singles = np.array(sorted(i for i in free - linked if v_dp[i] > 0), dtype=np.int64)
    groups = _components(linked, inner)
    free_cost = float(c[singles].sum()) + sum(float(c[g].sum()) for g in groups)
    cap = int(min(cap, free_cost))
    stages = singles.size + len(groups)
    width = cap + 1
    # Bit table for single options, an int32 choice row per linked group, and
    # the float64 working rows (dp, plus best and a gathered row for groups).
    need = singles.size * ((width + 7) // 8) + len(groups) * 4 * width
    need += 8 * width * (4 if groups else 2)
    if need > max_table_bytes:
        raise InvalidInputError(
            f"budget: the decision table would need {need / 2**20:.0f} MiB "
            f"({stages} options × budget {cap}); scale costs and budget down to coarser whole "
            f"units, or raise max_table_bytes"
        )
    dp = np.zeros(cap + 1)
    single_bits: list[npt.NDArray[np.uint8]] = []
    for i in singles:
        ci, vi = int(c[i]), float(v_dp[i])
        cand = dp[: cap + 1 - ci] + vi
        take = cand > dp[ci:]
        np.maximum(dp[ci:], cand, out=dp[ci:])
        single_bits.append(np.packbits(take))
    group_opts: list[tuple[list[int], npt.NDArray[np.bool_], npt.NDArray[np.int32]]] = []
    for g in groups:
        k = len(g)
        if k > MAX_GROUP:
            raise fail(
                "requires",
                f"groups of at most {MAX_GROUP} options linked by requirements",
                f"a group of {k} options",
            )
        local = {opt: j for j, opt in enumerate(g)}
        masks = np.arange(1, 2**k, dtype=np.int64)
        bits = ((masks[:, None] >> np.arange(k)) & 1).astype(bool)
        ok = np.ones(masks.size, dtype=bool)
        for a, b in inner:
            if a in local:
                ok &= ~bits[:, local[a]] | bits[:, local[b]]
        bits = bits[ok]
        oc = bits @ c[g]
        ov = bits @ v_dp[g]
        keep = (oc <= cap) & (ov > 0)
        bits, oc, ov = bits[keep], oc[keep].astype(np.int64), ov[keep]
        # For each budget b, the first subset o with the largest dp[b - cost_o] + value_o,
        # kept only where it beats not taking any of the group; subsets in chunks.
        best = dp.copy()
        choice = np.zeros(width, dtype=np.int32)
        axis = np.arange(width)
        rows = max(1, _WORK // width)
        for lo in range(0, oc.size, rows):
            rest = axis - oc[lo : lo + rows, None]  # budget left for the earlier stages
            cand = np.where(rest >= 0, dp[np.maximum(rest, 0)] + ov[lo : lo + rows, None], -np.inf)
            top_o = np.argmax(cand, axis=0)
            top = cand[top_o, axis]
            better = top > best
            best[better] = top[better]
            choice[better] = lo + top_o[better] + 1
        dp = best
        group_opts.append((g, bits, choice))
    # Walk back through the stages.
    chosen: list[int] = list(must_list.tolist())
    b = cap
    for g, bits, choice in reversed(group_opts):
        o = int(choice[b])
        if o:
            members = [g[j] for j in np.flatnonzero(bits[o - 1])]
            chosen.extend(members)
            b -= int(c[members].sum())
    for idx in range(singles.size - 1, -1, -1):
        i = int(singles[idx])
        ci = int(c[i])
        if b >= ci:
            packed = single_bits[idx]
            j = b - ci
            if (packed[j >> 3] >> (7 - (j & 7))) & 1:
                chosen.append(i)
                b -= ci
    result = np.array(sorted(chosen), dtype=np.int64)
    with np.errstate(over="ignore"):
        total = float(v[result].sum()) if result.size else 0.0
    if not np.isfinite(total):
        raise fail(
            "values",
            "values whose best total fits in float64 (rescale them, e.g. in millions)",
            f"a best choice {result.tolist()} whose total value overflows",
        )
    return Selection(
        indices=arrays.readonly(result),
        value=total,
        cost=float(c[result].sum()) if result.size else 0.0,
        budget=b_total,
        ids=tuple(ids[i] for i in result) if ids is not None else (),
        mandatory=given_must,
        excluded=given_out,
        requires=tuple(sorted(set(edges))),
    )
