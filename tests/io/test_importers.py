"""Ticket importers: real-shaped exports, malformed files, skipping, streaming."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itil_ci.errors import ImportRowError, InvalidInputError
from itil_ci.io import ImportResult, read_csv, read_jira, read_servicenow
from itil_ci.io._json import JsonArrayStream, JsonStreamError
from itil_ci.io._parse import parse_times
from itil_ci.io.tickets import Tickets

DATA = Path(__file__).parent / "data"


def ts(text: str) -> np.datetime64:
    return np.datetime64(text, "ns")


# --- ServiceNow --------------------------------------------------------------------------


def test_servicenow_export_known_answers() -> None:
    # Expected values read off tests/io/data/servicenow_incidents.json by hand:
    # times are UTC as the REST API returns them; state codes by SERVICENOW_STATES.
    r = read_servicenow(DATA / "servicenow_incidents.json", sla_targets={3: 24.0, 4: 72.0})
    t = r.tickets
    assert t.id.tolist() == [f"INC001000{i}" for i in range(1, 6)]
    assert t.opened[0] == ts("2024-03-04T08:15:00")
    assert t.resolved[0] == ts("2024-03-04T10:45:30")
    assert t.closed[0] == ts("2024-03-07T11:00:00")
    assert t.state.tolist() == ["Closed", "In Progress", "Resolved", "Canceled", "On Hold"]
    # INC0010002 has no priority: impact 1 x urgency 2 -> 2 (ServiceNow default lookup).
    assert t.priority.tolist() == [3, 2, 5, 4, 4]
    # Reference as {display_value, link}, as a bare sys_id, and empty.
    assert t.assignment_group.tolist() == [
        "Network",
        "8a4dde73c6112278017a6a4baf547aa7",
        "Service Desk",
        "287ebd7da9fe198100f92cc8d1d2154e",
        "",
    ]
    assert t.service.tolist() == ["VPN", "", "Identity", "", "Email"]
    # INC0010003: resolved_at empty, calendar_stc 5400 s -> opened + 1 h 30 min.
    assert t.resolved[2] == ts("2024-03-05T10:30:00")
    assert np.isnat(t.resolved[1])
    assert np.isnat(t.resolved[3])
    assert t.reopen_count.tolist() == [0, 0, 0, 1, 0]
    # Resolved, reassignment_count 0 and never reopened: only INC0010003.
    assert t.first_contact.tolist() == [False, False, True, False, False]
    assert np.isnan(t.sla_target_hours[[1, 2]]).all()
    assert t.sla_target_hours[[0, 3, 4]].tolist() == [24.0, 72.0, 72.0]
    assert (r.method, r.rows, r.skipped) == ("servicenow", 5, 0)
    assert any("calendar_stc" in note for note in r.notes)


def test_servicenow_zone_and_field_override(tmp_path: Path) -> None:
    p = tmp_path / "sn.json"
    recs = [
        {
            "number": "INC1",
            "opened_at": "2024-07-01 10:00:00",
            "u_responded_at": "2024-07-01 10:20:00",
            "priority": "1 - Critical",
            "state": "9",
        }
    ]
    p.write_text(json.dumps({"result": recs}))
    t = read_servicenow(
        p,
        tz="Europe/Berlin",
        fields={"acknowledged": "u_responded_at"},
        states={"9": "Awaiting Vendor"},
    ).tickets
    # Berlin is UTC+2 in July (CEST).
    assert t.opened[0] == ts("2024-07-01T08:00:00")
    assert t.acknowledged[0] == ts("2024-07-01T08:20:00")
    assert (int(t.priority[0]), str(t.state[0])) == (1, "Awaiting Vendor")


def test_servicenow_display_value_all(tmp_path: Path) -> None:
    # sysparm_display_value=all: each field is {"display_value", "value"}.
    rec = {
        "number": {"display_value": "INC7", "value": "INC7"},
        "opened_at": {"display_value": "01/03/2024 09:00:00", "value": "2024-03-01 09:00:00"},
        "state": {"display_value": "Resolved", "value": "6"},
        "priority": {"display_value": "2 - High", "value": "2"},
        "assignment_group": {"display_value": "Database", "link": "https://x", "value": "abc"},
    }
    p = tmp_path / "sn.json"
    p.write_text(json.dumps({"result": [rec]}))
    t = read_servicenow(p).tickets
    assert t.opened[0] == ts("2024-03-01T09:00:00")
    assert (str(t.state[0]), int(t.priority[0]), str(t.assignment_group[0])) == (
        "Resolved",
        2,
        "Database",
    )


# --- Jira -------------------------------------------------------------------------------


def test_jira_export_known_answers() -> None:
    # Expected values worked out by hand from tests/io/data/jira_search.json.
    r = read_jira(DATA / "jira_search.json", sla_targets={2: 8.0, 3: 24.0, 5: 120.0})
    t = r.tickets
    assert t.id.tolist() == ["SD-101", "SD-102", "SD-103"]
    # 09:24:59.366-06:00 is 15:24:59.366 UTC.
    assert t.opened[0] == ts("2017-02-28T15:24:59.366")
    assert t.opened[1] == ts("2017-03-02T09:00:00")
    # First response: the agent's assignment at 09:35:12 (before her comment at 09:40;
    # the reporter's own edit at 09:26 and comment at 09:30 do not count).
    assert t.acknowledged[0] == ts("2017-02-28T15:35:12")
    assert t.resolved[0] == ts("2017-03-01T16:00:00")
    assert t.closed[0] == ts("2017-03-03T16:00:00")  # last change into "Closed"
    assert t.reopen_count.tolist() == [1, 0, 0]  # Resolved -> Reopened once
    assert t.priority.tolist() == [2, 5, 3]  # High, Lowest, Medium
    assert t.state.tolist() == ["Closed", "Open", "Done"]
    assert t.service.tolist() == ["SD", "SD", "FS"]
    assert t.assignment_group.tolist() == ["Workplace", "", "Storage"]
    assert t.category.tolist() == ["Incident", "Incident", "Service request"]
    assert np.isnat(t.acknowledged[1])
    assert np.isnat(t.resolved[1])
    assert t.acknowledged[2] == ts("2017-03-05T12:10:00")
    assert t.closed[2] == ts("2017-03-05T13:30:00")  # "Done" counts as closed
    # SD-101 reopened, SD-102 unresolved, SD-103 reassigned: none at first contact.
    assert t.first_contact.tolist() == [False, False, False]
    assert t.sla_target_hours.tolist() == [8.0, 120.0, 24.0]


def test_jira_first_contact_and_custom_priorities(tmp_path: Path) -> None:
    issue = {
        "key": "OPS-1",
        "fields": {
            "created": "2024-01-02T08:00:00.000+0000",
            "resolutiondate": "2024-01-02T08:30:00.000+0000",
            "priority": {"name": "Sev 2"},
            "status": {"name": "Resolved"},
            "project": {"key": "OPS"},
        },
        "changelog": {"histories": []},
    }
    p = tmp_path / "j.json"
    p.write_text(json.dumps({"issues": [issue]}))
    t = read_jira(p, priorities={"Sev 2": 2}).tickets
    assert (int(t.priority[0]), bool(t.first_contact[0])) == (2, True)
    assert np.isnat(t.closed[0])


# --- CSV --------------------------------------------------------------------------------


def test_csv_mapping_zone_and_values(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text(
        "Number,Opened,Resolved,Prio,Team,first_contact,Ignored\n"
        "INC1,2024-07-01 10:00,2024-07-01 12:00:00,P2,Network,yes,x\n"
        'INC2,2024-01-15T09:00:00Z,,"3 - Moderate",Desk,0,y\n'
    )
    r = read_csv(
        p,
        {"Number": "id", "Opened": "opened", "Resolved": "resolved", "Prio": "priority",
         "Team": "assignment_group"},
        tz="Europe/London",
        sla_targets={2: 8.0, 3: 24.0},
    )  # fmt: skip
    t = r.tickets
    # London is UTC+1 in July (BST); "Z" overrides tz.
    assert list(t.opened) == [ts("2024-07-01T09:00"), ts("2024-01-15T09:00")]
    assert t.resolved[0] == ts("2024-07-01T11:00")
    assert np.isnat(t.resolved[1])
    assert t.priority.tolist() == [2, 3]
    assert t.first_contact.tolist() == [True, False]
    assert t.assignment_group.tolist() == ["Network", "Desk"]
    assert t.sla_target_hours.tolist() == [8.0, 24.0]
    # No reopen_count column: unknown, not zero (absent is not false).
    assert "reopen_count" in t.unknown


def test_csv_chunking_does_not_change_the_result(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    lines = ["id,opened,priority,category"]
    lines += [f"T{i},2024-02-{1 + i % 28:02d} 08:00:00,{1 + i % 5},c{i % 3}" for i in range(50)]
    p.write_text("\n".join(lines) + "\n")
    assert read_csv(p, chunk_rows=7).tickets == read_csv(p).tickets


def test_csv_line_numbers_after_multiline_field(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text(
        "id,opened,priority,category\n"
        'A,2024-01-01 00:00:00,1,"two\nlines"\n'
        "B,2024-01-01 00:00:00,9,x\n"
    )
    with pytest.raises(ImportRowError) as e:
        read_csv(p)
    assert (e.value.line, e.value.field) == (4, "priority")


# --- malformed files ---------------------------------------------------------------------

HEADER = "id,opened,resolved,priority\n"
GOOD = "INC1,2024-01-01 08:00:00,2024-01-01 09:00:00,3\n"


def _sn(records: Any) -> str:
    return json.dumps({"result": records})


SN_OK = {"number": "INC1", "opened_at": "2024-01-01 08:00:00", "priority": "3"}

MALFORMED: list[tuple[str, str, str, dict[str, Any], str]] = [
    # (id, format, content, expected attributes, text in the message)
    ("csv-empty", "csv", "", {"line": 1}, "empty"),
    ("csv-missing-column", "csv", "id,priority\nA,1\n", {"line": 1}, "'opened'"),
    (
        "csv-bad-date",
        "csv",
        HEADER + GOOD + "INC2,2024-02-30 08:00:00,,3\n",
        {"line": 3, "field": "opened"},
        "2024-02-30",
    ),
    (
        "csv-wrong-type",
        "csv",
        HEADER + GOOD + "INC2,2024-01-02 08:00:00,,urgent!\n",
        {"line": 3, "field": "priority"},
        "urgent!",
    ),
    ("csv-short-row", "csv", HEADER + "INC2,2024-01-02 08:00:00\n", {"line": 2}, "4 fields"),
    (
        "csv-resolved-before-opened",
        "csv",
        HEADER + "INC2,2024-01-02 08:00:00,2024-01-01 08:00:00,3\n",
        {"line": 2, "field": "resolved"},
        "not earlier than opened",
    ),
    ("csv-duplicate-id", "csv", HEADER + GOOD + GOOD, {"line": 3, "field": "id"}, "duplicate"),
    ("csv-empty-id", "csv", HEADER + ",2024-01-02 08:00:00,,3\n", {"line": 2, "field": "id"}, ""),
    ("sn-truncated", "servicenow", _sn([SN_OK, SN_OK])[:-30], {"record": 1}, "truncated"),
    ("sn-not-json", "servicenow", "<html>503 Service Unavailable</html>", {"line": 1}, "JSON"),
    ("sn-no-result", "servicenow", json.dumps({"error": {"message": "x"}}), {}, "'result'"),
    (
        "sn-wrong-type",
        "servicenow",
        _sn([SN_OK, {**SN_OK, "number": "INC2", "opened_at": 1704096000}]),
        {"record": 1, "field": "opened_at"},
        "another type",
    ),
    (
        "sn-bad-date",
        "servicenow",
        _sn([{**SN_OK, "opened_at": "2024-13-01 08:00:00"}]),
        {"record": 0, "field": "opened_at"},
        "2024-13-01",
    ),
    (
        "sn-missing-field",
        "servicenow",
        _sn([{"number": "INC1", "priority": "3"}]),
        {"record": 0, "field": "opened_at"},
        "missing",
    ),
    ("sn-record-not-object", "servicenow", _sn([SN_OK, "INC2"]), {"record": 1}, "object"),
    ("sn-trailing-garbage", "servicenow", _sn([SN_OK]) + " x", {}, "after the JSON"),
    ("sn-syntax", "servicenow", '{"result": [{"number": "INC1",}]}', {"record": 0}, "invalid"),
    (
        "jira-bad-created",
        "jira",
        json.dumps({"issues": [{"key": "A-1", "fields": {"created": "yesterday",
                                                         "priority": {"name": "High"}}}]}),
        {"record": 0, "field": "fields.created"},
        "yesterday",
    ),
    (
        "jira-bad-changelog",
        "jira",
        json.dumps({"issues": [{"key": "A-1", "fields": {"created": "2024-01-01T00:00:00Z",
                    "priority": {"name": "High"}}, "changelog": {"histories": [{"created": 5}]}}]}),
        {"record": 0},
        "changelog",
    ),
]  # fmt: skip

READERS: dict[str, Callable[..., ImportResult]] = {
    "csv": read_csv,
    "servicenow": read_servicenow,
    "jira": read_jira,
}


@pytest.mark.parametrize(
    ("fmt", "content", "attrs_", "text"),
    [pytest.param(*case[1:], id=case[0]) for case in MALFORMED],
)
def test_malformed_files_raise_a_located_error(
    tmp_path: Path, fmt: str, content: str, attrs_: dict[str, Any], text: str
) -> None:
    p = tmp_path / ("in.csv" if fmt == "csv" else "in.json")
    p.write_text(content)
    with pytest.raises(ImportRowError) as e:
        READERS[fmt](p)
    err = e.value
    assert err.path == str(p)
    for name, value in attrs_.items():
        assert getattr(err, name) == value, (name, str(err))
    if text == "missing":
        assert "got ''" in str(err) or "missing" in str(err)
    else:
        assert text in str(err)


def test_missing_required_json_field_is_reported(tmp_path: Path) -> None:
    p = tmp_path / "sn.json"
    p.write_text(_sn([{"number": "INC1", "priority": "3"}]))
    with pytest.raises(ImportRowError, match="opened_at") as e:
        read_servicenow(p)
    assert "INC1" in str(e.value)


def test_ten_megabyte_csv_line(tmp_path: Path) -> None:
    p = tmp_path / "big.csv"
    with p.open("w") as fh:
        fh.write(HEADER + GOOD)
        fh.write("INC2,2024-01-01 08:00:00,," + "9" * (10 << 20) + "\n")
    with pytest.raises(ImportRowError, match="field larger than field limit") as e:
        read_csv(p)
    assert e.value.line == 3


def test_ten_megabyte_json_record(tmp_path: Path) -> None:
    p = tmp_path / "big.json"
    big = {**SN_OK, "number": "INC2", "description": "x" * (10 << 20)}
    p.write_text(_sn([SN_OK, big, SN_OK]))
    with pytest.raises(ImportRowError, match="longer than") as e:
        read_servicenow(p)
    assert e.value.record == 1
    # Raising the limit accepts it (and the big text is not kept).
    r = read_servicenow(p, max_record_chars=16 << 20, on_error="skip")
    # INC1 appears twice: the second copy is skipped as a duplicate.
    assert (r.tickets.id.tolist(), r.skipped) == (["INC1", "INC2"], 1)


def test_ten_megabyte_single_line_document_streams(tmp_path: Path) -> None:
    # A whole export on one line (as the API sends it) is fine: only records matter.
    recs = [{**SN_OK, "number": f"INC{i}", "short_description": "y" * 100} for i in range(60_000)]
    p = tmp_path / "one_line.json"
    p.write_text(_sn(recs))
    assert p.stat().st_size > 10 << 20
    t = read_servicenow(p, chunk_records=10_000).tickets
    assert len(t) == 60_000
    assert t.id[-1] == "INC59999"


def test_bad_arguments() -> None:
    f = DATA / "servicenow_incidents.json"
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: read_servicenow(f, on_error="ignore"), "on_error"),  # type: ignore[arg-type]
        (lambda: read_servicenow(f, tz="Mars/Olympus"), "tz"),
        (lambda: read_servicenow(f, sla_targets={7: 1.0}), "sla_targets"),
        (lambda: read_servicenow(f, sla_targets={1: -1.0}), "sla_targets"),
        (lambda: read_servicenow(f, fields={"colour": "x"}), "fields"),
        (lambda: read_servicenow(f, fields={"id": None}), "fields"),
        (lambda: read_jira(f, fields={"opened": None}), "fields"),
        (lambda: read_servicenow(f, chunk_records=0), "chunk_records"),
        (lambda: read_servicenow(DATA / "nope.json"), "path"),
        (lambda: read_csv(f, {"a": "colour"}), "mapping"),
        (lambda: read_csv(f, delimiter=";;"), "delimiter"),
        (lambda: read_jira(f, priorities={"x": 9}), "priorities"),
        (lambda: read_jira(f, done_statuses="Done"), "done_statuses"),
    ]
    for call, name in cases:
        with pytest.raises(InvalidInputError, match=name):
            call()


# --- skipping ------------------------------------------------------------------------------


def test_skip_counts_and_keeps_the_good_rows(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    rows = [HEADER.strip()]
    for i in range(20):
        opened = "not a date" if i % 5 == 0 else "2024-01-01 08:00:00"
        rows.append(f"INC{i},{opened},,{1 + i % 5}")
    rows.append("INC3,2024-01-01 08:00:00,,1")  # duplicate of row INC3
    rows.append("short,row")
    p.write_text("\n".join(rows) + "\n")
    with pytest.raises(ImportRowError):
        read_csv(p)
    r = read_csv(p, on_error="skip", chunk_rows=6)
    assert r.skipped == 4 + 1 + 1
    assert r.rows == 22
    assert len(r.tickets) == 16
    assert "INC0" not in r.tickets.id.tolist()
    assert [e.line for e in r.problems] == [2, 7, 12, 17, 23, 22]
    assert r.problems[0].field == "opened"


def test_skip_in_json(tmp_path: Path) -> None:
    p = tmp_path / "sn.json"
    p.write_text(_sn([SN_OK, 17, {**SN_OK, "number": "INC2", "priority": "x"}]))
    r = read_servicenow(p, on_error="skip")
    assert (len(r.tickets), r.skipped, [e.record for e in r.problems]) == (1, 2, [1, 2])


# --- streaming JSON and time parsing --------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    items=st.lists(json_values, max_size=8),
    before=st.dictionaries(st.sampled_from(["a", "b", "count"]), json_values, max_size=2),
    chunk=st.integers(1, 40),
    indent=st.sampled_from([None, 1, 2]),
)
def test_json_stream_matches_json_loads(
    items: list[Any], before: dict[str, Any], chunk: int, indent: int | None
) -> None:
    doc = json.dumps({**before, "result": items, "z": [1, 2]}, indent=indent)
    stream = JsonArrayStream(io.StringIO(doc), ("result",), chunk_chars=chunk)
    assert list(stream) == json.loads(doc)["result"]


def test_json_stream_bare_array_and_errors() -> None:
    assert list(JsonArrayStream(io.StringIO(" [1, 2 ,3] "), ("result",), chunk_chars=2)) == [
        1,
        2,
        3,
    ]
    for bad in ["[1, 2", "[1,,2]", '{"result": 5}', "[1] [2]", ""]:
        with pytest.raises(JsonStreamError):
            list(JsonArrayStream(io.StringIO(bad), ("result",), chunk_chars=3))


offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))


@settings(max_examples=200, deadline=None)
@given(
    when=st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1)),
    tz=offsets,
    style=st.sampled_from(["iso", "basic", "space", "zulu", "millis"]),
)
def test_parse_times_agrees_with_fromisoformat(
    when: dt.datetime, tz: dt.timezone, style: str
) -> None:
    when = when.replace(tzinfo=tz)
    if style == "zulu":
        when = when.replace(tzinfo=dt.UTC)
        text = when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    elif style == "basic":  # Jira: 2017-02-28T09:24:59.366-0600
        text = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}"
        text += when.strftime("%z")
        when = when.replace(microsecond=(when.microsecond // 1000) * 1000)
    elif style == "millis":
        text = when.isoformat(timespec="milliseconds")
        when = when.replace(microsecond=(when.microsecond // 1000) * 1000)
    elif style == "space":
        text = when.isoformat(sep=" ")
    else:
        text = when.isoformat()
    # Peer: Python's own datetime.fromisoformat on the same text.
    expected = dt.datetime.fromisoformat(text).astimezone(dt.UTC).replace(tzinfo=None)
    assert expected == when.astimezone(dt.UTC).replace(tzinfo=None)
    got, bad = parse_times(np.array([text]))
    assert not bad[0], text
    assert got[0] == np.datetime64(expected, "ns"), text


def test_parse_times_servicenow_and_rejects() -> None:
    good = [
        "2024-01-31 23:59:59",
        "2024-02-29",
        "2017-02-28T09:24:59.366-0600",
        "2024-01-01T00:00Z",
    ]
    got, bad = parse_times(np.array(good))
    assert not bad.any()
    assert got.tolist() == [
        np.datetime64("2024-01-31T23:59:59", "ns").item(),
        np.datetime64("2024-02-29T00:00:00", "ns").item(),
        np.datetime64("2017-02-28T15:24:59.366", "ns").item(),
        np.datetime64("2024-01-01T00:00:00", "ns").item(),
    ]
    rejects = ["2023-02-29", "2024-01-01 24:00:00", "31/01/2024", "2024-01-01T10:00:00+5",
               "2024-01-01T10:00:61", "2024-01-01T10:00:00+25:00", "now", "2024-1-1"]  # fmt: skip
    got, bad = parse_times(np.array(rejects))
    assert bad.all()
    assert np.isnat(got).all()


# --- CSV round trip --------------------------------------------------------------------------

clean_text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")), max_size=10
)
times_ns = st.integers(0, 4_000_000_000_000_000_000)


@st.composite
def ticket_tables(draw: st.DrawFn) -> Tickets:
    n = draw(st.integers(0, 12))
    ids = draw(st.lists(clean_text.filter(bool), min_size=n, max_size=n, unique=True))
    opened = np.array(draw(st.lists(times_ns, min_size=n, max_size=n)), dtype=np.int64)

    def later() -> Any:
        delta = np.array(draw(st.lists(st.integers(0, 10**15), min_size=n, max_size=n)))
        present = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
        out = (opened + delta.astype(np.int64)).view("datetime64[ns]")
        return np.where(present, out, np.datetime64("NaT"))

    def texts() -> list[str]:
        return draw(st.lists(clean_text, min_size=n, max_size=n))

    return Tickets(
        id=np.array(ids, dtype=str),
        opened=opened.view("datetime64[ns]"),
        acknowledged=later(),
        resolved=later(),
        closed=later(),
        priority=np.array(draw(st.lists(st.integers(1, 5), min_size=n, max_size=n)), dtype=int),
        service=np.array(texts(), dtype=str),
        assignment_group=np.array(texts(), dtype=str),
        category=np.array(texts(), dtype=str),
        state=np.array(texts(), dtype=str),
        reopen_count=np.array(draw(st.lists(st.integers(0, 9), min_size=n, max_size=n)), dtype=int),
        first_contact=np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool),
        sla_target_hours=np.array(
            draw(st.lists(st.sampled_from([np.nan, 0.5, 4.0, 24.0, 120.0]), min_size=n, max_size=n))
        ),
    )


def _write_csv(t: Tickets, path: Path, offset: str) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(t.known)
        cols: list[list[str]] = []
        for _name, arr in t.columns():
            if arr.size == 0:
                cols.append([])
            elif arr.dtype.kind == "M":
                text = np.datetime_as_string(arr, unit="ns", timezone="UTC")
                text = np.char.replace(text, "Z", offset)
                cols.append(np.where(np.isnat(arr), "", text).tolist())
            elif arr.dtype.kind == "f":
                cols.append(["" if np.isnan(x) else repr(float(x)) for x in arr])
            else:
                cols.append([str(x) for x in arr.tolist()])
        w.writerows(zip(*cols, strict=True))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(table=ticket_tables(), offset=st.sampled_from(["Z", "+00:00", "+0000"]))
def test_csv_round_trip(tmp_path: Path, table: Tickets, offset: str) -> None:
    p = tmp_path / "round.csv"
    _write_csv(table, p, offset)
    assert read_csv(p, chunk_rows=5).tickets == table
