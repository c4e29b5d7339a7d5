"""The pyarrow fast path gives what the streaming parser gives, or leaves the file to it."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itil_ci.errors import ImportRowError
from itil_ci.io import read_csv, read_servicenow

DATA = Path(__file__).parent / "data"


def _engine(result: Any) -> str:
    return str(dict(result.parameters)["engine"])


def test_a_clean_file_takes_the_fast_path_and_a_bad_one_falls_back(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("id,opened,priority\nA,2024-01-01 08:00,2\nB,2024-01-02T09:00:00,P3\n")
    fast, slow = read_csv(p), read_csv(p, engine="python")
    assert (_engine(fast), _engine(slow)) == ("pyarrow", "python")
    assert fast.tickets == slow.tickets
    bad = tmp_path / "bad.csv"
    bad.write_text("id,opened,priority\nA,2024-01-01 08:00,2\nB,tomorrow,3\n")
    skipped = read_csv(bad, on_error="skip")
    assert _engine(skipped) == "python"  # the streaming parser names the line
    assert (skipped.skipped, skipped.problems[0].line) == (1, 3)


def test_quoted_line_breaks_and_blank_lines(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text('id,opened,category\n\nA,2024-01-01,"two\nlines"\r\n\nB,2024-01-02,"say ""hi"""\n')
    fast, slow = read_csv(p), read_csv(p, engine="python")
    assert fast.tickets == slow.tickets
    assert fast.tickets.category.tolist() == ["two\nlines", 'say "hi"']


def test_servicenow_fixture_is_the_same_either_way() -> None:
    kw: dict[str, Any] = {"date_format": "%d-%m-%Y %H:%M", "na_values": ["?"]}
    path = DATA / "servicenow_incident_events.csv"
    fast, slow = read_servicenow(path, **kw), read_servicenow(path, engine="python", **kw)
    assert _engine(fast) == "pyarrow"
    assert fast.tickets == slow.tickets
    assert fast.history == slow.history


cells = st.sampled_from(["", "?", " x ", "Network", "a,b", 'say "hi"', "two\nlines", "Réseau",
                         "2024-01-01", "2024-01-01 08:00", "2024-01-01T08:00:00+01:00", "3",
                         "-1", "P2", "true", "0"])  # fmt: skip


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.tuples(cells, cells, cells, cells, cells), min_size=1, max_size=6),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    na=st.sampled_from([None, ["?"]]),
)
def test_both_engines_agree_on_anything(
    tmp_path: Path, rows: list[tuple[str, ...]], quoting: int, na: list[str] | None
) -> None:
    p = tmp_path / "t.csv"
    with p.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, quoting=quoting)  # type: ignore[arg-type]
        w.writerow(["id", "opened", "category", "reopen_count", "first_contact"])
        w.writerows([(f"T{i}", *r[1:]) for i, r in enumerate(rows)])
    out = []
    for engine in ("python", "auto"):
        try:
            got: Any = read_csv(p, na_values=na, engine=engine).tickets  # type: ignore[arg-type]
        except ImportRowError as e:
            got = (e.line, e.field, e.reason)
        out.append(got)
    assert out[0] == out[1]


def test_pyarrow_engine_insists(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("id,opened\nA,2024-01-01\n")
    assert _engine(read_csv(p, engine="pyarrow")) == "pyarrow"
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id,opened,category\nA,2024-01-01,Réseau\n".encode("latin-1"))
    r = read_csv(latin, encoding="latin-1", engine="pyarrow")
    assert (_engine(r), r.tickets.category.tolist()) == ("python", ["Réseau"])
    with pytest.raises(ImportRowError, match="not utf-8-sig text"):
        read_csv(latin)


def test_blanks_around_ids_are_stripped_either_way(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("id,opened\n  A ,2024-01-01\nB\t,2024-01-02\nC,2024-01-03\n")
    fast, slow = read_csv(p), read_csv(p, engine="python")
    assert _engine(fast) == "pyarrow"
    assert fast.tickets.id.tolist() == slow.tickets.id.tolist() == ["A", "B", "C"]


@pytest.mark.parametrize(
    "bad",
    [
        b"\xff",  # never in UTF-8
        b"\xc3",  # a lead byte without its continuation
        b"\xc0\xaf",  # an overlong "/"
        b"\xed\xa0\x80",  # a UTF-16 surrogate encoded as UTF-8
        b"\xf4\x90\x80\x80",  # past U+10FFFF
    ],
)
@pytest.mark.parametrize("column", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("mapped", [True, False])
def test_utf8_is_checked_in_every_column_either_way(
    tmp_path: Path, bad: bytes, column: int, mapped: bool
) -> None:
    # Python's strict decoder is the reference: the fast path must refuse the same files,
    # whichever column holds the bad bytes: the id, a time, a text, a count, or a column no
    # Tickets field reads ("note"; with ``mapped`` every column is read, so Arrow's own
    # check must catch it; without, "note" is left unread and the whole file is checked).
    header = "id,opened,category,reopen_count,note"
    mapping = {"note": "service"} if mapped else None
    good = tmp_path / "good.csv"
    good.write_bytes(f"{header}\nA,2024-01-01,Réseau,1,ok\n".encode())
    r = read_csv(good, mapping=mapping)
    assert (_engine(r), r.tickets.category.tolist()) == ("pyarrow", ["Réseau"])
    assert ("service" in r.tickets.known) is mapped
    p = tmp_path / "bad.csv"  # the bad row past the first 64 KiB, which the header read sees
    rows = "".join(f"T{i},2024-01-01,Réseau,1,ok\n" for i in range(5000))
    cells = [c.encode() for c in ("A", "2024-01-01", "Réseau", "1", "ok")]
    cells[column] += bad
    p.write_bytes(f"{header}\n{rows}".encode() + b",".join(cells) + b"\n")
    with pytest.raises(UnicodeDecodeError):
        p.read_bytes().decode("utf-8")
    errors = []
    for engine in ("python", "auto"):
        with pytest.raises(ImportRowError) as info:
            read_csv(p, engine=engine, mapping=mapping)  # type: ignore[arg-type]
        errors.append((info.value.line, info.value.reason))
    assert errors[0] == errors[1]


@pytest.mark.parametrize(
    "row",
    [
        'Z,2024-01-03,"two\nlines",1',  # a line break inside quotes
        'Z,2024-01-03,"a,b",1',  # a delimiter inside quotes
        'Z,2024-01-03,"say ""hi""",1',  # escaped quotes
        'Z,2024-01-03,"Network",1',  # quotes around a plain word
        '"Z",2024-01-03,Network,1',  # a quoted id
        'Z,"2024-01-03",Network,1',  # a quoted time
        'Z,2024-01-03,Network,"1"',  # a quoted count
        'Z,2024-01-03,"never closed,1',  # the file ends inside these quotes
    ],
)
@pytest.mark.parametrize("unread", [False, True])
@pytest.mark.parametrize("after", [0, 50])
def test_quotes_first_seen_past_the_first_rows(
    tmp_path: Path, row: str, unread: bool, after: int
) -> None:
    # The fast path judges quoting on the first 64 KiB.  A quote further on must give
    # what the streaming parser gives: the same tickets, or the same error and line.
    # ``unread``: a column no field reads (the file is then searched as a whole);
    # ``after``: unquoted rows after the quoted one.
    header = "id,opened,category,reopen_count" + (",note" if unread else "")
    tail = ",ok" if unread else ""
    head = "".join(f"T{i},2024-01-01,Réseau,1{tail}\n" for i in range(5000))
    more = "".join(f"U{i},2024-01-05,Network,2{tail}\n" for i in range(after))
    text = f"{header}\n{head}{row}{tail}\n{more}"
    assert len(head.encode()) > 1 << 16  # the quoted row is past the first 64 KiB
    assert '"' not in head
    p = tmp_path / "t.csv"
    p.write_text(text, encoding="utf-8")
    results, errors = [], []
    for engine in ("python", "auto"):
        try:
            results.append(read_csv(p, engine=engine))  # type: ignore[arg-type]
        except ImportRowError as e:
            errors.append((e.line, e.field, e.reason))
    if "never closed" in row:
        assert len(errors) == 2
        assert errors[0] == errors[1]
        return
    assert not errors
    slow, fast = results
    assert fast.tickets == slow.tickets
    assert _engine(fast) == "pyarrow"  # read fast, not left to the streaming parser
