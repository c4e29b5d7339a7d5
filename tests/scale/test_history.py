"""State history on Dask: History Parquet layouts, read_history, pauses, time in state.

The histories are event logs of random tickets (``data.random_history``):
events ordered by time across tickets, a few logged late (history order is
not time order), pauses over month ends, tickets not in the data.  The
reference is the in-memory code on the whole history in its history order.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itil_ci import scale
from itil_ci.errors import InvalidInputError
from itil_ci.io import History
from itil_ci.measurement import time_in_state
from itil_ci.scale import _layout

from .data import (
    PAUSE_STATES,
    assert_same,
    calendar,
    history_of,
    pauses_frame,
    random_history,
    random_tickets,
    tickets_of,
)

CAL = calendar()


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(["id", "start"], kind="stable").reset_index(drop=True)


def test_history_parquet_round_trips(tmp_path: Path) -> None:
    df = random_tickets(1, 80)
    h = history_of(random_history(df, 1))
    h.to_parquet(tmp_path / "one.parquet")
    assert History.from_parquet(tmp_path / "one.parquet") == h
    h.to_parquet(tmp_path / "by-ticket", partition_by="month", tickets=tickets_of(df))
    assert History.from_parquet(tmp_path / "by-ticket") == h  # _row restores the order
    h.to_parquet(tmp_path / "by-first", partition_by="month")
    assert History.from_parquet(tmp_path / "by-first") == h
    no_group = History(id=h.id, time=h.time, state=h.state)
    no_group.to_parquet(tmp_path / "plain", partition_by="month")
    back = History.from_parquet(tmp_path / "plain")
    assert back == no_group
    assert back.assignment_group is None
    History.empty().to_parquet(tmp_path / "empty", partition_by="month")
    assert History.from_parquet(tmp_path / "empty") == History.empty()


def test_each_ticket_is_written_in_the_month_of_its_ticket(tmp_path: Path) -> None:
    # INC1 opened 31 January 23:00 UTC, on hold into February: all its events in January
    opened = np.array(["2025-01-31T23:00", "2025-02-10T09:00"], dtype="M8[ns]")
    t = tickets_of(
        pd.DataFrame(
            {
                "id": ["INC1", "INC2"],
                "opened": pd.Series(opened).dt.tz_localize("UTC"),
                "acknowledged": pd.Series(opened).dt.tz_localize("UTC"),
                "resolved": pd.to_datetime(["2025-02-03T10:00", None], utc=True),
                "priority": [1, 2],
                "assignment_group": ["db", "web"],
                "reopen_count": [0, 0],
                "first_contact": [False, True],
            }
        )
    )
    times = np.array(
        ["2025-01-31T23:00", "2025-02-01T01:00", "2025-02-03T10:00", "2025-02-10T09:00",
         "2025-03-01T00:00", "2025-04-02T00:00"],
        dtype="M8[ns]",
    )  # fmt: skip
    h = History(
        id=["INC1", "INC1", "INC1", "INC2", "INC2", "OTHER"],
        time=times,
        state=["New", "On Hold", "Resolved", "New", "On Hold", "New"],
    )
    h.to_parquet(tmp_path / "h", partition_by="month", tickets=t)
    months = {p.name: pq.read_table(p).column("id").to_pylist() for p in (tmp_path / "h").iterdir()}
    # INC2's March event stays with its ticket; OTHER (no ticket) goes by its first event
    assert months == {
        "month=2025-01": ["INC1", "INC1", "INC1"],
        "month=2025-02": ["INC2", "INC2"],
        "month=2025-04": ["OTHER"],
    }
    with pytest.raises(InvalidInputError, match="tickets: expected None unless partition_by"):
        h.to_parquet(tmp_path / "x.parquet", tickets=t)
    with pytest.raises(InvalidInputError, match="path: expected a new or empty directory"):
        h.to_parquet(tmp_path / "h", partition_by="month")


def test_read_history_layouts(tmp_path: Path) -> None:
    df = random_tickets(2, 60, days=70)
    h = history_of(random_history(df, 2))
    h.to_parquet(tmp_path / "by-ticket", partition_by="month", tickets=tickets_of(df))
    h.to_parquet(tmp_path / "by-first", partition_by="month")
    # a foreign writer: months of the event time (a ticket's events split over months)
    log = h.to_pandas()
    log["month"] = log["time"].dt.strftime("%Y-%m")
    pq.write_to_dataset(pa.Table.from_pandas(log), str(tmp_path / "foreign"), ["month"])
    ours = scale.read_history(tmp_path / "by-ticket")
    assert list(ours.columns) == ["id", "time", "state", "assignment_group", "_row", "month"]
    assert isinstance(ours.dtypes["state"], pd.CategoricalDtype)
    assert str(ours.dtypes["time"]) == "datetime64[ns, UTC]"
    layouts = {
        name: _layout.of(scale.read_history(tmp_path / name))
        for name in ("by-ticket", "by-first", "foreign")
    }
    assert {k: (v.by_ticket, v.by_opened_month) for k, v in layouts.items() if v} == {
        "by-ticket": (True, True),
        "by-first": (True, False),
        "foreign": (False, False),
    }
    # every layout gives the in-memory pauses (the foreign one is shuffled on the id first);
    # the foreign files' history order is theirs: month by month (an event logged late may
    # sit in an earlier month), so its reference is the history read in that order
    for name in ("by-ticket", "by-first", "foreign"):
        frame = scale.read_history(tmp_path / name)
        mine = h if name != "foreign" else history_of(frame.compute().reset_index(drop=True))
        want = _sorted(pauses_frame(mine.pauses(PAUSE_STATES)))
        got = scale.pauses(frame, PAUSE_STATES).compute()
        got = _sorted(got.reset_index(drop=True))
        assert got["id"].tolist() == want["id"].tolist(), name
        for col in ("start", "end"):  # NaT where a pause never ended
            np.testing.assert_array_equal(
                got[col].dt.tz_localize(None).to_numpy(), want[col].dt.tz_localize(None).to_numpy()
            )


def test_read_history_mapping_and_zone(tmp_path: Path) -> None:
    # a ServiceNow-like audit export: its own names, local times without a zone
    log = pd.DataFrame(
        {
            "number": ["INC1", "INC1", "INC1"],
            "sys_updated_on": pd.to_datetime(
                ["2025-03-28 09:00", "2025-03-28 10:00", "2025-03-31 09:00"]
            ),
            "new_state": ["New", "On Hold", "Resolved"],
        }
    )
    pq.write_table(pa.Table.from_pandas(log), tmp_path / "audit.parquet")
    mapping = {"number": "id", "sys_updated_on": "time", "new_state": "state"}
    h = scale.read_history(tmp_path / "audit.parquet", mapping=mapping, tz="Europe/London")
    got = scale.pauses(h, {"On Hold"}).compute()
    # London is on GMT on 28 March 2025 and on BST (UTC+1) from 30 March
    assert got["start"].astype(str).tolist() == ["2025-03-28 10:00:00+00:00"]
    assert got["end"].astype(str).tolist() == ["2025-03-31 08:00:00+00:00"]
    with pytest.raises(InvalidInputError, match="mapping\\['new_state'\\]: expected one of id"):
        scale.read_history(tmp_path / "audit.parquet", mapping={"new_state": "status"})


@st.composite
def cases(draw: Any) -> dict[str, Any]:
    return {
        "seed": draw(st.integers(0, 2**32 - 1)),
        "n": draw(st.integers(1, 100)),
        "layout": draw(st.sampled_from(["by-ticket", "by-first", "log", "one"])),
        "by": draw(
            st.sampled_from(
                [None, "state", ("assignment_group", "state"), ("state", "id"), "assignment_group"]
            )
        ),
        "as_of": draw(st.sampled_from([None, "2025-02-15T12:00Z", "2025-09-01T00:00Z"])),
        "calendar": draw(st.booleans()),
    }


def _history_frame(layout: str, h: History, df: pd.DataFrame, log: pd.DataFrame, tmp: str) -> Any:
    if layout == "by-ticket":
        h.to_parquet(f"{tmp}/h", partition_by="month", tickets=tickets_of(df))
        return scale.read_history(f"{tmp}/h")
    if layout == "by-first":
        h.to_parquet(f"{tmp}/h", partition_by="month")
        return scale.read_history(f"{tmp}/h")
    if layout == "log":  # the event log in three partitions: tickets' events split
        return dd.from_pandas(log, npartitions=3, sort=False)
    return dd.from_pandas(log, npartitions=1)


@settings(max_examples=10, deadline=None)
@given(cases())
def test_time_in_state(client: Any, case: dict[str, Any]) -> None:
    df = random_tickets(case["seed"], case["n"], days=100)
    log = random_history(df, case["seed"])
    h = history_of(log)
    cal = CAL if case["calendar"] else None
    with tempfile.TemporaryDirectory() as tmp:
        frame = _history_frame(case["layout"], h, df, log, tmp)
        kw = {"calendar": cal, "as_of": case["as_of"], "by": case["by"]}
        got = scale.time_in_state(frame, **kw)
    # medians and p90 of rows spread over partitions come from the kernel's stints in
    # hours as floats: equal to the in-memory ones but for the last bits
    assert_same(got, time_in_state(h, **kw))


@pytest.mark.parametrize("layout", ["by-ticket", "by-first", "log", "one"])
def test_time_in_state_each_layout(client: Any, layout: str, tmp_path: Path) -> None:
    # rows by ticket in the in-memory order (first events), and rows by state
    df = random_tickets(6, 120, days=100)
    log = random_history(df, 6)
    h = history_of(log)
    frame = _history_frame(layout, h, df, log, str(tmp_path))
    for by in (None, ("state", "id"), "state"):
        kw = {"calendar": CAL, "as_of": "2025-03-20T12:00Z", "by": by}
        assert_same(scale.time_in_state(frame, **kw), time_in_state(h, **kw))


def test_time_in_state_rows_spread_over_partitions(client: Any, tmp_path: Path) -> None:
    df = random_tickets(3, 200, days=120)
    h = history_of(random_history(df, 3))
    h.to_parquet(tmp_path / "h", partition_by="month", tickets=tickets_of(df))
    frame = scale.read_history(tmp_path / "h")
    assert frame.npartitions == 4
    kw = {"calendar": CAL, "as_of": "2025-05-01T00:00Z", "unit": "minutes"}
    got = scale.time_in_state(frame, by="state", **kw)
    want = time_in_state(h, by="state", **kw)
    assert_same(got, want)
    assert (want.extra["tickets"] > 60).all()  # every state's stints in several months
    quick = scale.time_in_state(frame, by="state", approximate=True, relative_error=0.02, **kw)
    assert quick.count.tolist() == want.count.tolist()
    np.testing.assert_allclose(quick.value, want.value, rtol=1e-12)
    for a, b in ((quick.median, want.median), (quick.p90, want.p90)):
        assert np.all(np.abs(a - b) <= 0.02 * b * (1 + 1e-9))
    assert quick.parameters["approximate"].startswith("percentiles within a relative 0.02")


def test_time_in_state_empty_and_bad(client: Any) -> None:
    log = random_history(random_tickets(4, 10), 4)
    frame = dd.from_pandas(log, npartitions=2)
    early = "2024-06-01T00:00Z"  # before every event: nothing to measure
    got = scale.time_in_state(frame, by="state", as_of=early)
    assert_same(got, time_in_state(history_of(log), by="state", as_of=early))
    with pytest.raises(InvalidInputError, match="by: expected names among"):
        scale.time_in_state(frame, by="priority")
    with pytest.raises(InvalidInputError, match="calendar: expected a BusinessCalendar"):
        scale.time_in_state(frame, calendar="office hours")
    with pytest.raises(InvalidInputError, match="state: expected the name of a column of history"):
        scale.time_in_state(frame.drop(columns="state"))
    with pytest.raises(InvalidInputError, match="history: expected a dask DataFrame"):
        scale.time_in_state(log)
    bad = log.copy()
    bad.loc[3, "id"] = ""
    with pytest.raises(InvalidInputError, match=r"history, partition \d: expected a table"):
        scale.time_in_state(dd.from_pandas(bad, npartitions=1))
