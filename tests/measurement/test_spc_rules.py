"""The vectorised special-cause rules against a plain, loop-by-loop reference."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itil_ci.errors import InvalidInputError
from itil_ci.measurement import Signal, signals, xmr
from itil_ci.measurement.spc import ControlChart, signal_table

Found = list[tuple[int, tuple[int, ...], int]]  # (completing index, points, side)

RULES = {
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
DEFAULTS = {"western-electric": (8, 2), "nelson": (9, 6), "nhs": (7, 7)}


def ref_runs(flags: list[bool], need: int, side: int) -> Found:
    """Each maximal run of True at least ``need`` long, completing at its need-th point."""
    out: Found = []
    i = 0
    while i < len(flags):
        if not flags[i]:
            i += 1
            continue
        j = i
        while j < len(flags) and flags[j]:
            j += 1
        if j - i >= need:
            out.append((i + need - 1, tuple(range(i, j)), side))
        i = j
    return out


def ref_k_of_m(zone: list[bool], k: int, m: int, side: int) -> Found:
    """Occurrences (k zone points among m) merged while they share a point."""
    out: Found = []
    points: set[int] = set()
    first = -1
    for i, hit in enumerate(zone):
        if not hit:
            continue
        window = {j for j in range(max(0, i - m + 1), i + 1) if zone[j]}
        if len(window) < k:
            continue
        if points & window:
            points |= window
        else:
            if points:
                out.append((first, tuple(sorted(points)), side))
            first, points = i, set(window)
    if points:
        out.append((first, tuple(sorted(points)), side))
    return out


def ref_merge(hits: Found) -> Found:
    """Signals (sorted by where they start) that share a point merged into the first."""
    out: Found = []
    for i, pts, side in sorted(hits, key=lambda h: (h[1][0], h[0])):
        if out and set(out[-1][1]) & set(pts):
            first, old, _ = out[-1]
            out[-1] = (first, tuple(sorted(set(old) | set(pts))), side)
        else:
            out.append((i, pts, side))
    return out


def ref_two_in_three_same_side(
    seg: list[float], c: float, s: float, upper: float, lower: float
) -> Found:
    """NHSRplotthedots' two-in-three (ptd_two_in_three, 0.2.2 and later), one window at a time.

    Three consecutive points, all strictly on one side of the mean, of which
    at least two are "close to the limits": beyond 2 sigma but not outside
    the process limits.  The flagged points are the close ones; windows that
    share a flagged point are one signal, completing at its second close point.
    """
    hits: Found = []
    for side in (1, -1):
        for j in range(len(seg) - 2):
            window = range(j, j + 3)
            if not all((seg[i] - c) * side > 0 for i in window):
                continue
            close = [i for i in window if (seg[i] - c) * side > 2 * s and lower <= seg[i] <= upper]
            if len(close) >= 2:
                hits.append((close[1], tuple(close), side))
    return ref_merge([h for h in hits if h[2] == 1]) + ref_merge([h for h in hits if h[2] == -1])


def ref_mixture(seg: list[float], c: float, s: float) -> Found:
    """Nelson (1984) test 8: eight points in a row on both sides of the centre line, none
    within 1 sigma; windows that share points are one signal, completing at the 8th point."""
    hits: Found = []
    for j in range(len(seg) - 7):
        window = seg[j : j + 8]
        if all(abs(v - c) > s for v in window) and min(window) < c < max(window):
            hits.append((j + 7, tuple(range(j, j + 8)), 0))
    return ref_merge(hits)


def ref_stretches(x: list[float], need: int, ok: object) -> Found:
    """Maximal stretches of points whose every pair of consecutive steps passes ``ok``.

    ``ok(prev_step, step)`` judges a step against the one before (``prev_step``
    is None for a stretch's first step); a zero step always ends a stretch.
    """
    out: Found = []
    n = len(x)
    i = 0
    while i < n - 1:
        step = (x[i + 1] > x[i]) - (x[i + 1] < x[i])
        if step == 0:
            i += 1
            continue
        j = i + 1  # the stretch is points i..j
        while j < n - 1:
            nxt = (x[j + 1] > x[j]) - (x[j + 1] < x[j])
            last = (x[j] > x[j - 1]) - (x[j] < x[j - 1])
            if nxt == 0 or not ok(last, nxt):  # type: ignore[operator]
                break
            j += 1
        if j - i + 1 >= need:
            out.append((i + need - 1, tuple(range(i, j + 1)), step))
        i = j
    return out


def reference(
    x: list[float], chart: ControlChart, rules: str, run: int, trend: int
) -> list[tuple[str, int, tuple[int, ...], int]]:
    found = []
    for stage in chart.stages:
        seg = x[stage.start : stage.end]
        c, s = stage.centre, stage.sigma
        for order, (rule, kind) in enumerate(RULES[rules]):
            if kind == "beyond":
                hits = [(i, (i,), 1) for i, v in enumerate(seg) if v > stage.upper]
                hits += [(i, (i,), -1) for i, v in enumerate(seg) if v < stage.lower]
            elif kind == "2of3-same-side":
                hits = ref_two_in_three_same_side(seg, c, s, stage.upper, stage.lower)
            elif kind in ("2of3", "4of5"):
                k, m, w = (2, 3, 2.0) if kind == "2of3" else (4, 5, 1.0)
                hits = ref_k_of_m([v > c + w * s for v in seg], k, m, 1)
                hits += ref_k_of_m([v < c - w * s for v in seg], k, m, -1)
            elif kind == "run":
                hits = ref_runs([v > c for v in seg], run, 1)
                hits += ref_runs([v < c for v in seg], run, -1)
            elif kind == "trend":
                hits = ref_stretches(seg, trend, lambda a, b: a == b)
            elif kind == "alternating":
                # stretches of 14 or more that share a point (one ends where the next
                # starts) are one signal, as Nelson's test 4 is one pattern
                hits = ref_merge(
                    [(i, p, 0) for i, p, _ in ref_stretches(seg, 14, lambda a, b: a == -b)]
                )
            elif kind == "hugging":
                hits = ref_runs([c - s < v < c + s for v in seg], 15, 0)
            else:
                hits = ref_mixture(seg, c, s)
            for i, pts, side in hits:
                shifted = tuple(p + stage.start for p in pts)
                found.append((i + stage.start, order, rule, shifted, side))
    found.sort()
    return [(rule, i, pts, side) for i, _, rule, pts, side in found]


def side_of(kind: str, higher: bool) -> int:
    if kind == "neutral":
        return 0
    return 1 if (kind == "improvement") == higher else -1


# small integers scaled by 0.5 against a chart with centre 0 and sigma 1 land on
# the centre line, on zone edges and in every zone, with plenty of ties
series = st.lists(st.integers(-7, 7), min_size=1, max_size=90).map(lambda xs: [0.5 * v for v in xs])


@st.composite
def patterned(draw: st.DrawFn) -> list[float]:
    """Pieces of runs on one side, ramps, zigzags and noise, so every rule fires."""
    out: list[float] = []
    for _ in range(draw(st.integers(1, 6))):
        n = draw(st.integers(1, 20))
        shape = draw(st.sampled_from(["side", "ramp", "zigzag", "noise"]))
        base = 0.5 * draw(st.integers(-5, 5))
        if shape == "side":
            sign = draw(st.sampled_from([-1, 1]))
            out += [sign * 0.25 * draw(st.integers(0, 9)) for _ in range(n)]
        elif shape == "ramp":
            step = 0.05 * draw(st.sampled_from([-2, -1, 1, 2]))
            out += [base + step * i * draw(st.sampled_from([1, 1, 1, 1, 0])) for i in range(n)]
        elif shape == "zigzag":
            size = 0.25 * draw(st.integers(0, 10))
            out += [
                base + size * (-1) ** i * draw(st.sampled_from([1, 1, 1, 1, 0])) for i in range(n)
            ]
        else:
            out += [0.5 * draw(st.integers(-7, 7)) for _ in range(n)]
    return out


series = st.one_of(series, patterned())
rule_sets = st.sampled_from(sorted(RULES))


@settings(max_examples=300, deadline=None)
@given(series, rule_sets, st.none() | st.integers(2, 10), st.none() | st.integers(2, 8))
def test_rules_match_reference_known_limits(
    x: list[float], rules: str, run: int | None, trend: int | None
) -> None:
    chart = xmr(x, centre=0.0, sigma=1.0)
    got = signals(x, chart, rules, direction="higher", run_length=run, trend_length=trend)
    d_run, d_trend = DEFAULTS[rules]
    want = reference(x, chart, rules, run or d_run, trend or d_trend)
    assert [(s.rule, s.index, s.points, side_of(s.kind.value, True)) for s in got] == [
        (rule, i, pts, side if rule not in ("nelson4", "nelson7", "nelson8") else 0)
        for rule, i, pts, side in want
    ]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.floats(-50, 50, allow_nan=False), min_size=4, max_size=120),
    rule_sets,
    st.data(),
)
def test_rules_match_reference_estimated_and_staged(
    x: list[float], rules: str, data: st.DataObject
) -> None:
    cut = data.draw(st.none() | st.integers(2, len(x) - 2), label="change_at")
    chart = xmr(x, change_at=cut)
    got = [(s.rule, s.index, s.points) for s in signals(x, chart, rules)]
    want = [(r, i, p) for r, i, p, _ in reference(x, chart, rules, *DEFAULTS[rules])]
    assert got == want


@settings(max_examples=100, deadline=None)
@given(series, rule_sets, st.sampled_from([None, "higher", "lower"]))
def test_table_is_the_list(x: list[float], rules: str, direction: str | None) -> None:
    chart = xmr(x, centre=0.0, sigma=1.0)
    table = signal_table(x, chart, rules, direction=direction)
    found = signals(x, chart, rules, direction=direction)
    assert table.to_list() == found
    assert len(table) == len(found) == table.offsets.size - 1
    for i, s in enumerate(found):
        assert (table.rule[i], int(table.index[i]), table.kind[i]) == (s.rule, s.index, s.kind)
        assert tuple(table.points_of(i).tolist()) == s.points
        # the trusted records equal records built through the validating constructor
        rebuilt = Signal(**attrs.asdict(s, recurse=False))
        assert rebuilt == s
        assert hash(rebuilt) == hash(s)
        assert type(s.index) is int
        assert all(type(p) is int for p in s.points)


def test_table_is_read_only_and_checks_rows() -> None:
    x = [0.0, 0.0, 3.5, 2.5, 0.0, 2.5]
    table = signal_table(x, xmr(x, centre=0.0, sigma=1.0), "western-electric")
    # we1 at 2 (3.5 > 3); we2 completes at 3 (2.5, 2.5 beyond 2) and merges 5 in
    assert table.index.tolist() == [2, 3]
    assert table.points.tolist() == [2, 2, 3, 5]
    assert table.points_of(-1).tolist() == [2, 3, 5]
    with pytest.raises(ValueError, match="read-only"):
        table.index[0] = 1
    with pytest.raises(InvalidInputError, match="row number"):
        table.points_of(2)
    with pytest.raises(InvalidInputError, match="row number"):
        table.points_of(True)
    empty = signal_table([1.0, 1.0], xmr([1.0, 1.0]), "nelson")
    assert len(empty) == 0
    assert empty.offsets.tolist() == [0]
    assert empty.to_list() == []
