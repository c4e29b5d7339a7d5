"""Where the Dask forms run: a Client by address, no client, worker processes; progress."""

from __future__ import annotations

import io
import subprocess
import sys
from functools import partial
from pathlib import Path
from typing import Any

import dask
import dask.dataframe as dd
import pytest
from dask.diagnostics import ProgressBar

from itil_ci import scale
from itil_ci.measurement import itsm
from itil_ci.scale import _read

from .data import (
    PAUSE_STATES,
    assert_same,
    calendar,
    columns,
    history_of,
    keyed,
    random_history,
    random_tickets,
    write_months,
)

TARGETS = {1: 4.0, 2: 8.0, 3: 24.0, 4: 72.0}


def _expected(df: Any) -> tuple[Any, Any]:
    opened, resolved, priority = columns(df, "opened", "resolved", "priority")
    by = keyed(df, ["assignment_group"])
    return (
        itsm.mttr(opened, resolved, by=by, period="month"),
        itsm.sla_attainment(opened, resolved, priority, TARGETS, by=by, period="month"),
    )


def test_several_kpis_in_one_pass_read_each_partition_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    df = random_tickets(21, 300, days=80)
    t = scale.read_tickets(write_months(df, tmp_path))
    reads: list[Any] = []
    call = _read._Reader.__call__

    def spy(self: Any, unit: Any, columns: Any = None) -> Any:
        reads.append(sorted(columns or ()))
        return call(self, unit, columns)

    monkeypatch.setattr(_read._Reader, "__call__", spy)
    with dask.config.set(scheduler="sync"):
        m, s = scale.compute(
            partial(scale.mttr, t, by="assignment_group", period="month"),
            lambda: scale.sla_attainment(t, TARGETS, by="assignment_group", period="month"),
        )
    assert len(reads) == t.npartitions  # not twice as many
    assert {tuple(r) for r in reads} == {("assignment_group", "opened", "priority", "resolved")}
    want_m, want_s = _expected(df)
    assert_same(m, want_m)
    assert_same(s, want_s)


def test_without_a_client_on_local_threads_with_a_progress_bar(tmp_path: Path) -> None:
    df = random_tickets(22, 200, days=70)
    t = scale.read_tickets(write_months(df, tmp_path))
    out = io.StringIO()
    with dask.config.set(scheduler="threads"), ProgressBar(out=out):
        got = scale.mttr(t, by="assignment_group", period="month")
    assert_same(got, _expected(df)[0])
    assert "100% Completed" in out.getvalue()  # Dask's own bar saw the computation


def test_a_client_connected_by_address(client: Any, tmp_path: Path) -> None:
    from distributed import Client

    df = random_tickets(23, 200, days=70)
    t = scale.read_tickets(write_months(df, tmp_path))
    with Client(client.scheduler.address):  # the newest client is the default scheduler
        got = scale.sla_attainment(t, TARGETS, by="assignment_group", period="month")
    assert_same(got, _expected(df)[1])


def test_worker_processes(tmp_path: Path) -> None:
    # the one test with worker processes: pickled tasks, results sent back between processes
    from distributed import Client, LocalCluster

    df = random_tickets(24, 300, days=100)
    t = scale.read_tickets(write_months(df, tmp_path))
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as c,
        Client(c),
    ):
        m, s = scale.compute(
            partial(scale.mttr, t, by="assignment_group", period="month"),
            partial(scale.sla_attainment, t, TARGETS, by="assignment_group", period="month"),
        )
        week = scale.mttr(t, period="week")  # ISO weeks cross months: cells shuffled
        # the SLA clock across processes: a pickled calendar, pauses handed to every
        # partition, and pauses computed on the workers from an event log shuffled by id
        log = random_history(df, 24)
        pz = history_of(log).pauses(PAUSE_STATES)
        clocked = scale.sla_attainment(t, TARGETS, calendar=calendar(), pauses=pz)
        events = scale.pauses(dd.from_pandas(log, npartitions=3, sort=False), PAUSE_STATES)
        by_week = scale.mttr(t, period="week", calendar=calendar(), pauses=events)
    want_m, want_s = _expected(df)
    assert_same(m, want_m)
    assert_same(s, want_s)
    opened, resolved, priority, ids = columns(df, "opened", "resolved", "priority", "id")
    assert_same(week, itsm.mttr(opened, resolved, period="week"))
    cal = calendar()
    assert_same(
        clocked,
        itsm.sla_attainment(opened, resolved, priority, TARGETS, calendar=cal, pauses=pz, ids=ids),
    )
    assert_same(
        by_week, itsm.mttr(opened, resolved, period="week", calendar=cal, pauses=pz, ids=ids)
    )


def test_import_itil_ci_does_not_import_dask() -> None:
    code = (
        "import sys, itil_ci, itil_ci.scale; from itil_ci import scale; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('dask', 'distributed', 'pyarrow', 'pandas')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_no_other_module_imports_dask() -> None:
    import ast

    src = Path(scale.__file__).resolve().parents[1]
    for path in src.rglob("*.py"):
        if "scale" in path.relative_to(src).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in ("dask", "distributed"), (path, name)
