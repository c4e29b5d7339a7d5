"""GroupedKPI.series: one Series per group over the periods."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itil_ci.errors import InvalidInputError
from itil_ci.measurement import mttr, reopen_rate

DAY = np.timedelta64(1, "D")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 20),
            st.integers(0, 48),
            st.sampled_from(["a", "b", "c"]),
            st.sampled_from(["x", "y"]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_series_holds_each_groups_rows_in_period_order(
    rows: list[tuple[int, int, str, str]],
) -> None:
    start = np.datetime64("2026-01-01", "ns") + np.array([r[0] for r in rows]) * DAY
    end = start + np.array([r[1] for r in rows], dtype="timedelta64[h]")
    service = np.array([r[2] for r in rows])
    team = np.array([r[3] for r in rows])
    r = mttr(start, end, by=[service, team], period="day")
    out = r.series()
    # every non-empty row appears exactly once, under its group's key, in time order
    assert sum(len(s) for s in out.values()) == int((r.count > 0).sum())
    for i in np.flatnonzero(r.count > 0):
        s = out[f"mttr.{r.groups[0][i]}.{r.groups[1][i]}"]
        at = np.flatnonzero(s.times == r.groups[2][i].astype("datetime64[ns]"))
        assert at.size == 1
        assert s.values[at[0]] == r.value[i]
    for s in out.values():
        assert np.all(np.diff(s.times.view(np.int64)) > 0)


def test_series_of_an_ungrouped_result_and_another_column() -> None:
    t = np.array(["2026-01-01T09", "2026-01-02T09", "2026-01-02T10"], dtype="datetime64[ns]")
    r = reopen_rate([0, 1, 0], period="day", times=t)
    ((key, s),) = r.series(prefix="reopen.all").items()
    assert key == "reopen.all"
    # day 1: 0 of 1 reopened; day 2: 1 of 2 (counted by hand)
    assert s.values.tolist() == [0.0, 0.5]
    assert r.series("count")["reopen_rate"].values.tolist() == [1.0, 2.0]


def test_series_needs_periods_and_a_known_column() -> None:
    t = np.array(["2026-01-01T09"], dtype="datetime64[ns]")
    with pytest.raises(
        InvalidInputError, match="result: expected a GroupedKPI computed with period="
    ):
        mttr(t, t).series()
    with pytest.raises(InvalidInputError, match="column: expected one of"):
        mttr(t, t, period="day").series("nope")


def test_groups_whose_joined_names_clash_are_refused_not_merged() -> None:
    t = np.array(["2026-01-01T09"] * 4, dtype="datetime64[ns]")
    r = mttr(
        t,
        t + np.array([1, 2, 3, 4], dtype="timedelta64[h]"),
        by=[["a.b", "a", "a.b", "a"], ["c", "b.c", "c", "b.c"]],
        period="day",
    )
    # ("a.b", "c") and ("a", "b.c") would both be called "mttr.a.b.c"
    with pytest.raises(InvalidInputError, match=r"two groups named 'mttr\.a\.b\.c'"):
        r.series()


def test_groups_are_split_by_key_values_not_by_text() -> None:
    t = np.array(["2026-01-01T09", "2026-01-01T09", "2026-01-02T09"], dtype="datetime64[ns]")
    r = mttr(
        t,
        t + np.array([1, 3, 5], dtype="timedelta64[h]"),
        by=[["x", "x", "x"], ["1", "2", "1"]],
        period="day",
    )
    out = r.series()
    # by hand: group (x, 1) has 1 h on day 1 and 5 h on day 2; (x, 2) has 3 h on day 1
    assert {k: s.values.tolist() for k, s in out.items()} == {
        "mttr.x.1": [1.0, 5.0],
        "mttr.x.2": [3.0],
    }
