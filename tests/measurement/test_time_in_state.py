"""time_in_state: business time per ticket and state, grouped like every KPI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import itil_ci as ic
from itil_ci.io import History
from itil_ci.measurement import BusinessCalendar, time_in_state

CAL = BusinessCalendar({"mon-fri": ("08:00", "18:00")}, timezone="Europe/London")


def _t(*isos: str) -> np.ndarray:
    return np.array(isos, dtype="datetime64[ns]")


# INC1 (Monday 12 Jan 2026, London = UTC in January):
#   New 09:00 -> Assigned 10:00 -> On Hold 11:00 -> In Progress Tue 10:00 -> Resolved Tue 12:00
# INC2: New Fri 9 Jan 17:00 -> On Hold Mon 12 Jan 09:00 (still on hold)
HISTORY = History(
    id=["INC1"] * 5 + ["INC2"] * 2,
    time=_t(
        "2026-01-12T09:00",
        "2026-01-12T10:00",
        "2026-01-12T11:00",
        "2026-01-13T10:00",
        "2026-01-13T12:00",
        "2026-01-09T17:00",
        "2026-01-12T09:00",
    ),
    state=["New", "Assigned", "On Hold", "In Progress", "Resolved", "New", "On Hold"],
    assignment_group=[
        "Service Desk",
        "Network",
        "Network",
        "Network",
        "Network",
        "Service Desk",
        "Service Desk",
    ],
)


def _rows(r: ic.GroupedKPI) -> dict[tuple[str, ...], tuple[float, int, int]]:
    keys = list(zip(*(g.tolist() for g in r.groups), strict=True))
    return {
        k: (float(v), int(c), int(o))
        for k, v, c, o in zip(keys, r.value, r.count, r.extra["open"], strict=True)
    }


def test_per_ticket_and_state_by_hand() -> None:
    r = time_in_state(HISTORY, calendar=CAL, as_of="2026-01-13T13:00Z")
    assert r.names == ("id", "state", "assignment_group")
    # (hours, stints measured, stints still running)
    assert _rows(r) == {
        ("INC1", "New", "Service Desk"): (1.0, 1, 0),
        ("INC1", "Assigned", "Network"): (1.0, 1, 0),
        # Mon 11-18 (7 h) + Tue 08-10 (2 h)
        ("INC1", "On Hold", "Network"): (9.0, 1, 0),
        ("INC1", "In Progress", "Network"): (2.0, 1, 0),
        ("INC1", "Resolved", "Network"): (1.0, 1, 1),  # to as_of
        # Fri 17-18 + Mon 08-09
        ("INC2", "New", "Service Desk"): (2.0, 1, 0),
        # Mon 09-18 + Tue 08-13
        ("INC2", "On Hold", "Service Desk"): (14.0, 1, 1),
    }
    assert r.parameters["calendar"]["timezone"] == "Europe/London"
    assert r.parameters["as_of"] == "2026-01-13T13:00:00.000000000"


def test_without_as_of_the_running_stints_are_left_out() -> None:
    r = time_in_state(HISTORY, calendar=CAL, by="state")
    got = _rows(r)
    assert got[("Resolved",)] == (0.0, 0, 1)
    assert got[("On Hold",)] == (9.0, 1, 1)  # INC1's hold; INC2's is still running
    assert r.extra["tickets"].tolist() == [1, 1, 2, 2, 1]  # Assigned, In Progress, New, ...
    assert np.isnan(r.mean[r.groups[0] == "Resolved"][0])


def test_as_of_leaves_out_later_events() -> None:
    # At Monday 12:00 INC1 has been on hold since 11:00 and INC2 since 09:00.
    r = time_in_state(HISTORY, calendar=CAL, as_of="2026-01-12T12:00Z", by="state")
    assert _rows(r) == {
        ("Assigned",): (1.0, 1, 0),
        ("New",): (3.0, 2, 0),
        ("On Hold",): (4.0, 2, 2),
    }


def test_by_group_and_pareto_of_waiting() -> None:
    r = time_in_state(
        HISTORY, calendar=CAL, as_of="2026-01-13T13:00Z", by=("assignment_group", "state")
    )
    got = _rows(r)
    assert got[("Network", "On Hold")] == (9.0, 1, 0)
    assert got[("Service Desk", "On Hold")] == (14.0, 1, 1)
    by_state = time_in_state(HISTORY, calendar=CAL, as_of="2026-01-13T13:00Z", by="state")
    pa = ic.pareto(by_state.groups[0], weights=by_state.value)
    assert pa.categories[0] == "On Hold"


def test_wall_clock_and_backwards_times() -> None:
    h = History(
        id=["a", "a", "a"],
        time=_t("2026-01-12T10:00", "2026-01-12T09:00", "2026-01-12T12:00"),
        state=["New", "Assigned", "Resolved"],
    )
    r = time_in_state(h, by="state")
    # New: 10:00 -> 09:00 runs backwards: empty.  Assigned: 09:00 -> 12:00.
    assert _rows(r) == {
        ("Assigned",): (3.0, 1, 0),
        ("New",): (0.0, 1, 0),
        ("Resolved",): (0.0, 0, 1),
    }
    assert r.names == ("state",)
    assert time_in_state(History.empty(), by="state").count.size == 0


def test_many_distinct_states_are_factorised_in_order() -> None:
    n = 200
    names = [f"S{i:03d}" for i in range(n)][::-1]
    h = History(
        id=["a"] * n,
        time=np.datetime64("2026-01-12", "ns") + np.arange(n) * np.timedelta64(1, "h"),
        state=names,
    )
    r = time_in_state(h, by="state")
    assert r.groups[0].tolist() == sorted(names)
    assert r.value.sum() == n - 1


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b"]), st.sampled_from(["x", "y", "z"]), st.integers(0, 10_000)
        ),
        min_size=1,
        max_size=25,
    )
)
def test_matches_pandas(events: list[tuple[str, str, int]]) -> None:
    h = History(
        id=[e[0] for e in events],
        state=[e[1] for e in events],
        time=np.datetime64("2026-01-12", "ns")
        + np.array([e[2] for e in events]) * np.timedelta64(1, "m"),
    )
    cut = np.datetime64("2026-01-20", "ns")
    df = h.to_pandas()
    nxt = df.groupby("id", sort=False)["time"].shift(-1)
    nxt = nxt.fillna(pd.Timestamp(cut, tz="UTC"))
    df["h"] = (np.maximum(nxt, df["time"]) - df["time"]).dt.total_seconds() / 3600
    want = df.groupby("state")["h"].sum()
    r = time_in_state(
        h,
        by="state",
        as_of=cut.astype("datetime64[s]").item().replace(tzinfo=__import__("datetime").UTC),
    )
    assert r.groups[0].tolist() == want.index.tolist()
    np.testing.assert_allclose(r.value, want.to_numpy(), rtol=1e-12, atol=1e-12)


def test_refuses_bad_input() -> None:
    with pytest.raises(ic.InvalidInputError, match=r"history: expected an itil_ci\.io\.History"):
        time_in_state([1, 2])  # type: ignore[arg-type]
    h = History(id=["a"], time=_t("2026-01-12T09:00"), state=["New"])
    with pytest.raises(ic.InvalidInputError, match="no assignment_group recorded"):
        time_in_state(h, by="assignment_group")
