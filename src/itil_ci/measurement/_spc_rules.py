"""Special-cause rules on an XmR chart: Western Electric, Nelson, NHS (private).

Which pattern each rule set looks for, in which zone, and the signals found
as a :class:`SignalTable` or as records.  The pattern finders are in
:mod:`itil_ci.measurement._spc_patterns`.  Public through
:mod:`itil_ci.measurement.spc`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays, display
from itil_ci._internal import validate as v
from itil_ci.domain import Direction
from itil_ci.domain.results import Signal, SignalKind, _trusted_signals
from itil_ci.measurement import _spc_patterns as pat
from itil_ci.measurement._common import I64, direction_of, values_of
from itil_ci.measurement._spc_chart import ControlChart

__all__ = ["SignalTable", "signal_table", "signals"]

_RULE_SETS = ("western-electric", "nelson", "nhs")
_DEFAULT_RUN = {"western-electric": 8, "nelson": 9, "nhs": 7}
_DEFAULT_TREND = {"western-electric": 0, "nelson": 6, "nhs": 7}

_DESCRIPTIONS = {
    "beyond": "a point beyond the process limits",
    "2of3": "2 of 3 consecutive points beyond 2 sigma on the same side",
    "4of5": "4 of 5 consecutive points beyond 1 sigma on the same side",
    "run": "{n} consecutive points on the same side of the centre line",
    "trend": "{n} consecutive points steadily rising or falling",
    "alternating": "14 consecutive points alternating up and down",
    "hugging": "15 consecutive points within 1 sigma of the centre line",
    "mixture": "8 consecutive points beyond 1 sigma, with points on both sides of the centre line",
    "2of3-same-side": "2 of 3 consecutive points close to a process limit (beyond 2 sigma, "
    "within the limits), all 3 on the same side of the mean",
}

_RULES: dict[str, list[tuple[str, str]]] = {
    "western-electric": [("we1", "beyond"), ("we2", "2of3"), ("we3", "4of5"), ("we4", "run")],
    "nelson": [
        ("nelson1", "beyond"),
        ("nelson2", "run"),
        ("nelson3", "trend"),
        ("nelson4", "alternating"),
        ("nelson5", "2of3"),
        ("nelson6", "4of5"),
        ("nelson7", "hugging"),
        ("nelson8", "mixture"),
    ],
    "nhs": [
        ("astronomical", "beyond"),
        ("shift", "run"),
        ("trend", "trend"),
        ("two-in-three", "2of3-same-side"),
    ],
}


_LONGEST = 2**40  # a run or trend longer than any series: no signal, and no overflow


def _length(name: str, value: object, default: int) -> int:
    if value is None:
        return default
    if not v.is_whole(value) or int(cast(Any, value)) < 2:
        raise v.fail(name, "None or a whole number >= 2", value)
    return min(int(cast(Any, value)), _LONGEST)


def _ro(arr: npt.NDArray[Any]) -> npt.NDArray[Any]:
    out = np.array(arr)  # a private copy, so the table cannot change under its owner
    return arrays.readonly(out)


@attrs.frozen(eq=False)
class SignalTable:
    """Special-cause signals as columns, for bulk use (from :func:`signal_table`).

    Row ``i`` is the signal ``Signal(rule=rule[i], index=index[i],
    points=points[offsets[i]:offsets[i + 1]], kind=kind[i], rule_set=rule_set,
    description=description[i])``; rows are sorted like :func:`signals`.
    ``rule``, ``kind`` and ``description`` are object arrays of the ``str`` /
    :class:`~itil_ci.domain.results.SignalKind` values themselves (so
    ``table.rule == "nelson1"`` selects rows); ``index``, ``offsets`` (one
    longer than the table) and ``points`` (every signal's points, concatenated)
    are ``int64``.  All arrays are read-only.  ``to_list()`` gives the records
    that :func:`signals` returns.

    Examples:
        >>> from itil_ci.measurement.spc import xmr
        >>> x = [0.0, 0.0, 3.5, 2.5, 0.0, 2.5]
        >>> table = signal_table(x, xmr(x, centre=0.0, sigma=1.0), "western-electric")
        >>> len(table), table.index.tolist(), table.points_of(1).tolist()
        (2, [2, 3], [2, 3, 5])
        >>> [s.rule for s in table.to_list()]
        ['we1', 'we2']
    """

    rule_set: str
    rule: npt.NDArray[np.object_] = attrs.field(converter=_ro)
    index: I64 = attrs.field(converter=_ro)
    kind: npt.NDArray[np.object_] = attrs.field(converter=_ro)
    description: npt.NDArray[np.object_] = attrs.field(converter=_ro)
    offsets: I64 = attrs.field(converter=_ro)
    points: I64 = attrs.field(converter=_ro)

    def __len__(self) -> int:
        return int(self.index.size)

    def points_of(self, i: int) -> I64:
        """The points of row ``i`` (a read-only view of ``points``).

        Examples:
            >>> from itil_ci.measurement.spc import xmr
            >>> x = [0.0, 3.5]
            >>> signal_table(x, xmr(x, centre=0.0, sigma=1.0)).points_of(0).tolist()
            [1]
        """
        n = len(self)
        if not v.is_whole(i) or not -n <= i < n:
            raise v.fail("i", f"a row number in [{-n}, {n})", i)
        j = int(i) % n
        out: I64 = self.points[self.offsets[j] : self.offsets[j + 1]]
        return out

    def to_list(self) -> list[Signal]:
        """The signals as :class:`~itil_ci.domain.results.Signal` records, in row order.

        Examples:
            >>> from itil_ci.measurement.spc import xmr
            >>> x = [0.0, 3.5]
            >>> table = signal_table(x, xmr(x, centre=0.0, sigma=1.0))
            >>> [(s.rule, s.points) for s in table.to_list()]
            [('we1', (1,))]
        """
        points = tuple(self.points.tolist())
        bounds = self.offsets.tolist()
        return _trusted_signals(
            self.rule.tolist(),
            self.index.tolist(),
            map(points.__getitem__, map(slice, bounds[:-1], bounds[1:])),
            self.kind.tolist(),
            self.rule_set,
            self.description.tolist(),
        )

    def _repr_html_(self) -> str:
        return display.html(self)


def signals(
    values: Any,
    chart: ControlChart,
    rules: str = "western-electric",
    *,
    direction: Direction | str | Any = None,
    run_length: int | None = None,
    trend_length: int | None = None,
) -> list[Signal]:
    """Find special-cause signals of ``values`` on ``chart``.

    Rule sets (zones are multiples of ``chart.sigma`` from the centre line;
    "beyond" is strict):

    - ``"western-electric"``: ``we1`` a point beyond the limits; ``we2`` 2 of
      3 beyond 2 sigma on one side; ``we3`` 4 of 5 beyond 1 sigma on one side;
      ``we4`` a run of 8 on one side;
    - ``"nelson"``: ``nelson1`` beyond the limits; ``nelson2`` 9 on one side;
      ``nelson3`` 6 points steadily rising or falling; ``nelson4`` 14 points
      alternating up and down; ``nelson5`` 2 of 3 beyond 2 sigma; ``nelson6``
      4 of 5 beyond 1 sigma; ``nelson7`` 15 within 1 sigma; ``nelson8`` 8
      in a row beyond 1 sigma with points on both sides of the centre line
      (Nelson 1984: none in zone C);
    - ``"nhs"`` (NHS *Making Data Count*): ``astronomical`` beyond the limits;
      ``shift`` 7 on one side; ``trend`` 7 rising or falling;
      ``two-in-three`` 2 of 3 consecutive points close to a limit (beyond 2
      sigma but within the limits) with all 3 on the same side of the mean,
      as NHSRplotthedots.

    ``run_length`` and ``trend_length`` override the run (8 / 9 / 7) and trend
    (6 / 7) lengths.  A point exactly on the centre line breaks a run; equal
    neighbours break a trend.  Rules never span two stages of a staged chart.

    Each signal gives ``index``, the point that completes it (for a run, the
    point where the run reaches its length; for "k of m", the k-th point in
    the zone), and ``points``, every point taking part.  Occurrences of a rule
    that share points form one signal (a run of 12 is one shift).  ``kind``
    is improvement or concern from ``direction`` (a Direction,
    ``"higher"``/``"lower"`` or a KPI), neutral without one and for the rules
    with no side (``nelson4``, ``nelson7``, ``nelson8``).  Signals come sorted
    by index.

    Examples:
        >>> from itil_ci.measurement.spc import xmr
        >>> x = [5, 5.5, 4.5, 5, 5.2, 4.8, 5, 9, 5]
        >>> chart = xmr(x[:7])
        >>> [(s.rule, s.index, s.kind.value) for s in signals(x, xmr(x, baseline_points=7),
        ...                                                    "nhs", direction="lower")]
        [('astronomical', 7, 'concern')]
    """
    return signal_table(
        values,
        chart,
        rules,
        direction=direction,
        run_length=run_length,
        trend_length=trend_length,
    ).to_list()


def signal_table(
    values: Any,
    chart: ControlChart,
    rules: str = "western-electric",
    *,
    direction: Direction | str | Any = None,
    run_length: int | None = None,
    trend_length: int | None = None,
) -> SignalTable:
    """The signals of :func:`signals` (same arguments, rules and order) as columns.

    For bulk use: a million random points give some 15,000 signals, and most
    of the time of :func:`signals` then goes to building that many Python
    records; the table holds them as a few numpy arrays instead.
    ``signal_table(...).to_list() == signals(...)``.

    Examples:
        >>> from itil_ci.measurement.spc import xmr
        >>> x = [0.0, 0.0, 3.5, -3.5]
        >>> t = signal_table(x, xmr(x, centre=0.0, sigma=1.0), "nhs", direction="lower")
        >>> t.rule.tolist(), t.index.tolist(), [k.value for k in t.kind]
        (['astronomical', 'astronomical'], [2, 3], ['concern', 'improvement'])
    """
    if not isinstance(chart, ControlChart):
        raise v.fail("chart", "a ControlChart (from xmr)", chart)
    v.choice("rules", rules, _RULE_SETS)
    x = values_of("values", values)
    if x.size != chart.n:
        raise v.fail("values", f"{chart.n} values (the chart's length)", f"{x.size} values")
    d = direction_of("direction", direction, allow_none=True)
    run = _length("run_length", run_length, _DEFAULT_RUN[rules])
    trend = _length("trend_length", trend_length, _DEFAULT_TREND[rules] or 2)
    names = _RULES[rules]
    parts: list[pat.Hits] = []
    codes: list[I64] = []
    for st in chart.stages:
        seg = x[st.start : st.end]
        c, s = st.centre, st.sigma
        above1, below1 = seg > c + s, seg < c - s
        for rule_no, (_, kind) in enumerate(names):
            if kind == "beyond":
                hits = pat.join([pat.singles(seg > st.upper, 1), pat.singles(seg < st.lower, -1)])
            elif kind == "2of3":
                hits = pat.join(
                    [pat.k_of_m(seg > c + 2 * s, 2, 3, 1), pat.k_of_m(seg < c - 2 * s, 2, 3, -1)]
                )
            elif kind == "4of5":
                hits = pat.join([pat.k_of_m(above1, 4, 5, 1), pat.k_of_m(below1, 4, 5, -1)])
            elif kind == "run":
                hits = pat.join([pat.run_hits(seg > c, run, 1), pat.run_hits(seg < c, run, -1)])
            elif kind == "trend":
                hits = pat.trend_hits(seg, trend)
            elif kind == "alternating":
                hits = pat.alternating_hits(seg, 14)
            elif kind == "2of3-same-side":
                hits = pat.two_in_three_same_side(seg, c, s, st.upper, st.lower)
            elif kind == "hugging":
                hits = pat.run_hits((seg > c - s) & (seg < c + s), 15, 0)
            else:  # mixture
                hits = pat.mixture_hits(above1, below1, 8)
            index, flat, counts, side = hits
            parts.append((index + st.start, flat + st.start, counts, side))
            codes.append(np.full(index.size, rule_no, dtype=np.int64))
    index, flat, counts, side = pat.join(parts)
    code = np.concatenate(codes)
    order = np.lexsort((code, index))  # by index, then by the rule's place in the set
    offsets = np.zeros(index.size + 1, dtype=np.int64)
    np.cumsum(counts[order], out=offsets[1:])
    starts = (np.cumsum(counts) - counts)[order]
    take, _ = pat.spans_flat(starts, starts + counts[order])  # points regrouped in signal order
    text = [_DESCRIPTIONS[kind].format(n=run if kind == "run" else trend) for _, kind in names]
    by_side = [
        SignalKind.NEUTRAL
        if d is None or sd == 0
        else (SignalKind.IMPROVEMENT if sd == d.sign else SignalKind.CONCERN)
        for sd in (-1, 0, 1)
    ]
    code = code[order]
    return SignalTable(
        rule_set=rules,
        rule=_pick([rule for rule, _ in names], code),
        index=index[order],
        kind=_pick(by_side, side[order] + 1),
        description=_pick(text, code),
        offsets=offsets,
        points=flat[take],
    )


def _pick(table: Sequence[Any], codes: I64) -> npt.NDArray[np.object_]:
    """``table[codes]`` as an object array holding ``table``'s own objects."""
    items = np.empty(len(table), dtype=object)
    items[:] = list(table)
    out: npt.NDArray[np.object_] = items[codes]
    return out
