"""Arrow and Parquet: Tickets.from_arrow / to_arrow / to_parquet / from_parquet, and KPI columns."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import itil_ci as ic
from itil_ci.errors import InvalidInputError
from itil_ci.io import History, Tickets, generate_tickets, read_csv
from itil_ci.io.arrow import from_arrow, to_arrow

from .test_importers import ticket_tables

DATA = Path(__file__).parent / "data"
FIXTURE_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(table=ticket_tables(), partition=st.sampled_from([None, "month"]))
def test_parquet_round_trip_is_exact(tmp_path: Path, table: Tickets, partition: str | None) -> None:
    target = tmp_path / f"t-{partition}-{np.random.default_rng().integers(1 << 30)}"
    table.to_parquet(target, partition_by=partition)
    assert Tickets.from_parquet(target) == table


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(table=ticket_tables())
def test_import_then_parquet_then_back_is_equal(tmp_path: Path, table: Tickets) -> None:
    # import -> to_parquet -> from_parquet -> equal (the CSV written as an export would be)
    p = tmp_path / "export.csv"
    with p.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(table.known)
        cols = []
        for _, arr in table.columns():
            if arr.dtype.kind == "M":
                text = np.datetime_as_string(arr, unit="ns", timezone="UTC")
                cols.append(np.where(np.isnat(arr), "", text).tolist())
            elif arr.dtype.kind == "f":
                cols.append(["" if np.isnan(x) else repr(float(x)) for x in arr])
            else:
                cols.append([str(x) for x in arr.tolist()])
        w.writerows(zip(*cols, strict=True))
    imported = read_csv(p).tickets
    target = tmp_path / f"t{np.random.default_rng().integers(1 << 30)}.parquet"
    imported.to_parquet(target)
    assert Tickets.from_parquet(target) == imported == table


def test_unknown_columns_stay_unknown_through_arrow() -> None:
    t = Tickets(id=["a"], opened=np.zeros(1, "M8[ns]"), sla_met=[True])
    tbl = t.to_arrow()
    assert tbl.column_names == ["id", "opened", "sla_met"]
    back = Tickets.from_arrow(tbl)
    assert back == t
    assert "resolved" in back.unknown


@pytest.mark.parametrize("kind", ["pyarrow", "pandas", "polars", "reader"])
def test_from_arrow_of_any_stream_exporter(kind: str) -> None:
    t = generate_tickets(500, seed=3)
    tbl = t.to_arrow()
    obj: Any = {
        "pyarrow": tbl,
        "pandas": tbl.to_pandas(),
        "polars": pl.from_arrow(tbl),
        "reader": pa.RecordBatchReader.from_batches(tbl.schema, tbl.to_batches(max_chunksize=64)),
    }[kind]
    assert Tickets.from_arrow(obj) == t


def test_from_arrow_with_a_mapping_and_other_units() -> None:
    tbl = pa.table(
        {
            "Number": ["INC1", "INC2"],
            "Opened At": pa.array([0, 3600], pa.timestamp("s", tz="Europe/Paris")),
            "Resolved": pa.array([7200, None], pa.timestamp("ms", tz="UTC")).cast(
                pa.timestamp("us", tz="UTC")
            ),
            "made_sla": [True, False],
            "Group": pa.array(["Réseau", "Desk"]).dictionary_encode(),
            "ignored": [1, 2],
        }
    )
    t = from_arrow(tbl, {"Number": "id", "Opened At": "opened", "Resolved": "resolved",
                         "made_sla": "sla_met", "Group": "assignment_group"})  # fmt: skip
    assert t.id.tolist() == ["INC1", "INC2"]
    assert str(t.opened[1]) == "1970-01-01T01:00:00.000000000"
    assert str(t.resolved[0]) == "1970-01-01T00:00:07.200000000"
    assert np.isnat(t.resolved[1])
    assert t.assignment_group.tolist() == ["Réseau", "Desk"]
    assert t.known == ("id", "opened", "resolved", "assignment_group", "sla_met")


@pytest.mark.parametrize(
    ("tbl", "mapping", "message"),
    [
        (pa.table({"id": ["a"]}), None, "required field 'opened'"),
        (pa.table({"id": ["a"], "opened": pa.array([0], pa.timestamp("s"))}), None,
         "timezone-aware"),
        (pa.table({"id": ["a"], "opened": ["2024-01-01"]}), None, "timestamps"),
        (pa.table({"id": [1], "opened": pa.array([0], pa.timestamp("s", tz="UTC"))}), None,
         "strings"),
        (pa.table({"id": ["a"], "opened": pa.array([None], pa.timestamp("s", tz="UTC"))}), None,
         "not missing"),
        (pa.table({"id": ["a"], "opened": pa.array([0], pa.timestamp("s", tz="UTC")),
                   "priority": pa.array([None], pa.int64())}), None, "no nulls"),
        (pa.table({"id": ["a"], "opened": pa.array([0], pa.timestamp("s", tz="UTC")),
                   "priority": [9]}), None, "1 to 5"),
        (pa.table({"id": ["a"], "opened": pa.array([0], pa.timestamp("s", tz="UTC"))}),
         {"nope": "id"}, "mapping"),
        (pa.table({"id": ["a"], "opened": pa.array([0], pa.timestamp("s", tz="UTC"))}),
         {"id": "colour"}, "mapping"),
    ],
)  # fmt: skip
def test_from_arrow_refuses_clearly(tbl: Any, mapping: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        from_arrow(tbl, mapping)


def test_parquet_refusals(tmp_path: Path) -> None:
    t = Tickets(id=["a"], opened=np.zeros(1, "M8[ns]"))
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("old")
    with pytest.raises(InvalidInputError, match="new or empty directory"):
        t.to_parquet(tmp_path / "full", partition_by="month")
    with pytest.raises(InvalidInputError, match="partition_by"):
        t.to_parquet(tmp_path / "y", partition_by="week")  # type: ignore[arg-type]
    not_parquet = tmp_path / "x.parquet"
    not_parquet.write_text("id,opened\n")
    with pytest.raises(InvalidInputError, match="Parquet"):
        Tickets.from_parquet(not_parquet)
    with pytest.raises(InvalidInputError, match="existing"):
        Tickets.from_parquet(tmp_path / "missing.parquet")
    h = History(id=["a"], time=np.zeros(1, "M8[ns]"), state=["New"])
    for bad, message in [("\ud800", "lone surrogates"), ("a\x00b", "NUL"), (5, "os.PathLike")]:
        for call in (t.to_parquet, Tickets.from_parquet, h.to_parquet, History.from_parquet):
            with pytest.raises(InvalidInputError, match=message):
                call(bad)


def test_import_itil_ci_does_not_import_pyarrow_or_polars() -> None:
    code = (
        "import sys, itil_ci; itil_ci.Tickets; itil_ci.io.read_csv; "
        "print(sorted(m for m in ('pyarrow', 'polars', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- KPI columns from pandas, polars and Arrow ------------------------------------------------


def test_kpis_accept_pandas_polars_and_arrow_columns() -> None:
    t = generate_tickets(2_000, seed=5)
    expected = ic.mttr(t.opened, t.resolved, by=t.service, period="month")
    df = t.to_pandas()
    tbl = to_arrow(t)
    pdf = pl.from_arrow(tbl)
    assert isinstance(pdf, pl.DataFrame)
    for opened, resolved, service in [
        (df["opened"], df["resolved"], df["service"]),
        (pdf["opened"], pdf["resolved"], pdf["service"]),
        (tbl.column("opened"), tbl.column("resolved"), tbl.column("service")),
        (tbl.column("opened").combine_chunks(), tbl.column("resolved").combine_chunks(),
         tbl.column("service").combine_chunks()),
    ]:  # fmt: skip
        got = ic.mttr(opened, resolved, by=service, period="month")
        assert got.groups[0].tolist() == expected.groups[0].tolist()
        np.testing.assert_array_equal(got.value, expected.value)
    fcr = ic.first_contact_resolution(pdf["first_contact"], resolved=~np.isnat(t.resolved))
    ref = ic.first_contact_resolution(t.first_contact, resolved=~np.isnat(t.resolved))
    assert fcr.value.tolist() == ref.value.tolist()
    sla = ic.sla_attainment(pdf["opened"], pdf["resolved"], met=pdf["sla_met"])
    assert (
        sla.value.tolist() == ic.sla_attainment(t.opened, t.resolved, met=t.sla_met).value.tolist()
    )


def test_naive_polars_and_arrow_times_are_refused() -> None:
    naive = pl.Series("opened", [pd.Timestamp("2024-01-01")])
    with pytest.raises(InvalidInputError, match="timezone-aware polars"):
        ic.mttr(naive, naive)
    arr = pa.array([0], pa.timestamp("s"))
    with pytest.raises(InvalidInputError, match="timezone-aware Arrow"):
        ic.mttr(arr, arr)
    far = pa.array([10**12], pa.timestamp("s", tz="UTC"))  # year 33658: beyond datetime64[ns]
    in_range = r"start\[0\]: expected a time between 1677-09-21T00:12:44Z and 2262-04-11T"
    with pytest.raises(InvalidInputError, match=in_range):
        ic.mttr(far, far)
