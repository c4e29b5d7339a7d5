"""Bad input to ``itil_ci.measurement``: a table of refusals, then a sweep of wrong types.

Every row must raise an ItilCiError subclass whose message names the argument
(the fragment checked), and nothing else may get out: no other exception, no
warning (``tests._refusal.refuses``).  Rows marked with an issue-#11 class
failed before that fix (wrapped times, numbers that were not numbers,
escaping exceptions, overflow).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import itil_ci as ic
from itil_ci import measurement as m
from itil_ci.errors import InvalidInputError
from tests._refusal import extreme_probes, leaks, nested, probe_count, probes, refuses

UTC = dt.UTC
T = np.array(["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"], dtype="datetime64[ns]")
E = T + np.timedelta64(2, "h")
NAT = np.array(["NaT"] * 4, dtype="datetime64[ns]")
K = ic.KPI("mttr", direction="lower", target=ic.Target(4.0, tolerance=0.5, due="2026-06-30"))
S = ic.Series(T, [5.0, 6.0, 4.0, 5.5], kpi_key="mttr")
B = ic.Baseline("mttr", 6.0)
CHART = m.xmr([1.0, 2.0, 3.0, 2.0])
GROUPED = m.mttr(T, E, by=["a", "a", "b", "b"], period="day")
TABLE = m.signal_table([0.0, 3.5], m.xmr([0.0, 3.5], centre=0.0, sigma=1.0))
RANGE = "expected a time between 1677-09-21T00:12:44Z and 2262-04-11T23:47:16Z"
SPAN = "expected two times less than 292 years apart"


def _s(*days: str) -> np.ndarray[Any, Any]:
    return np.array(days, dtype="datetime64[s]")


def _ns(*days: str) -> np.ndarray[Any, Any]:
    return np.array(days, dtype="datetime64[ns]")


ROWS: list[tuple[str, Callable[[], Any], str]] = [
    # numbers that are not numbers (#11 class 7)
    (
        "numeric string in an object array",
        lambda: m.aggregate(np.array(["1.5", 2.0], dtype=object), "mean"),
        "values[0]: expected a real number",
    ),
    ("list of numeric strings", lambda: m.aggregate(["1.5", "2.0"], "mean"), "strings (dtype"),
    ("booleans for a mean", lambda: m.aggregate([True, False], "mean"), "booleans (dtype bool)"),
    ("a boolean among numbers", lambda: m.aggregate([True, 2.0], "mean"), "not booleans"),
    ("complex numbers", lambda: m.aggregate(np.array([1 + 2j, 3]), "mean"), "complex numbers"),
    (
        "datetimes as values",
        lambda: m.aggregate([dt.datetime(2026, 1, 1, tzinfo=UTC)], "sum"),
        "values[0]: expected a real number",
    ),
    ("datetime64 as values", lambda: m.aggregate(T, "mean"), "times (dtype datetime64[ns])"),
    (
        "timedelta64 as values",
        lambda: m.aggregate(np.array([1, 2], dtype="timedelta64[h]"), "mean"),
        "durations",
    ),
    (
        "Decimal-like object",
        lambda: m.aggregate(np.array([object()]), "mean"),
        "values[0]: expected a real number",
    ),
    (
        "Series with a boolean value",
        lambda: ic.Series(T[:2], np.array([True, False])),
        "Series.values",
    ),
    (
        "compare with string observations",
        lambda: m.compare(["5", "6"], [3, 4], "lower"),
        "before: expected an array of numbers",
    ),
    ("mann_whitney with complex values", lambda: m.mann_whitney([1 + 1j, 2], [3, 4]), "before"),
    ("pareto weights as strings", lambda: m.pareto(["a", "b"], weights=["1", "2"]), "weights"),
    (
        "xmr bounds of strings",
        lambda: m.xmr([1.0, 2.0], bounds=("0", None)),
        "bounds[0]: expected a number",
    ),
    # integers beyond float64 (#11 class 8)
    ("integer beyond float64", lambda: m.aggregate([10**400], "mean"), "float64 range"),
    (
        "known centre beyond float64",
        lambda: m.xmr([1.0, 2.0], centre=10**400),
        "centre: expected a number within the float64 range",
    ),
    (
        "SLA target beyond float64",
        lambda: m.sla_attainment(T, E, None, 10**400),
        "targets: expected a number within the float64 range",
    ),
    (
        "resamples beyond reason",
        lambda: m.compare([5, 6], [3, 4], "lower", resamples=10**400),
        "resamples",
    ),
    # wrong types (#11 class 8)
    (
        "missing= as a list",
        lambda: m.aggregate([1.0], "mean", missing=["drop"]),
        "missing: expected one of",
    ),
    (
        "percentile_method as an array",
        lambda: m.aggregate([1.0], "p90", percentile_method=np.array(["linear"])),
        "percentile_method",
    ),
    (
        "compare method as an array",
        lambda: m.compare([5, 6], [3, 4], "lower", method=np.array(["bca"])),
        "method: expected one of",
    ),
    (
        "seed as a timedelta64",
        lambda: m.compare([5, 6], [3, 4], "lower", seed=np.timedelta64(1, "D")),
        "seed",
    ),
    (
        "xmr constants as a list",
        lambda: m.xmr([1.0, 2.0], constants=["wheeler"]),
        "constants: expected one of",
    ),
    (
        "change_at as a timedelta64",
        lambda: m.xmr([1.0, 2.0, 3.0], change_at=np.timedelta64(1, "D")),
        "change_at",
    ),
    ("change_at as bytes", lambda: m.xmr([1.0, 2.0, 3.0], change_at=b"\x01"), "change_at"),
    (
        "rules as an array",
        lambda: m.signals([1.0, 2.0, 3.0, 2.0], CHART, np.array(["nhs"])),
        "rules: expected one of",
    ),
    (
        "run_length True",
        lambda: m.signals([1.0, 2.0, 3.0, 2.0], CHART, run_length=True),
        "run_length",
    ),
    (
        "trend per as a list",
        lambda: m.mann_kendall([1.0, 2.0, 3.0], per=["day"]),
        "per: expected one of",
    ),
    (
        "sen_slope per as a list",
        lambda: m.sen_slope([1.0, 2.0, 3.0], per=["day"]),
        "per: expected one of",
    ),
    ("GroupedKPI.series column as a list", lambda: GROUPED.series(column=["value"]), "column"),
    (
        "GroupedKPI.series prefix as a number",
        lambda: GROUPED.series(prefix=5),
        "prefix: expected a string",
    ),
    (
        "points_of a timedelta64",
        lambda: TABLE.points_of(np.timedelta64(0, "D")),
        "i: expected a row number",
    ),
    ("categories nested past repr", lambda: m.pareto(nested(3000)), "categories"),
    ("baseline filters not a mapping", lambda: m.baseline(K, S, filters=5), "filters"),
    (
        "first contact flags as strings",
        lambda: m.first_contact_resolution(["yes", "no"]),
        "first_contact",
    ),
    ("evaluate a numeric string", lambda: m.evaluate(K, B, "4.4"), "series_or_value"),
    (
        "rate window of months",
        lambda: m.aggregate([1.0], "rate", window=np.timedelta64(3, "M")),
        "window: expected a duration in weeks or finer units",
    ),
    (
        "rate window NaT",
        lambda: m.aggregate([1.0], "rate", window=np.timedelta64("NaT")),
        "window: expected a duration (not NaT)",
    ),
    # out-of-range times and durations (#11 class 2)
    ("Series time in 3000", lambda: ic.Series(["3000-01-01T00:00:00+00:00"], [5.0]), RANGE),
    ("Series.between 9999", lambda: S.between(dt.datetime(9999, 1, 1, tzinfo=UTC)), RANGE),
    (
        "mann_kendall times around 1000 and 3000",
        lambda: m.mann_kendall([1, 2, 3], _s("1000-01-01", "2026-01-01", "3000-01-01")),
        RANGE,
    ),
    (
        "Sen's slope over 300 years",
        lambda: m.sen_slope([1, 2, 3], _ns("1700-01-01", "1900-01-01", "2200-01-01")),
        SPAN,
    ),
    ("mttr end in 3000", lambda: m.mttr(_s("2026-01-01"), _s("3000-01-01")), RANGE),
    (
        "backlog age over 292 years",
        lambda: m.backlog(_ns("1700-01-01"), _ns("NaT"), as_of=np.datetime64("2200-01-01", "ns")),
        SPAN,
    ),
    (
        "SLA as_of - start over 292 years",
        lambda: m.sla_attainment(
            _ns("1700-01-01"), _ns("NaT"), None, 5.0, as_of=np.datetime64("2200-01-01", "ns")
        ),
        SPAN,
    ),
    (
        "availability window over 292 years (downtime came out negative)",
        lambda: m.availability(
            _ns("1700-01-01"), _ns("NaT"), window=("1699-01-01T00:00:00Z", "2200-01-01T00:00:00Z")
        ),
        SPAN,
    ),
    # overflow refused rather than wrong (#11 class 9)
    (
        "relative tolerance whose width overflows",
        lambda: m.evaluate(
            ic.KPI(
                "k",
                direction="higher",
                target=ic.Target(1e308, tolerance=10.0, tolerance_kind="relative"),
            ),
            ic.Baseline("k", 0.0),
            1.0,
        ),
        "kpi.target.tolerance",
    ),
    (
        "a change from the baseline beyond float64",
        lambda: m.evaluate(
            ic.KPI("k", direction="higher", target=ic.Target(1.5e308)),
            ic.Baseline("k", -1.5e308),
            1.5e308,
        ),
        "series_or_value",
    ),
]


@pytest.mark.parametrize(("label", "call", "fragment"), ROWS, ids=[r[0] for r in ROWS])
def test_bad_input_is_refused(label: str, call: Callable[[], Any], fragment: str) -> None:
    refuses(call, InvalidInputError, fragment)


def test_table_is_large_enough() -> None:
    assert len(ROWS) >= 30


CALLS: dict[str, tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = {
    "aggregate": (
        m.aggregate,
        ([1.0, 2.0, 3.0], "mean"),
        {"missing": "reject", "window": None, "percentile_method": "linear"},
    ),
    "aggregate rate": (m.aggregate, ([1.0, 2.0], "rate"), {"window": dt.timedelta(days=1)}),
    "baseline": (m.baseline, (K, S), {"start": None, "end": None, "filters": {"s": "x"}}),
    "evaluate": (m.evaluate, (K, B, 4.4), {"today": dt.date(2026, 6, 1), "window": None}),
    "compare": (
        m.compare,
        ([5, 6, 7, 6], [3, 4, 3, 4], "lower"),
        {
            "confidence": 0.95,
            "method": "bootstrap",
            "seed": 1,
            "statistic": "mean",
            "resamples": 200,
        },
    ),
    "mann_whitney": (m.mann_whitney, ([1, 2, 3], [4, 5, 6]), {}),
    "mttr": (
        m.mttr,
        (T, E),
        {
            "by": ["a", "a", "b", "b"],
            "period": "day",
            "period_on": "start",
            "kind": "resolve",
            "unit": "hours",
            "quantile_method": "auto",
        },
    ),
    "mtta": (
        m.mtta,
        (T, E),
        {
            "by": None,
            "period": None,
            "period_on": "start",
            "unit": "hours",
            "quantile_method": "auto",
        },
    ),
    "sla_attainment": (
        m.sla_attainment,
        (T, E, ["P1", "P1", "P2", "P2"], {"P1": 4, "P2": 24}),
        {"by": None, "period": "week", "period_on": "start", "as_of": None, "unit": "hours"},
    ),
    "backlog": (m.backlog, (T, E), {"by": None, "period": "day", "as_of": None, "unit": "hours"}),
    "availability": (
        m.availability,
        (T, E),
        {
            "by": None,
            "period": None,
            "window": ("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"),
            "agreed": None,
            "unit": "hours",
        },
    ),
    "first_contact_resolution": (
        m.first_contact_resolution,
        ([True, False, True, True],),
        {"resolved": None, "by": None, "period": None, "times": None},
    ),
    "reopen_rate": (
        m.reopen_rate,
        ([0, 1, 2, 0],),
        {"resolved": None, "by": None, "period": "day", "times": T},
    ),
    "change_success_rate": (
        m.change_success_rate,
        ([True, False, True, True],),
        {"by": None, "period": None, "times": None},
    ),
    "pareto": (m.pareto, (["a", "b", "a"],), {"weights": None, "cutoff": 0.8}),
    "xmr": (
        m.xmr,
        ([1.0, 2.0, 3.0, 2.0],),
        {
            "constants": "wheeler",
            "baseline_points": None,
            "screen_ranges": False,
            "centre": None,
            "sigma": None,
            "change_at": None,
            "times": None,
            "bounds": None,
        },
    ),
    "signals": (
        m.signals,
        ([1.0, 2.0, 3.0, 2.0], CHART, "nelson"),
        {"direction": None, "run_length": None, "trend_length": None},
    ),
    "signal_table": (m.signal_table, ([1.0, 2.0, 3.0, 2.0], CHART, "nhs"), {"direction": "higher"}),
    "mann_kendall": (
        m.mann_kendall,
        ([1.0, 2.0, 3.0, 5.0],),
        {"times": None, "alpha": 0.05, "per": "day"},
    ),
    "sen_slope": (m.sen_slope, ([1.0, 2.0, 3.0, 5.0],), {"times": T, "per": "day"}),
    "GroupedKPI.series": (GROUPED.series, (), {"column": "value", "prefix": None}),
    "SignalTable.points_of": (TABLE.points_of, (0,), {}),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_wrong_types_raise_only_itil_ci_errors(name: str) -> None:
    fn, args, kwargs = CALLS[name]
    fn(*args, **kwargs)  # the base call is good
    found = leaks(probes(fn, args, kwargs))
    assert not found, found[:5]


@pytest.mark.parametrize("name", sorted(CALLS))
def test_extreme_numbers_raise_only_itil_ci_errors(name: str) -> None:
    # finite values near ±1.8e308 and subnormal ones: an answer or an ItilCiError,
    # never an overflow RuntimeWarning (#11 class 9)
    fn, args, kwargs = CALLS[name]
    found = leaks(extreme_probes(fn, args, kwargs))
    assert not found, found[:5]


def test_probe_count() -> None:
    # rows above plus every argument of every call replaced by each wrong value
    assert probe_count(CALLS.values()) + len(ROWS) >= 2000
