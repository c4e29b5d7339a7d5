"""Bad input to the Dask forms: one clear InvalidInputError naming the argument or column."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

import pandas as pd
import pytest

from itil_ci import scale
from itil_ci.errors import InvalidInputError
from itil_ci.measurement import itsm

from .data import columns, frame, pieces, random_outages, random_tickets

T = random_tickets(7, 40)


def _t() -> Any:
    return frame(T, pieces(len(T), 7))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: scale.mttr(T), "tickets: expected a dask DataFrame"),
        (
            lambda: scale.mttr(_t(), start="logged"),
            "start: expected the name of a column of tickets",
        ),
        (lambda: scale.mttr(_t(), by="team"), "by: expected names of columns of tickets"),
        (
            lambda: scale.mttr(_t(), by=["priority", "priority"]),
            "by: expected distinct column names",
        ),
        (lambda: scale.mttr(_t(), by=3), "by: expected a column name or a non-empty sequence"),
        (
            lambda: scale.mttr(_t(), end="priority"),
            "tickets['priority']: expected a column of times",
        ),
        (lambda: scale.mttr(_t(), period="year"), "period: expected None or one of"),
        (lambda: scale.mttr(_t(), unit="hour"), "unit: expected one of"),
        (lambda: scale.mttr(_t(), kind="fix"), "kind: expected one of"),
        (lambda: scale.mttr(_t(), approximate=1), "approximate: expected True or False"),
        (lambda: scale.mttr(_t(), approximate=True, relative_error=0), "relative_error: expected"),
        (lambda: scale.mttr(_t(), period_on="closed"), "period_on: expected the name of a column"),
        (lambda: scale.sla_attainment(_t(), {}), "targets: expected a number or a non-empty"),
        (lambda: scale.sla_attainment(_t(), {1: 4}), r"tickets, partition \d: priority\[\d+\]"),
        (lambda: scale.reopen_rate(_t(), period="day"), "times: expected a time per ticket"),
        (lambda: scale.backlog(_t(), as_of="yesterday"), "as_of"),
        (lambda: scale.availability(_t(), start="opened", end="resolved"), "window: expected"),
        (lambda: scale.compute(42), r"calls\[0\]: expected a call of an itil_ci.scale"),  # type: ignore[arg-type]
        (lambda: scale.compute(lambda: itsm.mttr(*columns(T, "opened", "resolved"))), "calls"),
    ],
)
def test_bad_arguments(call: Any, message: str) -> None:
    with pytest.raises(
        InvalidInputError, match=message.replace("['", r"\['").replace("']", r"'\]")
    ):
        call()


def test_naive_times_are_refused() -> None:
    naive = T.assign(opened=T["opened"].dt.tz_localize(None))
    with pytest.raises(InvalidInputError, match="expected timezone-aware times"):
        scale.mttr(frame(naive))


def test_an_error_in_a_partition_names_the_column_and_the_partition() -> None:
    bad = T.copy()
    row = 30
    bad.loc[row, "resolved"] = bad.loc[row, "opened"] - pd.Timedelta(hours=1)
    parts = [slice(0, 20), slice(20, 40)]
    with pytest.raises(InvalidInputError) as err:
        scale.mttr(frame(bad, parts))
    # the in-memory message, with the columns' names and the row within partition 1
    assert re.match(
        r"tickets, partition 1: resolved\[10\]: expected a time at or after opened\[10\]",
        str(err.value),
    )


def test_no_tickets_at_all() -> None:
    empty = frame(T, [slice(0, 0), slice(0, 0)])
    for call, name in (
        (scale.mttr, "start"),
        (partial(scale.sla_attainment, targets=4.0, priority=None), "start"),
        (partial(scale.reopen_rate), "reopened"),
        (scale.backlog, "opened"),
    ):
        with pytest.raises(InvalidInputError, match=f"{name}: expected at least one ticket"):
            call(empty)


def test_outages_overlapping_across_partitions() -> None:
    df = pd.DataFrame(
        {
            "start": pd.to_datetime(["2025-01-01T00:00", "2025-01-01T05:00", "2025-01-01T01:00"]),
            "end": pd.to_datetime(["2025-01-01T02:00", "2025-01-01T06:00", None]),
            "service": ["db", "db", "db"],
        }
    )
    for name in ("start", "end"):
        df[name] = df[name].dt.tz_localize("UTC")
    # the second outage of db starts while the first still runs: whatever the partitioning
    for parts in ([slice(0, 1), slice(1, 3)], [slice(0, 2), slice(2, 3)], [slice(0, 3)]):
        with pytest.raises(InvalidInputError, match="outages of one service that do not overlap"):
            scale.availability(frame(df, parts), by="service", period="day")
    fine = random_outages(8, 30)
    with pytest.raises(InvalidInputError, match="agreed: expected at least the downtime of row"):
        scale.availability(frame(fine, pieces(30, 8)), by="service", period="month", agreed=0.001)


# --- sweep: every wrong value into every argument of the Dask forms -------------------


def _sweep_targets() -> dict[str, Any]:
    t = _t()
    outages = frame(random_outages(8, 12), pieces(12, 8))
    out: dict[str, Any] = {"read_tickets.path": lambda x: scale.read_tickets(x)}
    for arg in (
        "start",
        "end",
        "by",
        "period",
        "period_on",
        "kind",
        "unit",
        "quantile_method",
        "calendar",
        "pauses",
        "ids",
        "as_of",
        "approximate",
        "relative_error",
    ):
        out[f"mttr.{arg}"] = partial(lambda a, x: scale.mttr(t, **{a: x}), arg)
    out["mttr.tickets"] = lambda x: scale.mttr(x)
    for arg in ("targets", "priority", "by", "period", "as_of", "unit", "met", "calendar"):
        base: dict[str, Any] = {"targets": 24.0, "priority": None}
        out[f"sla_attainment.{arg}"] = partial(
            lambda a, b, x: scale.sla_attainment(t, **{**b, a: x}), arg, base
        )
    for arg in ("reopened", "resolved", "by", "period", "times"):
        out[f"reopen_rate.{arg}"] = partial(lambda a, x: scale.reopen_rate(t, **{a: x}), arg)
    for arg in ("opened", "closed", "by", "period", "as_of", "unit"):
        out[f"backlog.{arg}"] = partial(lambda a, x: scale.backlog(t, **{a: x}), arg)
    window = ("2025-01-01T00:00Z", "2026-01-01T00:00Z")
    for arg in ("by", "period", "window", "agreed", "unit"):
        kw = {"window": window, arg: None} if arg != "window" else {}
        out[f"availability.{arg}"] = partial(
            lambda a, k, x: scale.availability(outages, **{**k, a: x}), arg, kw
        )
    out["time_in_state.calendar"] = lambda x: scale.time_in_state(t, calendar=x)
    out["compute.calls"] = lambda x: scale.compute(x)
    return out


def test_no_wrong_value_lets_anything_but_an_itil_ci_error_escape() -> None:
    from tests._refusal import escapes

    targets = _sweep_targets()
    assert len(targets) >= 30
    assert escapes(targets) == []
