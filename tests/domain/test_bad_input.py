"""A table of bad inputs: each raises an ItilCiError subclass with a precise message."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import itil_ci as ic
from itil_ci.io import from_json, to_dict

UTC = dt.UTC
NAIVE = dt.datetime(2026, 1, 1)
T2 = np.array(["2026-01-01", "2026-01-02"], dtype="datetime64[ns]")


def _doc(obj: Any, **changes: Any) -> str:
    data = to_dict(obj)
    data.update(changes)
    return json.dumps(data)


def _set(obj: Any, name: str, value: Any) -> Callable[[], Any]:
    def run() -> Any:
        setattr(obj, name, value)

    return run


CASES: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    (
        "KPI empty key",
        lambda: ic.KPI(""),
        ic.InvalidInputError,
        "KPI.key: expected a non-empty string, got ''",
    ),
    (
        "KPI key with space",
        lambda: ic.KPI("mean time"),
        ic.InvalidInputError,
        "KPI.key: expected letters",
    ),
    (
        "KPI wrong direction",
        lambda: ic.KPI("x", direction="up"),
        ic.InvalidInputError,
        "direction: expected one of 'higher-is-better', 'lower-is-better', got 'up'",
    ),
    (
        "KPI unknown aggregation",
        lambda: ic.KPI("x", aggregation="mode"),
        ic.InvalidInputError,
        "aggregation: expected one of 'mean'",
    ),
    (
        "KPI metric type",
        lambda: ic.KPI("x", metric_type="business"),
        ic.InvalidInputError,
        "KPI.metric_type: expected one of 'technology', 'process', 'service', got 'business'",
    ),
    (
        "KPI target not a Target",
        lambda: ic.KPI("x", target=4.0),
        ic.InvalidInputError,
        "KPI.target: expected a Target or None, got 4.0",
    ),
    (
        "percentile without p",
        lambda: ic.Aggregation("percentile"),
        ic.InvalidInputError,
        "Aggregation.p: expected a number, got None",
    ),
    (
        "percentile above 100",
        lambda: ic.Aggregation.parse("p101"),
        ic.InvalidInputError,
        "Aggregation.p: expected a percentile between 0 and 100, got 101.0",
    ),
    (
        "p on mean",
        lambda: ic.Aggregation("mean", p=50),
        ic.InvalidInputError,
        "Aggregation.p: expected None for method 'mean', got 50",
    ),
    (
        "rate unit",
        lambda: ic.Aggregation("rate", per="fortnight"),
        ic.InvalidInputError,
        "Aggregation.per: expected one of",
    ),
    (
        "Target NaN",
        lambda: ic.Target(float("nan")),
        ic.InvalidInputError,
        "Target.value: expected a finite number, got nan",
    ),
    (
        "Target inf",
        lambda: ic.Target(float("inf")),
        ic.InvalidInputError,
        "Target.value: expected a finite number, got inf",
    ),
    (
        "Target string value",
        lambda: ic.Target("4"),
        ic.InvalidInputError,
        "Target.value: expected a number, got '4'",
    ),
    (
        "Target negative tolerance",
        lambda: ic.Target(4, tolerance=-1),
        ic.InvalidInputError,
        "Target.tolerance: expected a number >= 0, got -1",
    ),
    (
        "Target due is a datetime",
        lambda: ic.Target(4, due=dt.datetime(2026, 1, 1, tzinfo=UTC)),
        ic.InvalidInputError,
        "Target.due: expected a date",
    ),
    (
        "Target bad due string",
        lambda: ic.Target(4, due="31/12/2026"),
        ic.InvalidInputError,
        "Target.due: expected an ISO-8601 date (YYYY-MM-DD), got '31/12/2026'",
    ),
    (
        "Series length mismatch",
        lambda: ic.Series(T2, [1.0]),
        ic.InvalidInputError,
        "Series.values: expected 2 values (one per time), got 1",
    ),
    (
        "Series NaN",
        lambda: ic.Series(T2, [1.0, float("nan")]),
        ic.InvalidInputError,
        "Series.values[1]: expected a number (missing values are not allowed here), got nan",
    ),
    (
        "Series inf even with missing allowed",
        lambda: ic.Series(T2, [1.0, float("inf")], allow_missing=True),
        ic.InvalidInputError,
        "Series.values[1]: expected a finite number, got inf",
    ),
    (
        "Series naive datetime",
        lambda: ic.Series([NAIVE], [1.0]),
        ic.InvalidInputError,
        "Series.times[0]: expected a timezone-aware datetime (naive times are ambiguous)",
    ),
    (
        "Series NaT",
        lambda: ic.Series(np.array(["NaT"], dtype="datetime64[ns]"), [1.0]),
        ic.InvalidInputError,
        "Series.times[0]: expected a time (not NaT), got 'NaT'",
    ),
    (
        "Series string values",
        lambda: ic.Series(T2, ["a", "b"]),
        ic.InvalidInputError,
        "Series.values: expected an array of numbers",
    ),
    (
        "Series 2-D values",
        lambda: ic.Series(T2, [[1.0, 2.0]]),
        ic.InvalidInputError,
        "Series.values: expected a one-dimensional array of numbers, got 'array of shape (1, 2)'",
    ),
    (
        "Series bad time string",
        lambda: ic.Series(["yesterday"], [1.0]),
        ic.InvalidInputError,
        "Series.times[0]: expected an ISO-8601 date-time with a UTC offset, got 'yesterday'",
    ),
    (
        "Baseline end before start",
        lambda: ic.Baseline(
            "x",
            1.0,
            start=dt.datetime(2026, 2, 1, tzinfo=UTC),
            end=dt.datetime(2026, 1, 1, tzinfo=UTC),
        ),
        ic.InvalidInputError,
        "Baseline.end: expected a time not before start",
    ),
    (
        "Baseline naive start",
        lambda: ic.Baseline("x", 1.0, start=NAIVE),
        ic.InvalidInputError,
        "Baseline.start: expected a timezone-aware datetime, got "
        "datetime.datetime(2026, 1, 1, 0, 0)",
    ),
    (
        "Baseline negative n",
        lambda: ic.Baseline("x", 1.0, n=-3),
        ic.InvalidInputError,
        "Baseline.n: expected a whole number >= 0, got -3",
    ),
    (
        "Baseline negative std",
        lambda: ic.Baseline("x", 1.0, std=-0.1),
        ic.InvalidInputError,
        "Baseline.std: expected a number >= 0, got -0.1",
    ),
    (
        "Opportunity empty title",
        lambda: ic.Opportunity(title="  "),
        ic.InvalidInputError,
        "Opportunity.title: expected a non-empty string, got '  '",
    ),
    (
        "Opportunity negative effort",
        lambda: ic.Opportunity(title="x", effort=-1),
        ic.InvalidInputError,
        "Opportunity.effort: expected a number >= 0, got -1",
    ),
    (
        "Opportunity bool effort",
        lambda: ic.Opportunity(title="x", effort=True),
        ic.InvalidInputError,
        "Opportunity.effort: expected a number, got True",
    ),
    (
        "Opportunity unknown source",
        lambda: ic.Opportunity(title="x", source="rumour"),
        ic.InvalidInputError,
        "Opportunity.source: expected one of 'incident-trend'",
    ),
    (
        "Opportunity naive raised_at",
        lambda: ic.Opportunity(title="x", raised_at=NAIVE),
        ic.InvalidInputError,
        "Opportunity.raised_at: expected a timezone-aware datetime",
    ),
    (
        "Opportunity NaN score",
        lambda: ic.Opportunity(title="x", scores={"value": float("nan")}),
        ic.InvalidInputError,
        "Opportunity.scores['value']: expected a finite number, got nan",
    ),
    (
        "Opportunity kpis not a list",
        lambda: ic.Opportunity(title="x", kpis="mttr"),
        ic.InvalidInputError,
        "Opportunity.kpis: expected a list of strings, got 'mttr'",
    ),
    (
        "Opportunity illegal status move",
        lambda: ic.Opportunity(title="x").move_to("closed"),
        ic.InvalidTransition,
        "Opportunity.status: cannot move from 'logged' to 'closed'; "
        "allowed from 'logged': assessed, withdrawn",
    ),
    (
        "Opportunity negative effort on assignment",
        _set(ic.Opportunity(title="x"), "effort", -2.0),
        ic.InvalidInputError,
        "Opportunity.effort: expected a number >= 0, got -2.0",
    ),
    (
        "Initiative duplicate KPI keys",
        lambda: ic.Initiative(title="x", kpis=[ic.KPI("a"), ic.KPI("a")]),
        ic.InvalidInputError,
        "Initiative.kpis (keys): expected unique values, got 'a'",
    ),
    (
        "Initiative unknown model",
        lambda: ic.Initiative(title="x", model="six-sigma"),
        ic.InvalidInputError,
        "Initiative.model: expected one of 'itil4', 'seven-step', 'pdca'",
    ),
    (
        "Initiative baseline filed under another key",
        lambda: ic.Initiative(title="x", baselines={"a": ic.Baseline("b", 1.0)}),
        ic.InvalidInputError,
        "Initiative.baselines['a'].kpi_key: expected 'a', got 'b'",
    ),
    (
        "Initiative negative cycle",
        lambda: ic.Initiative(title="x", cycle=-1),
        ic.InvalidInputError,
        "Initiative.cycle: expected a whole number >= 0, got -1",
    ),
    (
        "Actor unknown role",
        lambda: ic.Actor("ana", roles=["boss"]),
        ic.InvalidInputError,
        "Actor.roles[0]: expected one of 'continual-improvement-manager'",
    ),
    (
        "Outcome unknown closure",
        lambda: ic.Outcome("great"),
        ic.InvalidInputError,
        "Outcome.closure: expected one of 'successful'",
    ),
    (
        "JSON unknown field",
        lambda: from_json(_doc(ic.CSF("x"), colour="red"), ic.CSF),
        ic.DecodeError,
        "csf: unknown field(s) ['colour']",
    ),
    (
        "JSON string where number",
        lambda: from_json(_doc(ic.Target(1.0), value="1.5"), ic.Target),
        ic.DecodeError,
        "target.value: expected a number, got '1.5'",
    ),
    (
        "JSON NaN literal",
        lambda: from_json('{"schema_version": 1, "value": NaN}', ic.Target),
        ic.DecodeError,
        "document: NaN is not valid JSON",
    ),
    (
        "JSON truncated",
        lambda: from_json('{"schema_version": 1, "value": ', ic.Target),
        ic.DecodeError,
        "document: not valid JSON",
    ),
    (
        "JSON missing schema_version",
        lambda: from_json('{"value": 1.0}', ic.Target),
        ic.DecodeError,
        "target.schema_version: required field is missing",
    ),
    (
        "JSON missing required field",
        lambda: from_json('{"schema_version": 1}', ic.Target),
        ic.DecodeError,
        "target.value: required field is missing",
    ),
    (
        "JSON naive datetime",
        lambda: from_json(
            _doc(ic.Opportunity(title="x"), raised_at="2026-01-01T00:00:00"), ic.Opportunity
        ),
        ic.DecodeError,
        "opportunity.raised_at: expected an ISO-8601 date-time with a UTC offset",
    ),
    (
        "JSON series bad time",
        lambda: from_json(
            '{"schema_version": 1, "times": ["2026-01-01"], "values": [1]}', ic.Series
        ),
        ic.DecodeError,
        "series.times[0]: expected an ISO-8601 UTC time",
    ),
    (
        "JSON series length mismatch",
        lambda: from_json(
            '{"schema_version": 1, "times": ["2026-01-01T00:00:00Z"], "values": [1, 2]}', ic.Series
        ),
        ic.DecodeError,
        "series.values: expected 1 values (one per time), got 2",
    ),
    (
        "JSON series impossible date",
        lambda: from_json(
            '{"schema_version": 1, "times": ["2026-01-01T00:00:00Z", "2026-13-01T00:00:00Z"], '
            '"values": [1, 2]}',
            ic.Series,
        ),
        ic.DecodeError,
        "series.times[1]: expected a valid ISO-8601 UTC date and time, got '2026-13-01T00:00:00Z'",
    ),
    (
        "JSON series time with two zones",
        lambda: from_json(
            '{"schema_version": 1, "times": ["2026-01-01T00:00:00-05:00Z"], "values": [1]}',
            ic.Series,
        ),
        ic.DecodeError,
        "series.times[0]: expected an ISO-8601 UTC time ending in 'Z' or '+00:00', "
        "got '2026-01-01T00:00:00-05:00Z'",
    ),
    (
        "JSON series time with a repeated zone",
        lambda: from_json(
            '{"schema_version": 1, "times": ["2026-01-01T00:00:00ZZ"], "values": [1]}',
            ic.Series,
        ),
        ic.DecodeError,
        "series.times[0]: expected an ISO-8601 UTC time ending in 'Z' or '+00:00'",
    ),
    (
        "JSON series time out of the nanosecond range",
        lambda: from_json(
            '{"schema_version": 1, "times": ["9999-01-01T00:00:00Z"], "values": [1]}',
            ic.Series,
        ),
        ic.DecodeError,
        "series.times[0]: expected a time between 1678-09-22 and 2262-04-11",
    ),
    (
        "JSON series string value",
        lambda: from_json(
            '{"schema_version": 1, "times": ["2026-01-01T00:00:00Z"], "values": ["1"]}',
            ic.Series,
        ),
        ic.DecodeError,
        "series.values[0]: expected a number, got '1'",
    ),
    (
        "JSON top level not an object",
        lambda: from_json("[1, 2]", ic.KPI),
        ic.DecodeError,
        "kpi: expected an object, got [1, 2]",
    ),
    (
        "JSON bool where number",
        lambda: from_json(_doc(ic.Target(1.0), value=True), ic.Target),
        ic.DecodeError,
        "target.value: expected a number, got True",
    ),
]


@pytest.mark.parametrize(("label", "make", "error", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_raises_precise_error(
    label: str, make: Callable[[], Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as info:
        make()
    assert isinstance(info.value, ic.ItilCiError)
    assert message in str(info.value), str(info.value)


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 30


def test_bad_input_errors_are_value_errors() -> None:
    for _label, make, _error, message in CASES:
        with pytest.raises(ValueError, match=re.escape(message)):
            make()
