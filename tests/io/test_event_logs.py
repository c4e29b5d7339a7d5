"""Event logs (one row per update): collapsing, ordering rules, shuffling, Tickets.latest.

The reference is pandas: sort the rows by (number, sys_mod_count, update
time, file position) and take each number's last row.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itil_ci.errors import ImportRowError
from itil_ci.io import Tickets, read_csv, read_servicenow

HEADER = ["number", "state", "opened_at", "sys_updated_on", "sys_mod_count",
          "assignment_group", "made_sla"]  # fmt: skip
STATES = ["New", "In Progress", "Awaiting User Info", "Resolved", "Closed"]
GROUPS = ["Service Desk", "Réseau & Télécom", "2nd Line / Apps", ""]
T0 = pd.Timestamp("2024-03-01 08:00:00")


@st.composite
def event_logs(draw: st.DrawFn, unique_order: bool = False) -> list[list[str]]:
    n = draw(st.integers(1, 6))
    rows: list[list[str]] = []
    for i in range(n):
        k = draw(st.integers(1, 5))
        counts = (
            draw(st.permutations(range(k)))
            if unique_order
            else draw(st.lists(st.integers(0, 3), min_size=k, max_size=k))
        )
        for c in counts:
            minutes = draw(st.integers(0, 600))  # update times in any order
            rows.append(
                [
                    f"INC{i:04d}",
                    draw(st.sampled_from(STATES)),
                    str(T0),
                    str(T0 + pd.Timedelta(minutes=minutes)),
                    str(c),
                    draw(st.sampled_from(GROUPS)),
                    draw(st.sampled_from(["true", "false"])),
                ]
            )
    order = draw(st.permutations(range(len(rows))))
    return [rows[j] for j in order]


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(rows)


def _pandas_latest(rows: list[list[str]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=HEADER)
    df["row"] = np.arange(len(df))
    df["sys_mod_count"] = df["sys_mod_count"].astype(int)
    df["sys_updated_on"] = pd.to_datetime(df["sys_updated_on"])
    ordered = df.sort_values(["number", "sys_mod_count", "sys_updated_on", "row"], kind="stable")
    last = ordered.groupby("number").tail(1).set_index("number")
    return last.loc[df["number"].unique()]  # tickets in order of their first row


SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(rows=event_logs(), engine=st.sampled_from(["python", "auto"]))
def test_collapse_equals_the_last_event_per_id_in_pandas(
    tmp_path: Path, rows: list[list[str]], engine: str
) -> None:
    p = tmp_path / "log.csv"
    _write(p, rows)
    r = read_servicenow(p, engine=engine)  # type: ignore[arg-type]
    t = r.tickets
    last = _pandas_latest(rows)
    assert t.id.tolist() == last.index.tolist()
    assert t.state.tolist() == last["state"].tolist()
    assert t.assignment_group.tolist() == last["assignment_group"].tolist()
    assert t.update_count.tolist() == last["sys_mod_count"].tolist()
    assert t.sla_met.tolist() == (last["made_sla"] == "true").tolist()
    assert list(t.updated) == list(last["sys_updated_on"].to_numpy().astype("datetime64[ns]"))
    assert r.history is not None
    assert len(r.history) == len(rows)
    # Each ticket's last event is the ticket's state.
    h = r.history
    ends = np.flatnonzero(np.r_[h.id[1:] != h.id[:-1], True])
    assert h.state[ends].tolist() == t.state.tolist()


@SETTINGS
@given(rows=event_logs(unique_order=True), seed=st.integers(0, 2**32 - 1))
def test_shuffling_the_rows_does_not_change_the_result(
    tmp_path: Path, rows: list[list[str]], seed: int
) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    _write(a, rows)
    shuffled = [rows[i] for i in np.random.default_rng(seed).permutation(len(rows))]
    _write(b, shuffled)
    ra, rb = read_servicenow(a), read_servicenow(b)
    # The same tickets with the same values (tickets keep the order of their first
    # row, which shuffling moves: compare by id) and the same events per ticket.
    ka, kb = np.argsort(ra.tickets.id), np.argsort(rb.tickets.id)
    assert ra.tickets.select(ka) == rb.tickets.select(kb)
    assert ra.history is not None
    assert rb.history is not None
    for ticket in ra.tickets.id.tolist():
        ea = ra.history.select(ra.history.id == ticket)
        eb = rb.history.select(rb.history.id == ticket)
        assert ea == eb


def test_the_tie_rules_are_documented_and_deterministic(tmp_path: Path) -> None:
    # Same sys_mod_count: the later update time wins; same time too: the later row.
    rows = [
        ["INC1", "New", str(T0), str(T0 + pd.Timedelta(hours=2)), "1", "A", "true"],
        ["INC1", "Active", str(T0), str(T0 + pd.Timedelta(hours=1)), "1", "B", "true"],
        ["INC2", "New", str(T0), str(T0), "4", "A", "true"],
        ["INC2", "Resolved", str(T0), str(T0), "4", "C", "false"],
    ]
    p = tmp_path / "ties.csv"
    _write(p, rows)
    t = read_servicenow(p).tickets
    assert t.state.tolist() == ["New", "Resolved"]
    assert t.assignment_group.tolist() == ["A", "C"]


def test_without_an_order_column_a_repeated_id_stays_an_error(tmp_path: Path) -> None:
    p = tmp_path / "dup.csv"
    p.write_text("number,opened_at,state\nINC1,2024-01-01 08:00:00,1\nINC1,2024-01-01 08:00:00,2\n")
    for engine in ("python", "auto"):
        with pytest.raises(ImportRowError, match="duplicate ticket id 'INC1'") as e:
            read_servicenow(p, engine=engine)  # type: ignore[arg-type]
        assert e.value.line == 3
        assert "update-order column" in str(e.value)


def test_read_csv_collapses_with_an_update_count_column(tmp_path: Path) -> None:
    p = tmp_path / "log.csv"
    p.write_text(
        "id,opened,state,update_count\n"
        "A,2024-01-01 08:00,New,0\nA,2024-01-01 08:00,Resolved,2\nA,2024-01-01 08:00,Open,1\n"
    )
    r = read_csv(p)
    assert (r.tickets.state.tolist(), r.tickets.update_count.tolist()) == (["Resolved"], [2])
    assert r.history is not None
    assert r.history.state.tolist() == ["New", "Open", "Resolved"]


def test_an_order_column_with_non_numbers_is_a_row_error(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(
        "number,opened_at,sys_mod_count\nINC1,2024-01-01 08:00:00,3\nINC1,2024-01-01 08:00:00,x\n"
    )
    for engine in ("python", "auto"):
        with pytest.raises(ImportRowError, match="update order") as e:
            read_servicenow(p, engine=engine)  # type: ignore[arg-type]
        assert (e.value.line, e.value.field) == (3, "sys_mod_count")


# --- Tickets.latest and concat ---------------------------------------------------------


def _table(ids: list[str], counts: list[int] | None, hours: list[int] | None, tag: str) -> Tickets:
    n = len(ids)
    opened = np.full(n, np.datetime64("2024-01-01T00:00", "ns"))
    kw: dict[str, Any] = {"id": ids, "opened": opened, "state": [f"{tag}{i}" for i in range(n)]}
    if counts is not None:
        kw["update_count"] = np.array(counts, dtype=np.int64)
    if hours is not None:
        kw["updated"] = opened + np.array(hours, dtype="timedelta64[h]")
    return Tickets(**kw)


@settings(max_examples=100, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.sampled_from("abcd"), st.integers(0, 3), st.integers(0, 3)),
        min_size=1,
        max_size=12,
    ),
    with_counts=st.booleans(),
    with_times=st.booleans(),
)
def test_latest_equals_pandas(
    data: list[tuple[str, int, int]], with_counts: bool, with_times: bool
) -> None:
    ids = [d[0] for d in data]
    t = _table(
        ids,
        [d[1] for d in data] if with_counts else None,
        [d[2] for d in data] if with_times else None,
        "s",
    )
    df = pd.DataFrame({"id": ids, "c": [d[1] for d in data], "h": [d[2] for d in data]})
    df["row"] = np.arange(len(df))
    keys = ["id", *(["c"] if with_counts else []), *(["h"] if with_times else []), "row"]
    last = df.sort_values(keys, kind="stable").groupby("id").tail(1).set_index("id")
    last = last.loc[df["id"].unique()]
    got = t.latest()
    assert got.id.tolist() == last.index.tolist()
    assert got.state.tolist() == [f"s{r}" for r in last["row"]]


def test_concat_then_latest_merges_two_imports() -> None:
    old = _table(["a", "b"], [3, 1], None, "old")
    new = _table(["b", "c"], [2, 0], None, "new")
    merged = Tickets.concat([old, new]).latest()
    assert merged.id.tolist() == ["a", "b", "c"]
    assert merged.state.tolist() == ["old0", "new0", "new1"]
    # Importing the same tickets twice doubles nothing.
    assert Tickets.concat([old, old]).latest() == old
    # A tie (same count, no times) goes to the later table.
    again = _table(["a"], [3], None, "again")
    assert Tickets.concat([old, again]).latest().state.tolist() == ["again0", "old1"]
