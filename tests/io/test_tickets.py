"""The columnar Tickets table: construction, validation, selection, pandas."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import itil_ci as ic
from itil_ci.errors import InvalidInputError
from itil_ci.io import UnknownColumn
from itil_ci.io.synthetic import generate_tickets
from itil_ci.io.tickets import Tickets

T0 = np.array(["2026-01-05T09:00", "2026-01-05T10:00", "2026-01-06T08:30"], dtype="M8[ns]")


def small(**kw: Any) -> Tickets:
    args: dict[str, Any] = {"id": ["a", "b", "c"], "opened": T0, "priority": [1, 3, 5]}
    args.update(kw)
    return Tickets(**args)


def test_omitted_columns_are_unknown() -> None:
    # Absent is not false: an omitted optional column is unknown, not NaT, "" or 0.
    t = small()
    assert len(t) == 3
    assert t.known == ("id", "opened", "priority")
    assert set(t.unknown) == set(Tickets.FIELDS) - {"id", "opened", "priority"}
    for name in t.unknown:
        col = getattr(t, name)
        assert isinstance(col, UnknownColumn)
        assert col.name == name
        with pytest.raises(InvalidInputError, match=f"Tickets.{name} is unknown"):
            np.asarray(col)
    with pytest.raises(InvalidInputError, match="resolved"):
        np.isnat(t.resolved)
    with pytest.raises(InvalidInputError, match=r"Tickets\.resolved is unknown"):
        t.column("resolved")
    assert t.opened.dtype == np.dtype("datetime64[ns]")
    assert t.priority.dtype == np.int64
    assert [name for name, _ in t.columns()] == ["id", "opened", "priority"]


def test_kpis_refuse_an_unknown_column_by_name() -> None:
    t = small()
    with pytest.raises(InvalidInputError, match=r"^end: Tickets.resolved is unknown"):
        ic.mttr(t.opened, t.resolved)
    with pytest.raises(InvalidInputError, match=r"^met: Tickets.sla_met is unknown"):
        ic.sla_attainment(t.opened, t.opened, met=t.sla_met)
    with pytest.raises(InvalidInputError, match=r"^reopened: Tickets.reopen_count is unknown"):
        ic.reopen_rate(t.reopen_count)
    with pytest.raises(InvalidInputError, match=r"^by: Tickets.service is unknown"):
        ic.mttr(t.opened, t.opened, by=t.service)
    with pytest.raises(InvalidInputError, match=r"by\['team'\]: Tickets.assignment_group"):
        ic.mttr(t.opened, t.opened, by={"team": t.assignment_group})
    with pytest.raises(InvalidInputError, match=r"^resolved: Tickets.resolved is unknown"):
        ic.first_contact_resolution([True] * 3, resolved=t.resolved)
    with pytest.raises(InvalidInputError, match=r"^priority: Tickets.priority"):
        ic.sla_attainment(t.opened, t.opened, Tickets.empty().priority, {1: 4.0})


def test_python_inputs_are_converted_to_utc() -> None:
    cet = dt.timezone(dt.timedelta(hours=1))
    t = small(
        opened=[dt.datetime(2026, 1, 5, 10, tzinfo=cet), "2026-01-05T10:00:00+00:00",
                "2026-01-06T08:30:00Z"],
        resolved=[None, "2026-01-05T12:00:00+02:00", None],
    )  # fmt: skip
    assert t.opened[0] == np.datetime64("2026-01-05T09:00", "ns")
    assert t.resolved[1] == np.datetime64("2026-01-05T10:00", "ns")


def test_columns_are_read_only() -> None:
    t = small()
    for _, arr in t.columns():
        assert not arr.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        t.priority[0] = 2


def test_select_and_concat() -> None:
    t = small(service=["email", "erp", "email"])
    e = t.select(t.service == "email")
    assert e.id.tolist() == ["a", "c"]
    assert t.select([]).id.tolist() == []
    both = Tickets.concat([e, t.select([1])])
    assert both.id.tolist() == ["a", "c", "b"]
    assert Tickets.concat([]) == Tickets.empty()
    assert Tickets.concat([t]) == t


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**16), cut=st.integers(0, 200))
def test_concat_of_a_split_is_the_whole(seed: int, cut: int) -> None:
    t = generate_tickets(200, seed=seed)
    idx = np.arange(len(t))
    assert Tickets.concat([t.select(idx < cut), t.select(idx >= cut)]) == t


def test_equality_treats_missing_as_equal() -> None:
    assert small() == small()
    assert small() != small(priority=[1, 3, 4])
    assert small().__eq__(object()) is NotImplemented


def test_to_pandas() -> None:
    t = small(service=["email", "erp", "email"], resolved=np.array(
        ["2026-01-05T10:00", "NaT", "NaT"], dtype="M8[ns]"))  # fmt: skip
    df = t.to_pandas()
    assert list(df.columns) == ["id", "opened", "resolved", "priority", "service"]
    assert str(df["resolved"].dtype) == "datetime64[ns, UTC]"
    assert df["resolved"].isna().tolist() == [False, True, True]
    assert df["service"].tolist() == ["email", "erp", "email"]
    # ...and back: tz-aware pandas columns are accepted.
    back = Tickets(**{name: df[name] for name in t.known})
    assert back == t


def test_repr_is_short() -> None:
    assert repr(Tickets.empty()) == "Tickets(n=0)"
    assert repr(small()).startswith("Tickets(n=3, opened from 2026-01-05T09:00")


BAD: list[tuple[dict[str, Any], str]] = [
    ({"id": "abc"}, "Tickets.id"),
    ({"id": [1, 2, 3]}, r"Tickets.id\[0\]"),
    ({"id": np.array([1, 2, 3])}, "Tickets.id: expected an array of strings"),
    ({"id": ["a", 2, "c"]}, r"Tickets.id\[1\]"),
    ({"id": ["a", "", "c"]}, r"Tickets.id\[1\]"),
    ({"opened": np.array(["2026-01-05", "NaT", "2026-01-05"], dtype="M8[ns]")}, r"opened\[1\]"),
    ({"opened": ["2026-01-05T09:00:00"] * 3}, "timezone-aware"),
    ({"opened": pd.Series(pd.to_datetime(["2026-01-05"] * 3))}, "timezone-aware"),
    ({"priority": [1, 2, 6]}, r"priority\[2\].*1 to 5"),
    ({"priority": [1.0, 2.0, 3.0]}, "integers"),
    ({"priority": [1, 2]}, "3 values"),
    ({"resolved": T0 - np.timedelta64(1, "h")}, r"resolved\[0\].*not earlier than opened"),
    ({"reopen_count": [0, -1, 0]}, "reopen_count"),
    ({"first_contact": [0, 1, 0]}, "booleans"),
    ({"sla_target_hours": [4.0, 0.0, 8.0]}, r"sla_target_hours\[1\]"),
    ({"sla_target_hours": [4.0, np.inf, 8.0]}, "finite"),
    ({"service": ["a", None, "c"]}, r"service\[1\]"),
]


@pytest.mark.parametrize(("kw", "message"), BAD)
def test_bad_input(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        small(**kw)


def test_select_bad_input() -> None:
    t = small()
    for which, message in [([True, False], "mask of length 3"), ([5], "positions"),
                           (["a"], "mask or integer")]:  # fmt: skip
        with pytest.raises(InvalidInputError, match=message):
            t.select(which)
    with pytest.raises(InvalidInputError, match=r"tables\[1\]"):
        Tickets.concat([t, "x"])  # type: ignore[list-item]


def test_tickets_refuse_a_coarse_time_beyond_the_nanosecond_range() -> None:
    # numpy's datetime64[s] -> [ns] cast wraps 3000-01-01 round to 1830; Tickets goes
    # through the same never-wrapping conversion as the KPIs.
    import numpy as np

    import itil_ci as ic

    with pytest.raises(ic.InvalidInputError, match=r"Tickets.opened\[0\]: expected a time"):
        ic.Tickets(id=["a"], opened=np.array(["3000-01-01"], dtype="M8[s]"))
