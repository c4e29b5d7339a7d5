"""Every Dask form gives the in-memory function's GroupedKPI on random tickets (rtol 1e-12).

Tickets are laid out three ways: contiguous chunks of rows in random order
(every cell spread over partitions, one partition empty), chunks of rows
sorted by opening time (partitions by time whose edges cut through
periods), and month directories read back with ``read_tickets`` (each month
one partition).  Groups span partitions, a share of tickets is still open,
a fifth open exactly at a month start.  The reference is the in-memory
function on the same tickets as numpy arrays.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from itil_ci import scale
from itil_ci.measurement import itsm

from .data import (
    assert_same,
    columns,
    frame,
    keyed,
    pieces,
    random_outages,
    random_tickets,
    write_months,
)

TARGETS = {1: 4.0, 2: 8.0, 3: 24.0, 4: 72.0}
LAYOUTS = ("chunks", "by-time", "months")
EXAMPLES = settings(max_examples=8)


@st.composite
def cases(draw: Any) -> dict[str, Any]:
    return {
        "seed": draw(st.integers(0, 2**32 - 1)),
        "n": draw(st.integers(1, 160)),
        "layout": draw(st.sampled_from(LAYOUTS)),
        "period": draw(st.sampled_from([None, "day", "week", "month"])),
        "by": draw(st.sampled_from([None, ["assignment_group"], ["assignment_group", "priority"]])),
    }


def laid_out(case: dict[str, Any], tmp: str) -> tuple[Any, pd.DataFrame]:
    """The tickets as a dask DataFrame in the case's layout, and as one pandas frame."""
    df = random_tickets(case["seed"], case["n"])
    if case["layout"] == "months":
        return scale.read_tickets(write_months(df, Path(tmp) / "tickets")), df
    if case["layout"] == "by-time":
        df = df.sort_values("opened", kind="stable").reset_index(drop=True)
    return frame(df, pieces(len(df), case["seed"])), df


@EXAMPLES
@given(cases())
def test_mttr_and_mtta(client: Any, case: dict[str, Any]) -> None:
    by, period = case["by"], case["period"]
    with tempfile.TemporaryDirectory() as tmp:
        t, df = laid_out(case, tmp)
        opened, resolved, ack = columns(df, "opened", "resolved", "acknowledged")
        keys = keyed(df, by)
        for on in ("start", "end"):
            got = scale.mttr(t, by=by, period=period, period_on=on)
            if period and on == "end" and np.isnat(resolved).all():
                # nothing resolved, so no cell: the in-memory function cannot group zero
                # rows here (a bare ValueError, reported), the Dask form returns no rows
                assert len(got) == 0
                assert got.names == (*(by or ()), "period")
                continue
            assert_same(got, itsm.mttr(opened, resolved, by=keys, period=period, period_on=on))
        got = scale.mtta(t, by=by, period=period, unit="minutes")
        assert_same(got, itsm.mtta(opened, ack, by=keys, period=period, unit="minutes"))


@EXAMPLES
@given(cases(), st.sampled_from([None, "2025-03-01T00:00Z"]))
def test_rates(client: Any, case: dict[str, Any], as_of: Any) -> None:
    by, period = case["by"], case["period"]
    with tempfile.TemporaryDirectory() as tmp:
        t, df = laid_out(case, tmp)
        opened, resolved, priority = columns(df, "opened", "resolved", "priority")
        first, reopens = columns(df, "first_contact", "reopen_count")
        keys = keyed(df, by)
        for on in ("start", "end"):
            got = scale.sla_attainment(t, TARGETS, by=by, period=period, period_on=on, as_of=as_of)
            if period and on == "end" and np.isnat(resolved).all() and as_of is None:
                assert len(got) == 0  # nothing decided: no cell (see test_mttr_and_mtta)
                continue
            want = itsm.sla_attainment(
                opened,
                resolved,
                priority,
                TARGETS,
                by=keys,
                period=period,
                period_on=on,
                as_of=as_of,
            )
            assert_same(got, want)
        times = "opened" if period else None
        got = scale.first_contact_resolution(
            t, resolved="resolved", by=by, period=period, times=times
        )
        done = ~np.isnat(resolved)
        want = itsm.first_contact_resolution(
            first, resolved=done, by=keys, period=period, times=opened if period else None
        )
        assert_same(got, want)
        got = scale.reopen_rate(t, by=by, period=period, times=times)
        assert_same(
            got, itsm.reopen_rate(reopens, by=keys, period=period, times=opened if period else None)
        )
        got = scale.change_success_rate(
            t, successful="first_contact", by=by, period=period, times=times
        )
        want = itsm.change_success_rate(
            first, by=keys, period=period, times=opened if period else None
        )
        assert_same(got, want)


@EXAMPLES
@given(cases(), st.sampled_from([None, "2025-02-15T12:00Z", "2025-06-01T00:00Z"]))
def test_backlog(client: Any, case: dict[str, Any], as_of: Any) -> None:
    by, period = case["by"], case["period"]
    with tempfile.TemporaryDirectory() as tmp:
        t, df = laid_out(case, tmp)
        opened, resolved = columns(df, "opened", "resolved")
        got = scale.backlog(t, by=by, period=period, as_of=as_of, unit="days")
        want = itsm.backlog(
            opened, resolved, by=keyed(df, by), period=period, as_of=as_of, unit="days"
        )
        assert_same(got, want)


@EXAMPLES
@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 60),
    st.sampled_from([None, "day", "week", "month"]),
    st.sampled_from([None, ("2025-02-01T00:00Z", "2025-06-15T00:00Z")]),
    st.booleans(),
)
def test_availability(
    client: Any, seed: int, n: int, period: Any, window: Any, by_time: bool
) -> None:
    if period is None and window is None:
        window = ("2025-01-01T00:00Z", "2026-01-01T00:00Z")
    df = random_outages(seed, n)
    if by_time:
        df = df.sort_values("start", kind="stable").reset_index(drop=True)
    t = frame(df, pieces(len(df), seed))
    start, end, service = columns(df, "start", "end", "service")
    got = scale.availability(t, by="service", period=period, window=window)
    want = itsm.availability(start, end, by={"service": service}, period=period, window=window)
    # Both forms sum downtime in integer nanoseconds: same numbers and dtypes.
    assert_same(got, want)


def test_backlog_mean_age_is_exact(client: Any) -> None:
    # A slow reference in exact integers (Python ints of nanoseconds): at the end of each
    # month (at as_of for the last), the tickets opened in or before it and not closed in or
    # before it, and the sum of their ages.  The Dask form rounds only its final division.
    df = random_tickets(31, 240, days=150)
    as_of = np.datetime64("2025-05-20T12:00", "ns")
    t = frame(df, pieces(len(df), 31))
    got = scale.backlog(t, by="assignment_group", period="month", as_of=str(as_of) + "Z")
    opened, resolved, group = columns(df, "opened", "resolved", "assignment_group")
    month_of = opened.astype("datetime64[M]")
    closed_month = resolved.astype("datetime64[M]")
    months = np.arange(month_of.min(), as_of.astype("datetime64[M]") + 1)
    cut = int(as_of.astype(np.int64))
    want_mean = []
    for g in sorted(set(group.tolist())):
        for m in months:
            end = min(int((m + 1).astype("datetime64[ns]").astype(np.int64)), cut)
            ages = [
                end - int(o)
                for o, om, c, cm, k in zip(
                    opened.astype(np.int64), month_of, resolved, closed_month, group, strict=True
                )
                if k == g
                and om <= m
                and int(o) <= cut
                and (np.isnat(c) or cm > m or int(c.astype(np.int64)) > cut)
            ]
            want_mean.append(sum(ages) / len(ages) / 3.6e12 if ages else np.nan)
    np.testing.assert_allclose(got.mean, np.array(want_mean), rtol=1e-14, equal_nan=True)
