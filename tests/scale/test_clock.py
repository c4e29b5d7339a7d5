"""The Dask forms on the SLA clock equal the in-memory functions (rtol 1e-12).

Random tickets with a state history; a calendar in New York (DST from 9
March 2025, holidays, a short Saturday); pauses in two states, many running
over a month's end, some still open, some of tickets not in the data.  The
pauses reach the Dask forms in each of the ways they can:

* ``memory``: an in-memory ``Pauses`` handed to every partition (tickets in
  random chunks, one empty);
* ``months``: ``Tickets.to_parquet`` and ``History.to_parquet(...,
  tickets=...)`` month directories, read back and paired month by month;
* ``frame``: a dask DataFrame of pauses in three partitions of random rows
  (tickets and pauses shuffled on the ticket id);
* ``events``: a history frame in three partitions of an event log, made
  into pauses by ``scale.pauses`` (the events are shuffled on the ticket id
  first; the tickets follow the pauses' partitions);
* ``one``: a frame of pauses in a single partition, handed to every
  partition of tickets.

The reference is the in-memory function on the same tickets, with
``history.pauses(states)`` of the whole history and the tickets' ids.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itil_ci import scale
from itil_ci.errors import InvalidInputError
from itil_ci.measurement import itsm
from itil_ci.scale import _layout

from .data import (
    PAUSE_STATES,
    assert_same,
    calendar,
    columns,
    frame,
    history_of,
    keyed,
    pauses_frame,
    pieces,
    random_history,
    random_tickets,
    tickets_of,
)

TARGETS = {1: 4.0, 2: 8.0, 3: 24.0, 4: 72.0}
WAYS = ("memory", "months", "frame", "events", "one")
CAL = calendar()


def laid_out(way: str, seed: int, n: int, tmp: str) -> tuple[Any, Any, pd.DataFrame, Any]:
    """Tickets as a dask DataFrame, pauses as the Dask form takes them, and in memory."""
    df = random_tickets(seed, n, days=130, open_share=0.15)
    log = random_history(df, seed)
    history = history_of(log)
    pz = history.pauses(PAUSE_STATES)
    chunks = frame(df, pieces(len(df), seed))
    if way == "memory":
        return chunks, pz, df, pz
    if way == "months":
        root = Path(tmp)
        tickets_of(df).to_parquet(root / "tickets", partition_by="month")
        history.to_parquet(root / "history", partition_by="month", tickets=tickets_of(df))
        t = scale.read_tickets(root / "tickets")
        return t, scale.pauses(scale.read_history(root / "history"), PAUSE_STATES), df, pz
    if way == "frame":
        rows = pauses_frame(pz).sample(frac=1.0, random_state=seed).reset_index(drop=True)
        return chunks, dd.from_pandas(rows, npartitions=3, sort=False), df, pz
    if way == "events":
        events = dd.from_pandas(log, npartitions=3, sort=False)
        return chunks, scale.pauses(events, PAUSE_STATES), df, pz
    one = dd.from_pandas(pauses_frame(pz), npartitions=1)
    return chunks, one, df, pz


@st.composite
def cases(draw: Any) -> dict[str, Any]:
    return {
        "seed": draw(st.integers(0, 2**32 - 1)),
        "n": draw(st.integers(1, 120)),
        "way": draw(st.sampled_from(WAYS)),
        "period": draw(st.sampled_from([None, "day", "week", "month"])),
        "by": draw(st.sampled_from([None, ["assignment_group"], ["assignment_group", "priority"]])),
        "as_of": draw(st.sampled_from([None, "2025-03-09T12:30Z", "2025-07-01T00:00Z"])),
        "on": draw(st.sampled_from(["start", "end"])),
    }


@settings(max_examples=12, deadline=None)
@given(cases())
def test_durations_and_sla_on_the_clock(client: Any, case: dict[str, Any]) -> None:
    by, period, as_of, on = case["by"], case["period"], case["as_of"], case["on"]
    # a frame of pauses made elsewhere does not say which states they are
    same = _states_unknown if case["way"] in ("frame", "one") else (lambda r: r)
    with tempfile.TemporaryDirectory() as tmp:
        t, pauses, df, pz = laid_out(case["way"], case["seed"], case["n"], tmp)
        opened, resolved, ack, priority = columns(
            df, "opened", "resolved", "acknowledged", "priority"
        )
        (ids,) = columns(df, "id")
        keys = keyed(df, by)
        clock = {"calendar": CAL, "as_of": as_of}
        got = scale.mttr(t, by=by, period=period, period_on=on, pauses=pauses, **clock)
        want = itsm.mttr(
            opened, resolved, by=keys, period=period, period_on=on, pauses=pz, ids=ids, **clock
        )
        assert_same(got, same(want))
        got = scale.mtta(t, by=by, period=period, unit="minutes", pauses=pauses, **clock)
        want = itsm.mtta(
            opened, ack, by=keys, period=period, unit="minutes", pauses=pz, ids=ids, **clock
        )
        assert_same(got, same(want))
        got = scale.sla_attainment(
            t, TARGETS, by=by, period=period, period_on=on, pauses=pauses, **clock
        )
        want = itsm.sla_attainment(
            opened,
            resolved,
            priority,
            TARGETS,
            by=keys,
            period=period,
            period_on=on,
            pauses=pz,
            ids=ids,
            **clock,
        )
        assert_same(got, same(want))


@pytest.mark.parametrize("way", WAYS)
def test_each_way_of_passing_pauses(client: Any, way: str, tmp_path: Path) -> None:
    # every way, with cells spread over partitions (weeks) and a fixed seed
    t, pauses, df, pz = laid_out(way, 5, 150, str(tmp_path))
    opened, resolved, priority, ids = columns(df, "opened", "resolved", "priority", "id")
    keys = keyed(df, ["assignment_group"])
    as_of = "2025-04-01T00:00Z"
    got = scale.mttr(
        t, by="assignment_group", period="week", calendar=CAL, pauses=pauses, as_of=as_of
    )
    want = itsm.mttr(
        opened, resolved, by=keys, period="week", calendar=CAL, pauses=pz, ids=ids, as_of=as_of
    )
    if way in ("frame", "one"):  # a frame of pauses made elsewhere does not say their states
        want = _states_unknown(want)
    assert_same(got, want)
    assert got.parameters["pauses"]["pauses"] == len(pz)
    got = scale.sla_attainment(
        t, TARGETS, by="assignment_group", period="month", period_on="end", calendar=CAL,
        pauses=pauses, as_of=as_of,
    )  # fmt: skip
    want = itsm.sla_attainment(
        opened, resolved, priority, TARGETS, by=keys, period="month", period_on="end",
        calendar=CAL, pauses=pz, ids=ids, as_of=as_of,
    )  # fmt: skip
    if way in ("frame", "one"):  # a frame of pauses made elsewhere does not say their states
        want = _states_unknown(want)
    assert_same(got, want)


def _states_unknown(r: Any) -> Any:
    import attrs

    params = dict(r.parameters)
    params["pauses"] = {**params["pauses"], "states": []}
    return attrs.evolve(r, parameters=params)


def test_month_directories_are_paired_without_moving_tickets(client: Any, tmp_path: Path) -> None:
    t, pauses, _, _ = laid_out("months", 8, 80, str(tmp_path))
    lt, lp = _layout.of(t), _layout.of(pauses)
    assert lt is not None
    assert lp is not None
    assert lt.by_opened_month
    assert lp.by_opened_month
    from itil_ci.scale._slaclock import clock, plan

    p = plan(t, ["opened", "resolved", "id"], clock(CAL, pauses, None, None))
    assert p.tickets is t  # no shuffle
    assert p.pairing == tuple(range(t.npartitions))  # month i with month i
    # a foreign frame of pauses (no layout known): both shuffled on the id
    other = dd.from_pandas(pauses.compute(), npartitions=2)
    q = plan(t, ["opened", "resolved", "id"], clock(CAL, other, None, None))
    assert q.tickets is not t
    moved = _layout.of(q.tickets)
    assert moved is not None
    assert moved.hashed == t.npartitions


def test_history_months_without_tickets_still_count_their_pauses(
    client: Any, tmp_path: Path
) -> None:
    # the history has a month (of tickets not in the data) that the tickets do not have
    df = random_tickets(9, 60, days=58)
    log = random_history(df, 9, strangers=0)
    extra = pd.DataFrame(
        {
            "id": ["LATE1", "LATE1", "LATE1"],
            "time": pd.to_datetime(
                ["2025-09-01T08:00", "2025-09-01T09:00", "2025-09-02T09:00"], utc=True
            ),
            "state": ["New", "On Hold", "Resolved"],
            "assignment_group": ["db"] * 3,
        }
    )
    log = pd.concat([log, extra], ignore_index=True)
    history = history_of(log)
    tickets_of(df).to_parquet(tmp_path / "t", partition_by="month")
    history.to_parquet(tmp_path / "h", partition_by="month", tickets=tickets_of(df))
    assert (tmp_path / "h" / "month=2025-09").is_dir()
    t = scale.read_tickets(tmp_path / "t")
    pauses = scale.pauses(scale.read_history(tmp_path / "h"), PAUSE_STATES)
    pz = history.pauses(PAUSE_STATES)
    opened, resolved, priority, ids = columns(df, "opened", "resolved", "priority", "id")
    got = scale.sla_attainment(t, TARGETS, calendar=CAL, pauses=pauses)
    want = itsm.sla_attainment(
        opened, resolved, priority, TARGETS, calendar=CAL, pauses=pz, ids=ids
    )
    assert_same(got, want)
    assert got.parameters["pauses"]["pauses"] == len(pz)


def test_approximate_on_the_clock(client: Any) -> None:
    df = random_tickets(11, 300, days=60)
    pz = history_of(random_history(df, 11)).pauses(PAUSE_STATES)
    t = frame(df, pieces(len(df), 11))
    opened, resolved, ids = columns(df, "opened", "resolved", "id")
    got = scale.mttr(t, calendar=CAL, pauses=pz, approximate=True, relative_error=0.01)
    want = itsm.mttr(opened, resolved, calendar=CAL, pauses=pz, ids=ids)
    assert got.count.tolist() == want.count.tolist()
    np.testing.assert_allclose(got.mean, want.mean, rtol=1e-12)
    # the bound of the histogram (see test_approximate.py), on business time less pauses
    for a, b in ((got.median, want.median), (got.p90, want.p90)):
        assert np.all(np.abs(a - b) <= 0.01 * b * (1 + 1e-9))
    assert got.parameters["calendar"] == want.parameters["calendar"]


def test_recorded_outcome_and_ids_by_another_name(client: Any) -> None:
    df = random_tickets(12, 90).rename(columns={"id": "number"})
    rng = np.random.default_rng(12)
    df["sla_met"] = rng.random(len(df)) < 0.7
    t = frame(df, pieces(len(df), 12))
    opened, resolved, met = columns(df, "opened", "resolved", "sla_met")
    keys = keyed(df, ["assignment_group"])
    got = scale.sla_attainment(t, met="sla_met", by="assignment_group", period="month")
    want = itsm.sla_attainment(opened, resolved, met=met, by=keys, period="month")
    assert_same(got, want)
    # pauses tied by a column of ids with another name, the calendar alone on mtta
    df2 = df.rename(columns={"number": "id"})
    pz = history_of(random_history(df2, 12)).pauses(PAUSE_STATES)
    (ids,) = columns(df, "number")
    got = scale.mttr(t, calendar=CAL, pauses=pz, ids="number")
    assert_same(got, itsm.mttr(opened, resolved, calendar=CAL, pauses=pz, ids=ids))
    ack = columns(df, "acknowledged")[0]
    got = scale.mtta(t, calendar=CAL, as_of="2025-02-01T00:00Z")
    assert_same(got, itsm.mtta(opened, ack, calendar=CAL, as_of="2025-02-01T00:00Z"))


def test_sla_without_any_decided_ticket_by_outcome_period(client: Any) -> None:
    # every ticket open: nothing judged by the period of its outcome, no rows (in memory too)
    df = random_tickets(13, 30, open_share=1.0)
    t = frame(df, pieces(len(df), 13))
    opened, resolved, priority = columns(df, "opened", "resolved", "priority")
    got = scale.sla_attainment(t, TARGETS, period="month", period_on="end", calendar=CAL)
    want = itsm.sla_attainment(
        opened, resolved, priority, TARGETS, period="month", period_on="end", calendar=CAL
    )
    assert len(got) == len(want) == 0
    assert got.names == want.names


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"calendar": "9-5"}, "calendar: expected a BusinessCalendar or None"),
        ({"pauses": [1, 2]}, "pauses: expected a Pauses table, a dask DataFrame of pauses"),
        ({"ids": 3}, "ids: expected the name of the column of ticket ids"),
        ({"as_of": "soon"}, "as_of"),
        ({"pauses": "P", "ids": "nope"}, "ids: expected the name of a column of tickets"),
    ],
)
def test_bad_clock_arguments(kwargs: dict[str, Any], message: str) -> None:
    df = random_tickets(14, 20)
    pz = history_of(random_history(df, 14)).pauses(PAUSE_STATES)
    if kwargs.get("pauses") == "P":
        kwargs = {**kwargs, "pauses": pz}
    t = frame(df, pieces(len(df), 14))
    with pytest.raises(InvalidInputError, match=message):
        scale.mttr(t, **kwargs)


def test_bad_frames_of_pauses() -> None:
    df = random_tickets(15, 20)
    t = frame(df, pieces(len(df), 15))
    naive = pd.DataFrame({"id": ["a"], "start": pd.to_datetime(["2025-01-01"]), "end": [pd.NaT]})
    with pytest.raises(InvalidInputError, match=r"pauses\['start'\]: expected timezone-aware"):
        scale.mttr(t, pauses=dd.from_pandas(naive, npartitions=1))
    no_end = naive.drop(columns="end").assign(start=lambda x: x["start"].dt.tz_localize("UTC"))
    with pytest.raises(InvalidInputError, match="end: expected the name of a column of pauses"):
        scale.sla_attainment(t, 8.0, priority=None, pauses=dd.from_pandas(no_end, npartitions=1))
    with pytest.raises(InvalidInputError, match="met="):
        scale.sla_attainment(t, met="first_contact", calendar=CAL)


def test_several_kpis_on_the_clock_in_one_pass(client: Any, tmp_path: Path) -> None:
    from functools import partial

    t, pauses, df, pz = laid_out("months", 16, 140, str(tmp_path))
    opened, resolved, priority, ids = columns(df, "opened", "resolved", "priority", "id")
    keys = keyed(df, ["assignment_group"])
    clock = {"calendar": CAL, "as_of": "2025-04-15T00:00Z"}
    m, s, r = scale.compute(
        partial(scale.mttr, t, by="assignment_group", period="week", pauses=pauses, **clock),
        partial(scale.sla_attainment, t, TARGETS, by="assignment_group", pauses=pauses, **clock),
        partial(scale.reopen_rate, t, by="assignment_group"),
    )
    assert_same(
        m,
        itsm.mttr(opened, resolved, by=keys, period="week", pauses=pz, ids=ids, **clock),
    )
    assert_same(
        s,
        itsm.sla_attainment(
            opened, resolved, priority, TARGETS, by=keys, pauses=pz, ids=ids, **clock
        ),
    )
    assert_same(r, itsm.reopen_rate(df["reopen_count"].to_numpy(), by=keys))


def test_a_missing_ticket_id_is_named() -> None:
    df = random_tickets(17, 30)
    pz = history_of(random_history(df, 17)).pauses(PAUSE_STATES)
    df["id"] = df["id"].astype("string")
    df.loc[25, "id"] = None
    t = frame(df, [slice(0, 20), slice(20, 30)])
    missing = r"tickets, partition 1: id\[5\]: expected a string \(not missing\)"
    with pytest.raises(InvalidInputError, match=missing):
        scale.sla_attainment(t, TARGETS, calendar=CAL, pauses=pz)
    with pytest.raises(InvalidInputError, match=r"tickets: expected ticket ids in column 'id'"):
        scale.mttr(t, pauses=dd.from_pandas(pauses_frame(pz), npartitions=2)).count.tolist()
