"""date_format= (strptime-style, vectorised) and na_values= in every reader."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itil_ci.errors import ImportRowError, InvalidInputError
from itil_ci.io import read_csv, read_jira, read_servicenow
from itil_ci.io._formats import compile_format, parse_format
from itil_ci.io._parse import parse_times

# Formats with separators between variable-width fields (the parser does not
# backtrack; see the module's docstring).
FORMATS = [
    "%d-%m-%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%d.%m.%Y",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%d %b %Y %H:%M",
    "%A, %d %B %Y %I %p",
    "%y%m%d %H%M%S",
    "%Y-%m-%d %H:%M:%S%z",
    "%a %b %d %H:%M:%S %Y",
]


@settings(max_examples=300, deadline=None)
@given(
    when=st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2067, 12, 31)),
    fmt=st.sampled_from(FORMATS),
    offset=st.integers(-14 * 60, 14 * 60),
    unpad=st.booleans(),
    upper=st.booleans(),
)
def test_parse_format_agrees_with_strptime(
    when: dt.datetime, fmt: str, offset: int, unpad: bool, upper: bool
) -> None:
    if "%z" in fmt:
        when = when.replace(tzinfo=dt.timezone(dt.timedelta(minutes=offset)))
    text = when.strftime(fmt)
    if unpad and "%y%m" not in fmt:
        text = text.replace("/0", "/").replace("-0", "-")  # day-first exports drop zeros
    if upper:
        text = text.upper()
    # Peer: Python's own strptime on the same text.
    try:
        expected: dt.datetime | None = dt.datetime.strptime(text, fmt)
    except ValueError:
        expected = None
    got, bad = parse_format(np.array([text]), compile_format(fmt))
    if expected is None:
        assert bad[0], text
        return
    if expected.tzinfo is not None:
        expected = expected.astimezone(dt.UTC).replace(tzinfo=None)
    assert not bad[0], text
    assert got[0] == np.datetime64(expected, "ns"), text


# numpy strings drop trailing NUL characters, so NUL is left out of the texts.
@given(
    text=st.text(st.characters(exclude_characters="\x00"), max_size=20),
    fmt=st.sampled_from(FORMATS),
)
@settings(max_examples=300, deadline=None)
def test_parse_format_refuses_what_strptime_refuses(text: str, fmt: str) -> None:
    try:
        expected: dt.datetime | None = dt.datetime.strptime(text.strip(), fmt)
    except ValueError:
        expected = None
    got, bad = parse_format(np.array([text]), compile_format(fmt))
    if expected is None and text.strip():
        assert bad[0] or not text.strip(), repr(text)
    elif expected is not None and 1678 <= expected.year <= 2261:
        if expected.tzinfo is not None:
            expected = expected.astimezone(dt.UTC).replace(tzinfo=None)
        assert got[0] == np.datetime64(expected, "ns")


def test_day_first_without_zero_padding_and_twelve_hour_clock() -> None:
    f = compile_format("%d/%m/%Y %I:%M %p")
    got, bad = parse_format(np.array(["1/3/2016 12:05 AM", "1/3/2016 12:05 pm", ""]), f)
    assert bad.tolist() == [False, False, False]
    # 12 AM is midnight, 12 PM noon (strptime's rule); the empty value is NaT.
    assert got[:2].tolist() == [
        np.datetime64("2016-03-01T00:05", "ns").item(),
        np.datetime64("2016-03-01T12:05", "ns").item(),
    ]
    assert np.isnat(got[2])


@pytest.mark.parametrize(
    ("fmt", "message"),
    [
        ("%j/%Y", "unsupported directive %j"),
        ("%d-%m", "a year"),
        ("%Y-%m-%d %H:%I", "once"),
        ("%d %d %m %Y", "%d once"),
        ("%Y-%m-%d %", "lone '%'"),
        ("", "non-empty"),
    ],
)
def test_bad_formats_are_refused_clearly(tmp_path: Path, fmt: str, message: str) -> None:
    p = tmp_path / "t.csv"
    p.write_text("id,opened\nA,2024-01-01\n")
    with pytest.raises(InvalidInputError, match=f"date_format.*{message}"):
        read_csv(p, date_format=fmt)


def test_a_wrong_format_names_file_line_column_value_and_format(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("Number,Opened\nINC1,29-02-2016 01:16\nINC2,2016-03-01 08:00\n")
    for engine in ("python", "auto"):
        with pytest.raises(ImportRowError) as e:
            read_csv(p, {"Number": "id", "Opened": "opened"}, date_format="%d-%m-%Y %H:%M",
                     engine=engine)  # type: ignore[arg-type]  # fmt: skip
        err = e.value
        assert (err.path, err.line, err.field) == (str(p), 3, "Opened")
        assert "'2016-03-01 08:00'" in str(err)
        assert "'%d-%m-%Y %H:%M'" in str(err)


def test_date_format_in_every_reader(tmp_path: Path) -> None:
    fmt = "%d.%m.%Y %H:%M"
    sn = tmp_path / "sn.json"
    sn.write_text(json.dumps({"result": [{"number": "INC1", "opened_at": "05.03.2024 09:30"}]}))
    assert str(read_servicenow(sn, date_format=fmt).tickets.opened[0]).startswith(
        "2024-03-05T09:30"
    )
    jira = tmp_path / "jira.json"
    issue = {"key": "A-1", "fields": {"created": "05.03.2024 09:30", "priority": {"name": "High"}}}
    jira.write_text(json.dumps({"issues": [issue]}))
    got = read_jira(jira, date_format=fmt, tz="Europe/Berlin").tickets.opened[0]
    assert got == np.datetime64("2024-03-05T08:30", "ns")  # CET is UTC+1 in March


# --- missing markers ----------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["python", "auto"])
def test_markers_are_empty_in_every_column(tmp_path: Path, engine: str) -> None:
    p = tmp_path / "t.csv"
    p.write_text(
        "id,opened,resolved,assignment_group,category,reopen_count,sla_target_hours\n"
        "A,2024-01-01 08:00,?,?,NULL,?,N/A\n"
        "B,2024-01-01 09:00,2024-01-01 10:00,Network,Printers,1,4\n"
    )
    t = read_csv(p, na_values=["?", "NULL", "N/A"], engine=engine).tickets  # type: ignore[arg-type]
    assert np.isnat(t.resolved[0])
    # Never a group or category called "?": empty, like a blank cell.
    assert t.assignment_group.tolist() == ["", "Network"]
    assert t.category.tolist() == ["", "Printers"]
    assert t.reopen_count.tolist() == [0, 1]
    assert np.isnan(t.sla_target_hours[0])


def test_a_marker_in_a_required_column_is_a_row_error(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("id,opened\nA,2024-01-01\nB,?\n?,2024-01-02\n")
    with pytest.raises(ImportRowError, match="not missing") as e:
        read_csv(p, na_values=["?"])
    assert (e.value.line, e.value.field) == (3, "opened")
    r = read_csv(p, na_values=["?"], on_error="skip")
    assert (r.tickets.id.tolist(), r.skipped) == (["A"], 2)
    assert [(x.line, x.field) for x in r.problems] == [(3, "opened"), (4, "id")]


def test_without_na_values_a_question_mark_is_a_bad_time(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("id,opened,resolved\nA,2024-01-01,?\n")
    with pytest.raises(ImportRowError, match="got '\\?'"):
        read_csv(p)


# --- ISO times: the fast path and the streaming parser agree ------------------------------

ODD = ["2024-01-05T09", "2024-01-05 09:00", "2024-01-05T09:00:00Z", "2024-01-05T09:00:00+01",
       "2024-01-05T09:00:00.123456789-0530", "2024-01-05", " 2024-01-05 ", "2024-1-5",
       "20240105", "2024-01-05t09:00", "2024-01-05T24:00", "1677-12-31", "2262-01-01",
       "2024-01-05T09:00:00,5", "2024-02-29", "2023-02-29"]  # fmt: skip


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(st.sampled_from(ODD), min_size=1, max_size=4))
def test_fast_path_and_streaming_parser_agree(tmp_path: Path, values: list[str]) -> None:
    p = tmp_path / "t.csv"
    p.write_text("id,opened\n" + "".join(f'T{i},"{v}"\n' for i, v in enumerate(values)))
    results = []
    for engine in ("python", "auto"):
        try:
            results.append(read_csv(p, engine=engine).tickets)  # type: ignore[arg-type]
        except ImportRowError as e:
            results.append((e.line, e.field, e.reason))  # type: ignore[arg-type]
    assert results[0] == results[1]
    parsed, bad = parse_times(np.array(values))
    if not bad.any():
        assert results[0].opened.tolist() == parsed.tolist()  # type: ignore[union-attr]
