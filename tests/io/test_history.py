"""History: a columnar table of ticket events, grouped by ticket in the given order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import itil_ci as ic
from itil_ci.errors import InvalidInputError
from itil_ci.io import History


def _t(*hours: int) -> np.ndarray:
    return np.datetime64("2025-01-06T00:00", "ns") + np.array(hours, dtype="timedelta64[h]")


def test_public_names() -> None:
    assert ic.History is History
    assert ic.io.History is History


def test_groups_tickets_in_order_of_first_event_and_keeps_each_tickets_order() -> None:
    # Interleaved rows of two tickets; INC2 comes first, its events keep their
    # given order even where the times go backwards (rows 0 and 2).
    h = History(
        id=["INC2", "INC1", "INC2", "INC1", "INC2"],
        time=_t(5, 1, 3, 2, 6),
        state=["New", "New", "On Hold", "In Progress", "Resolved"],
    )
    assert h.id.tolist() == ["INC2", "INC2", "INC2", "INC1", "INC1"]
    assert h.state.tolist() == ["New", "On Hold", "Resolved", "New", "In Progress"]
    assert h.time.tolist() == _t(5, 3, 6, 1, 2).tolist()
    assert h.tickets().tolist() == ["INC2", "INC1"]
    assert h.assignment_group is None


def test_assignment_group_follows_its_rows() -> None:
    h = History(
        id=["a", "b", "a"],
        time=_t(0, 0, 1),
        state=["New", "New", "Assigned"],
        assignment_group=["Service Desk", "Network", "2nd Line (EMEA)"],
    )
    assert h.assignment_group is not None
    assert h.assignment_group.tolist() == ["Service Desk", "2nd Line (EMEA)", "Network"]
    assert [name for name, _ in h.columns()] == ["id", "time", "state", "assignment_group"]


def test_columns_are_read_only_and_caller_arrays_untouched() -> None:
    ids = np.array(["a", "b"])
    times = _t(0, 1)
    h = History(id=ids, time=times, state=np.array(["New", "New"]))
    assert ids.flags.writeable
    assert times.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        h.state[0] = "x"


def test_aware_strings_and_datetimes_are_accepted() -> None:
    h = History(id=["a"], time=["2025-01-06T10:00:00+01:00"], state=["New"])
    assert h.time[0] == np.datetime64("2025-01-06T09:00", "ns")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"id": "abc", "time": _t(0), "state": ["x"]}, "History.id: expected a sequence"),
        ({"id": ["a", ""], "time": _t(0, 1), "state": ["x", "y"]}, r"History.id\[1\]"),
        ({"id": ["a", 5], "time": _t(0, 1), "state": ["x", "y"]}, r"History.id\[1\]"),
        ({"id": ["a"], "time": _t(0, 1), "state": ["x"]}, "History.time: expected 1 values"),
        ({"id": ["a"], "time": _t(0), "state": ["x", "y"]}, "History.state: expected 1 values"),
        (
            {"id": ["a"], "time": np.array(["NaT"], dtype="M8[ns]"), "state": ["x"]},
            r"History.time\[0\]",
        ),
        ({"id": ["a"], "time": ["2025-01-06T10:00"], "state": ["x"]}, r"History.time\[0\]"),
        ({"id": ["a"], "time": _t(0), "state": [None]}, r"History.state\[0\]"),
        ({"id": ["a"], "time": _t(0), "state": np.array([1])}, "History.state"),
        (
            {"id": ["a"], "time": _t(0), "state": ["x"], "assignment_group": ["g", "h"]},
            "History.assignment_group",
        ),
        ({"id": np.array([["a"]]), "time": _t(0), "state": ["x"]}, "one-dimensional"),
    ],
)
def test_bad_input(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        History(**kwargs)  # type: ignore[arg-type]


def test_select_and_concat_keep_per_ticket_order() -> None:
    a = History(id=["x", "y"], time=_t(0, 0), state=["New", "New"])
    b = History(id=["x"], time=_t(1), state=["Closed"])
    both = History.concat([a, b])
    assert both.id.tolist() == ["x", "x", "y"]
    assert both.state.tolist() == ["New", "Closed", "New"]
    assert both.select(both.state == "New").id.tolist() == ["x", "y"]
    with pytest.raises(InvalidInputError, match="histories"):
        History.concat([a, "b"])  # type: ignore[list-item]
    with pytest.raises(InvalidInputError, match="which"):
        a.select([True])


def test_equality_and_empty() -> None:
    a = History(id=["x"], time=_t(0), state=["New"])
    assert a == History(id=["x"], time=_t(0), state=["New"])
    assert a != History(id=["x"], time=_t(0), state=["New"], assignment_group=["g"])
    assert len(History.empty()) == 0
    assert repr(History.empty()) == "History(n=0)"
    assert History.concat([]) == History.empty()


events = st.lists(
    st.tuples(st.sampled_from(["INC1", "INC2", "INC3", "CHG 7"]), st.integers(0, 100)),
    min_size=0,
    max_size=40,
)


@given(events)
def test_grouping_equals_a_stable_pandas_groupby(rows: list[tuple[str, int]]) -> None:
    ids = [r[0] for r in rows]
    hours = [r[1] for r in rows]
    states = [f"s{i}" for i in range(len(rows))]  # the row number, to see the order
    h = History(
        id=np.array(ids, dtype=str) if ids else np.empty(0, dtype="<U1"),
        time=_t(*hours) if hours else np.empty(0, dtype="M8[ns]"),
        state=np.array(states, dtype=str) if states else np.empty(0, dtype="<U1"),
    )
    # Reference: pandas, tickets by first appearance, rows in given order within each.
    df = pd.DataFrame({"id": ids, "state": states})
    first = {k: i for i, k in reversed(list(enumerate(ids)))}
    df["rank"] = df["id"].map(first)
    expected = df.sort_values("rank", kind="stable")
    assert h.id.tolist() == expected["id"].tolist()
    assert h.state.tolist() == expected["state"].tolist()
