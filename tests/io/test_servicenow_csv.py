"""ServiceNow exports as they come: the CSV event log of a list view, and JSON with incident_state.

Known answers are computed independently with pandas from the same fixture
files (pandas parses the day-first times with its own ``to_datetime``, reads
``?`` as missing and sorts the events itself).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import itil_ci as ic
from itil_ci.errors import ImportRowError, InvalidInputError
from itil_ci.io import History, read_servicenow

DATA = Path(__file__).parent / "data"
EVENTS = DATA / "servicenow_incident_events.csv"
FMT = "%d-%m-%Y %H:%M"


def _pandas_events() -> pd.DataFrame:
    """The fixture read by pandas, each incident's events in update order."""
    df = pd.read_csv(EVENTS, na_values=["?"], keep_default_na=False, dtype=str)
    for col in ("opened_at", "sys_updated_at", "resolved_at", "closed_at"):
        df[col] = pd.to_datetime(df[col], format=FMT)
    df["sys_mod_count"] = df["sys_mod_count"].astype(int)
    df["row"] = np.arange(len(df))
    # The documented order: sys_mod_count, then update time, then file order.
    return df.sort_values(["number", "sys_mod_count", "sys_updated_at", "row"], kind="stable")


def _ns(series: pd.Series) -> list[object]:
    return [None if pd.isna(x) else np.datetime64(x, "ns") for x in series]


@pytest.mark.parametrize("engine", ["python", "auto"])
def test_event_log_takes_each_incident_from_its_latest_event(engine: str) -> None:
    r = read_servicenow(EVENTS, date_format=FMT, na_values=["?"], engine=engine)  # type: ignore[arg-type]
    t = r.tickets
    last = _pandas_events().groupby("number", sort=False).tail(1).set_index("number")
    # Tickets keep the order of their first row in the file (pandas: unique()).
    order = pd.read_csv(EVENTS, dtype=str)["number"].unique().tolist()
    assert t.id.tolist() == order
    last = last.loc[order]
    assert t.state.tolist() == last["incident_state"].tolist()
    assert t.category.tolist() == last["category"].fillna("").tolist()
    assert t.assignment_group.tolist() == last["assignment_group"].fillna("").tolist()
    assert t.update_count.tolist() == last["sys_mod_count"].tolist()
    assert t.reassignment_count.tolist() == last["reassignment_count"].astype(int).tolist()
    assert t.reopen_count.tolist() == last["reopen_count"].astype(int).tolist()
    assert t.sla_met.tolist() == (last["made_sla"] == "true").tolist()
    for ours, col in [("opened", "opened_at"), ("resolved", "resolved_at"),
                      ("closed", "closed_at"), ("updated", "sys_updated_at")]:  # fmt: skip
        got = [None if np.isnat(x) else x for x in getattr(t, ours)]
        assert got == _ns(last[col]), ours
    # Hand-checked ties: INC0010002 has sys_mod_count 2 twice; the later update
    # (10:05, Awaiting Vendor) wins although the 09:50 row comes after it in the file.
    assert t.state[t.id == "INC0010002"].tolist() == ["Awaiting Vendor"]
    # INC0010004 has no priority ('?'): impact 1 x urgency 2 -> 2 (ServiceNow lookup).
    assert t.priority[t.id == "INC0010004"].tolist() == [2]
    assert r.rows == 28
    assert any(note.startswith("event log: 28 events of 8 tickets") for note in r.notes)
    assert set(t.unknown) == {"acknowledged", "service", "sla_target_hours"}


@pytest.mark.parametrize("engine", ["python", "auto"])
def test_history_holds_every_event_in_update_order(engine: str) -> None:
    r = read_servicenow(EVENTS, date_format=FMT, na_values=["?"], engine=engine)  # type: ignore[arg-type]
    h = r.history
    assert isinstance(h, History)
    ev = _pandas_events()
    # Tickets in order of first appearance, each one's events sorted as pandas sorted them.
    first = {n: i for i, n in enumerate(pd.read_csv(EVENTS, dtype=str)["number"].unique())}
    ev = ev.assign(first=ev["number"].map(first)).sort_values("first", kind="stable")
    assert h.id.tolist() == ev["number"].tolist()
    assert h.state.tolist() == ev["incident_state"].tolist()
    expected = ev["sys_updated_at"].to_numpy().astype("datetime64[ns]")
    assert np.array_equal(h.time, expected)
    assert h.assignment_group is not None
    assert h.assignment_group.tolist() == ev["assignment_group"].fillna("").tolist()
    # INC0010003's update times go backwards (07:30 after 08:00): kept in mod-count order.
    inc3 = h.select(h.id == "INC0010003")
    assert inc3.state.tolist() == ["New", "Awaiting User Info", "Resolved"]
    assert np.diff(inc3.time.view(np.int64)).tolist()[0] < 0


def test_the_issue_example_matches_pandas() -> None:
    r = ic.io.read_servicenow(EVENTS, date_format=FMT, na_values=["?"])
    t, h = r.tickets, r.history
    assert len(h) == 28
    mttr = ic.mttr(t.opened, t.resolved, by=t.assignment_group)
    sla = ic.sla_attainment(t.opened, t.resolved, met=t.sla_met, by=t.assignment_group)
    last = _pandas_events().groupby("number").tail(1)
    done = last[last["resolved_at"].notna()]
    hours = (done["resolved_at"] - done["opened_at"]).dt.total_seconds() / 3600
    expected = hours.groupby(done["assignment_group"].fillna("")).mean()
    got = dict(zip(mttr.groups[0].tolist(), mttr.value.tolist(), strict=True))
    for group, value in expected.items():
        assert got[group] == pytest.approx(value, rel=1e-12)
    met = (done["made_sla"] == "true").groupby(done["assignment_group"].fillna("")).mean()
    got_sla = dict(zip(sla.groups[0].tolist(), sla.value.tolist(), strict=True))
    for group, value in met.items():
        assert got_sla[group] == pytest.approx(value, rel=1e-12)


def test_json_export_with_incident_state_known_answers() -> None:
    # Expected values read off tests/io/data/servicenow_incidents_state.json by hand.
    r = read_servicenow(DATA / "servicenow_incidents_state.json")
    t = r.tickets
    assert t.id.tolist() == [f"INC002000{i}" for i in range(1, 6)]
    # incident_state codes 7, 3, 6, 8, 2 by SERVICENOW_STATES.
    assert t.state.tolist() == ["Closed", "On Hold", "Resolved", "Canceled", "In Progress"]
    # No business_service column: service comes from cmdb_ci (display value).
    assert t.service.tolist() == ["VPN Gateway 2", "", "Active Directory", "", "Email (Exchange)"]
    assert t.sla_met.tolist() == [True, False, True, True, True]
    assert t.update_count.tolist() == [6, 3, 4, 2, 1]
    assert t.reassignment_count.tolist() == [0, 2, 0, 0, 1]
    # INC0020002: empty priority, impact 1 x urgency 1 -> 1.
    assert t.priority.tolist() == [3, 1, 5, 4, 2]
    # INC0020003: resolved_at empty, calendar_stc 5400 s -> 09:00 + 1 h 30 min.
    assert t.resolved[2] == np.datetime64("2024-03-05T10:30", "ns")
    assert t.updated[1] == np.datetime64("2024-03-05T09:12:44", "ns")
    # One event per incident, at its update time.
    assert r.history is not None
    assert r.history.time.tolist() == t.updated.tolist()
    assert r.history.state.tolist() == t.state.tolist()


def test_format_is_told_by_content_and_a_wrong_one_is_named(tmp_path: Path) -> None:
    as_json = tmp_path / "export.csv"  # a JSON document with a .csv name
    as_json.write_text(json.dumps({"result": [{"number": "INC1", "opened_at": "2024-01-01"}]}))
    assert read_servicenow(as_json).tickets.id.tolist() == ["INC1"]
    with pytest.raises(ImportRowError, match=r"looks like JSON.*format='json'"):
        read_servicenow(as_json, format="csv")
    with pytest.raises(ImportRowError, match=r"looks like JSON.*read_servicenow"):
        ic.read_csv(as_json)
    with pytest.raises(ImportRowError, match=r"looks like CSV.*format='csv'"):
        read_servicenow(EVENTS, format="json")
    with pytest.raises(ImportRowError, match=r"looks like CSV.*read_csv"):
        ic.read_jira(EVENTS)


def test_column_names_match_in_any_case(tmp_path: Path) -> None:
    p = tmp_path / "upper.csv"
    p.write_text("NUMBER,Opened_At,INCIDENT_STATE,Made_SLA\nINC1,2024-01-01 08:00:00,2,true\n")
    t = read_servicenow(p).tickets
    assert (t.id.tolist(), t.state.tolist(), t.sla_met.tolist()) == (
        ["INC1"],
        ["In Progress"],
        [True],
    )


def test_a_missing_column_is_unknown_not_false(tmp_path: Path) -> None:
    p = tmp_path / "short.csv"
    p.write_text("number,opened_at,state\nINC1,2024-01-01 08:00:00,7\n")
    t = read_servicenow(p).tickets
    assert {"resolved", "sla_met", "reopen_count", "first_contact"} <= set(t.unknown)
    with pytest.raises(InvalidInputError, match="first_contact is unknown"):
        ic.first_contact_resolution(t.first_contact)
    with pytest.raises(InvalidInputError, match="resolved is unknown"):
        ic.mttr(t.opened, t.resolved)


@pytest.mark.parametrize("engine", ["python", "auto"])
def test_first_contact_is_unknown_without_a_resolution_column(tmp_path: Path, engine: str) -> None:
    p = tmp_path / "no_resolution.csv"
    p.write_text("number,opened_at,reassignment_count,reopen_count\nINC1,2024-01-01 08:00:00,0,0\n")
    t = read_servicenow(p, engine=engine).tickets  # type: ignore[arg-type]
    assert {"resolved", "first_contact"} <= set(t.unknown)
    assert t.reassignment_count.tolist() == [0]
    # With calendar_stc the resolution is known, and so is first contact.
    q = tmp_path / "stc.csv"
    q.write_text(
        "number,opened_at,reassignment_count,reopen_count,calendar_stc\n"
        "INC1,2024-01-01 08:00:00,0,0,3600\nINC2,2024-01-01 09:00:00,1,0,0\n"
    )
    t = read_servicenow(q, engine=engine).tickets  # type: ignore[arg-type]
    assert t.first_contact.tolist() == [True, False]
    assert t.resolved[0] == np.datetime64("2024-01-01T09:00", "ns")
    assert np.isnat(t.resolved[1])
