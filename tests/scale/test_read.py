"""scale.read_tickets: hive month layouts, nested keys, plain files, mappings, zones, projection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dask
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from itil_ci import scale
from itil_ci.errors import InvalidInputError
from itil_ci.measurement import itsm
from itil_ci.scale import _read

from .data import assert_same, columns, keyed, random_tickets, write_months


def _table(df: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(df, preserve_index=False)


def test_month_layout_is_one_partition_per_month(tmp_path: Path) -> None:
    df = random_tickets(1, 300, days=100)
    t = scale.read_tickets(write_months(df, tmp_path))
    months = sorted(set(df["opened"].dt.strftime("%Y-%m")))
    assert t.npartitions == len(months) == 4  # 100 days from 2025-01-01: Jan..Apr 10
    assert str(t.dtypes["opened"]) == "datetime64[ns, UTC]"
    assert isinstance(t.dtypes["assignment_group"], pd.CategoricalDtype)  # a grouping field
    assert list(t.columns)[-1] == "month"  # the directory key, after the files' columns
    back = t.compute()
    # each partition holds exactly one month's tickets, in file order
    firsts = [t.partitions[i].compute()["month"].unique().tolist() for i in range(t.npartitions)]
    assert firsts == [[m] for m in months]
    got = back.sort_values("id").reset_index(drop=True)
    want = df.sort_values("id").reset_index(drop=True)
    for name in ("id", "priority", "reopen_count", "first_contact"):
        assert got[name].tolist() == want[name].tolist()
    assert got["assignment_group"].astype(str).tolist() == want["assignment_group"].tolist()
    for name in ("opened", "resolved", "acknowledged"):
        np.testing.assert_array_equal(*(columns(x, name)[0] for x in (got, want)))


def test_nested_directory_keys_become_columns(tmp_path: Path) -> None:
    # month=.../assignment_group=.../ with the group only in the directory names
    df = random_tickets(2, 200, days=60)
    month = df["opened"].dt.strftime("%Y-%m")
    for (m, g), part in df.groupby([month, "assignment_group"]):
        folder = tmp_path / f"month={m}" / f"assignment_group={g}"
        folder.mkdir(parents=True)
        pq.write_table(_table(part.drop(columns="assignment_group")), folder / "p.parquet")
    t = scale.read_tickets(tmp_path)
    assert t.npartitions == len(df.groupby([month, "assignment_group"]))  # one per directory
    got = scale.mttr(t, by="assignment_group", period="month")
    opened, resolved = columns(df, "opened", "resolved")
    assert_same(
        got, itsm.mttr(opened, resolved, by=keyed(df, ["assignment_group"]), period="month")
    )


def test_plain_directory_single_file_mapping_and_zone(tmp_path: Path) -> None:
    # a ServiceNow-like export: its own column names, times without a zone (Paris wall clock)
    paris = pd.DataFrame(
        {
            "number": ["INC1", "INC2", "INC3"],
            "sys_created_on": pd.to_datetime(
                ["2025-01-15 10:00", "2025-07-01 12:00", "2025-07-02 00:00"]
            ),
            "resolved_at": pd.to_datetime(["2025-01-15 12:30", None, "2025-07-02 06:00"]),
            "assignment_group": ["db", "db", "web"],
        }
    )
    pq.write_table(_table(paris.iloc[:2]), tmp_path / "a.parquet")
    pq.write_table(_table(paris.iloc[2:]), tmp_path / "b.parquet")
    mapping = {"number": "id", "sys_created_on": "opened", "resolved_at": "resolved"}
    t = scale.read_tickets(tmp_path, mapping=mapping, tz="Europe/Paris")
    assert t.npartitions == 2  # one per file
    assert list(t.columns) == ["id", "opened", "resolved", "assignment_group"]
    opened = t.compute()["opened"].dt.strftime("%Y-%m-%dT%H:%M").tolist()
    # 10:00 in Paris in January is 09:00 UTC (CET); 12:00 in July is 10:00 UTC (CEST)
    assert opened == ["2025-01-15T09:00", "2025-07-01T10:00", "2025-07-01T22:00"]
    one = scale.read_tickets(tmp_path / "a.parquet", mapping=mapping, tz="Europe/Paris")
    assert one.npartitions == 1
    r = scale.mttr(t, by="assignment_group")
    assert r.mean.tolist() == [2.5, 6.0]  # db: 10:00 -> 12:30; web: 00:00 -> 06:00
    assert r.extra["open"].tolist() == [1, 0]


def test_a_column_missing_from_some_files_is_missing_there(tmp_path: Path) -> None:
    df = random_tickets(3, 100, days=59, open_share=0.0)
    root = write_months(df, tmp_path)
    january = next(root.glob("month=2025-01/*.parquet"))
    pq.write_table(pq.read_table(january).drop_columns(["acknowledged"]), january)
    t = scale.read_tickets(root)
    back = t.compute()
    jan = back["month"] == "2025-01"
    assert back.loc[jan, "acknowledged"].isna().all()
    assert back.loc[~jan, "acknowledged"].notna().any()
    r = scale.mtta(t, period="month")
    assert r.extra["open"].tolist()[0] == int(jan.sum())  # unknown, not acknowledged


def test_only_the_needed_columns_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    t = scale.read_tickets(write_months(random_tickets(4, 50, days=40), tmp_path))
    asked: list[tuple[str, ...]] = []
    call = _read._Reader.__call__

    def spy(self: Any, unit: Any, columns: Any = None) -> Any:
        asked.append(tuple(columns or ()))
        return call(self, unit, columns)

    monkeypatch.setattr(_read._Reader, "__call__", spy)
    with dask.config.set(scheduler="sync"):
        scale.mttr(t, by="assignment_group", period="month")
    assert asked
    assert {frozenset(a) for a in asked} == {frozenset({"opened", "resolved", "assignment_group"})}


def test_dictionary_columns_that_do_not_group_are_decoded(tmp_path: Path) -> None:
    df = random_tickets(5, 30)
    table = _table(df)
    table = table.set_column(0, "id", table.column("id").dictionary_encode())
    pq.write_table(table, tmp_path / "t.parquet")
    t = scale.read_tickets(tmp_path)
    assert not isinstance(t.dtypes["id"], pd.CategoricalDtype)
    assert t.compute()["id"].tolist() == df["id"].tolist()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"format": "csv"}, "format: expected one of 'parquet', got 'csv'"),
        ({"mapping": {"nope": "opened"}}, "mapping['nope']: expected a column of the dataset"),
        ({"mapping": {"x": "when"}}, "mapping['x']: expected one of id, opened"),
        ({"mapping": ["x"]}, "mapping: expected a mapping of source column to Tickets field"),
        ({"mapping": {"resolved": "opened"}}, "mapping['resolved']: expected a field the dataset"),
        ({"tz": "Mars/Olympus"}, "tz: expected a time zone name"),
    ],
)
def test_bad_arguments(tmp_path: Path, kwargs: dict[str, Any], message: str) -> None:
    root = write_months(random_tickets(6, 20, days=30), tmp_path)
    with pytest.raises(InvalidInputError, match=message.replace("(", r"\(").replace("[", r"\[")):
        scale.read_tickets(root, **kwargs)


def test_bad_paths(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="path: expected a readable Parquet"):
        scale.read_tickets(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidInputError, match="path: expected a Parquet dataset with at least"):
        scale.read_tickets(tmp_path / "empty")
    with pytest.raises(InvalidInputError, match="path: expected a path or URI"):
        scale.read_tickets(42)  # type: ignore[arg-type]


def test_a_column_without_any_value_is_unknown(tmp_path: Path) -> None:
    # a source without acknowledgement times: the writer stores nulls without a type
    df = random_tickets(9, 20).assign(acknowledged=None)
    pq.write_table(_table(df), tmp_path / "t.parquet")
    assert pq.read_schema(tmp_path / "t.parquet").field("acknowledged").type == pa.null()
    t = scale.read_tickets(tmp_path)
    assert "acknowledged" not in t.columns
    with pytest.raises(InvalidInputError, match="acknowledged: expected the name of a column"):
        scale.mtta(t)  # unknown is refused, not taken as "never acknowledged"
    assert scale.mttr(t).count.tolist() == [int(df["resolved"].notna().sum())]


def test_what_tickets_to_parquet_writes(tmp_path: Path) -> None:
    # Tickets.to_parquet(partition_by="month"): month=YYYY-MM/ directories of opened, a _row
    # column, and no column for an unknown field (here acknowledged, sla_met, service...)
    from itil_ci.io import Tickets
    from itil_ci.scale import _layout

    df = random_tickets(10, 250, days=95)
    opened, resolved = columns(df, "opened", "resolved")
    tickets = Tickets(
        id=df["id"].to_numpy().astype(str),
        opened=opened,
        resolved=resolved,
        priority=df["priority"].to_numpy(),
        assignment_group=df["assignment_group"].to_numpy().astype(str),
        reopen_count=df["reopen_count"].to_numpy(),
    )
    assert {"acknowledged", "sla_met", "service"} <= set(tickets.unknown)
    tickets.to_parquet(tmp_path / "t", partition_by="month")
    t = scale.read_tickets(tmp_path / "t")
    assert t.npartitions == 4  # January to April
    assert list(t.columns) == [
        "id", "opened", "resolved", "priority", "assignment_group", "reopen_count", "_row", "month",
    ]  # fmt: skip
    layout = _layout.of(t)
    assert layout is not None
    assert layout.by_opened_month  # the files say who wrote them: months of opened
    back = t.compute().sort_values("_row")
    assert back["id"].tolist() == df["id"].tolist()
    assert (back["month"] == back["opened"].dt.strftime("%Y-%m")).all()
    by = keyed(df, ["assignment_group"])
    assert_same(
        scale.mttr(t, by="assignment_group", period="month"),
        itsm.mttr(opened, resolved, by=by, period="month"),
    )
    assert_same(
        scale.reopen_rate(t, by="assignment_group"),
        itsm.reopen_rate(df["reopen_count"].to_numpy(), by=by),
    )
    # an unknown field has no column: a KPI that needs it refuses, as in memory
    with pytest.raises(InvalidInputError, match="acknowledged: expected the name of a column"):
        scale.mtta(t)
    with pytest.raises(InvalidInputError, match="met: expected the name of a column"):
        scale.sla_attainment(t, met="sla_met")
    # renaming columns drops the month guarantee (the directories may not be of opened)
    renamed = scale.read_tickets(tmp_path / "t", mapping={"resolved": "closed"})
    renamed_layout = _layout.of(renamed)
    assert renamed_layout is not None
    assert not renamed_layout.by_opened_month
