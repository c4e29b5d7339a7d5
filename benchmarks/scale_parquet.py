"""Grouped MTTR and SLA attainment over month-partitioned Parquet: Dask forms against pandas.

Workload (the issue's): 20,000,000 tickets, 40 assignment groups x 24
months, written once as hive-style month directories
(``month=2025-01/part-0.parquet``, the layout ``Tickets.to_parquet(path,
partition_by="month")`` writes) with the columns id, opened, acknowledged,
resolved, priority and assignment_group; opening times at one-second
resolution, lognormal resolution times (median about 5 h), 2 % still open.
Computed: MTTR (count, mean, median, p90) and SLA attainment (targets
4/8/24/72 h by priority) per (group, month).

* ours: ``scale.read_tickets``, then ``scale.mttr`` and
  ``scale.sla_attainment`` in one pass (``scale.compute``) on a
  ``LocalCluster(n_workers=2, threads_per_worker=1)`` started before the
  clock starts (the cluster a user already has);
* baseline: pandas ``read_parquet`` of the four columns used, then
  ``groupby(["assignment_group", "month"])`` mean, median, quantile(0.9),
  size and the SLA share.

Each side runs in a fresh child process; the parent samples the resident
memory (RSS) of the child and all its descendants (the cluster's worker
processes too) every 20 ms and reports the peak of the sum.  The two sides'
numbers are compared (counts equal, floats to rtol 1e-12).  Then the data
grows to 60,000,000 tickets (the same 40 groups over 72 months, partitions
of the same size) and our peak memory is measured again.

SLA on business hours: the same 20,000,000 tickets, SLA attainment per
(group, month) on the SLA clock of a business calendar (Monday to Friday
08:00-18:00 in London, with England's public holidays, daylight saving
included), against the in-memory ``itil_ci.sla_attainment`` with the same
calendar on the same data, each in a fresh child process:

* ours: ``scale.read_tickets`` then ``scale.sla_attainment(...,
  calendar=cal)`` on the same 2-worker ``LocalCluster``;
* baseline: pyarrow reads the four columns used into numpy arrays (groups
  as a text array, as ``Tickets`` holds them), then
  ``itil_ci.sla_attainment(..., calendar=cal)`` in memory; its time alone is
  printed too, and the time of the same call with integer group codes (its
  best case: grouping 20M text keys costs more than the calendar), against
  which a second ratio is printed.

Datasets are generated once into ``$ITIL_CI_BENCH_DIR`` (default
``/tmp/itil_ci_scale_bench``) and reused.  Run: ``python
benchmarks/scale_parquet.py [millions] [grown millions] [--only kpis|clock]``
(default 20 60, both cases).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

GROUPS = 40
TARGETS = {1: 4.0, 2: 8.0, 3: 24.0, 4: 72.0}
ROOT = Path(os.environ.get("ITIL_CI_BENCH_DIR", "/tmp/itil_ci_scale_bench"))
PROCESSES = os.environ.get("ITIL_CI_BENCH_PROCESSES", "0") == "1"


# --- data ---------------------------------------------------------------------------------


def dataset(n: int, months: int) -> Path:
    """``n`` tickets over ``months`` months as month directories (written once, then reused)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    path = ROOT / f"tickets-{n}-{months}"
    if (path / "_complete").exists():
        return path
    rng = np.random.default_rng(2025)
    names = np.array([f"team-{i:02d}" for i in range(GROUPS)])
    per_month = n // months
    first = np.datetime64("2024-01", "M")
    for m in range(months):
        month = first + m
        k = per_month + (1 if m < n - per_month * months else 0)
        start = month.astype("datetime64[s]")
        span = int(((month + 1).astype("datetime64[s]") - start).astype(np.int64))
        opened = np.sort(start + rng.integers(0, span, k).astype("timedelta64[s]"))
        secs = rng.lognormal(np.log(5 * 3600), 1.2, k).astype(np.int64)
        resolved = opened + secs.astype("timedelta64[s]")
        resolved[rng.random(k) < 0.02] = np.datetime64("NaT")
        ack = opened + rng.exponential(1800, k).astype(np.int64).astype("timedelta64[s]")
        ids = pc.binary_join_element_wise(
            "INC", pa.array(np.arange(k) + m * (per_month + 1), pa.int64()).cast(pa.string()), ""
        )
        utc = pa.timestamp("us", tz="UTC")
        table = pa.table(
            {
                "id": ids,
                "opened": pa.array(opened.astype("datetime64[us]"), utc),
                "acknowledged": pa.array(ack.astype("datetime64[us]"), utc),
                "resolved": pa.array(resolved.astype("datetime64[us]"), utc),
                "priority": pa.array(rng.integers(1, 5, k), pa.int64()),
                "assignment_group": pa.array(names[rng.integers(0, GROUPS, k)]),
            }
        )
        folder = path / f"month={month!s}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, folder / "part-0.parquet")
    (path / "_complete").touch()
    return path


# --- the two sides (each runs in a child process) ------------------------------------------


def ours(path: str) -> dict[str, Any]:
    import dask.dataframe  # noqa: F401 (imports are not timed, on either side)
    import pyarrow.dataset  # noqa: F401
    from distributed import Client, LocalCluster

    import itil_ci.measurement  # noqa: F401
    from itil_ci import scale

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=PROCESSES, dashboard_address=":0"
        ) as cluster,
        Client(cluster),
    ):
        t0 = time.perf_counter()
        tickets = scale.read_tickets(path)
        m, s = scale.compute(  # both KPIs in one pass over the data
            partial(scale.mttr, tickets, by="assignment_group", period="month"),
            partial(scale.sla_attainment, tickets, TARGETS, by="assignment_group", period="month"),
        )
        seconds = time.perf_counter() - t0
    keep = m.count > 0
    return {
        "seconds": seconds,
        "group": m.groups[0][keep].tolist(),
        "month": m.groups[1][keep].astype(str).tolist(),
        "count": m.count[keep].tolist(),
        "mean": m.mean[keep].tolist(),
        "median": m.median[keep].tolist(),
        "p90": m.p90[keep].tolist(),
        "sla": s.value[s.count > 0].tolist(),
    }


def baseline(path: str) -> dict[str, Any]:
    import pandas as pd
    import pyarrow.dataset  # (imports are not timed, on either side)
    import pyarrow.parquet  # noqa: F401

    t0 = time.perf_counter()
    df = pd.read_parquet(path, columns=["opened", "resolved", "priority", "assignment_group"])
    hours = (df["resolved"] - df["opened"]) / pd.Timedelta(hours=1)
    month = df["opened"].dt.tz_localize(None).to_numpy().astype("datetime64[M]")
    frame = pd.DataFrame(
        {
            "group": df["assignment_group"],
            "month": month,
            "h": hours,
            "met": hours <= df["priority"].map(TARGETS),
        }
    )
    del df, hours, month
    closed = frame[frame["h"].notna()]
    del frame
    by = closed.groupby(["group", "month"], sort=True)
    mean, median = by["h"].mean(), by["h"].median()
    p90, size, sla = by["h"].quantile(0.9), by.size(), by["met"].mean()
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "group": [g for g, _ in mean.index],
        "month": [str(np.datetime64(m, "D")) for _, m in mean.index],
        "count": size.tolist(),
        "mean": mean.tolist(),
        "median": median.tolist(),
        "p90": p90.tolist(),
        "sla": sla.tolist(),
    }


def _calendar() -> Any:
    import itil_ci as ic

    return ic.BusinessCalendar.for_country(
        "GB", subdiv="ENG", hours={"mon-fri": ("08:00", "18:00")}, timezone="Europe/London"
    )


def ours_clock(path: str) -> dict[str, Any]:
    import dask.dataframe  # noqa: F401 (imports are not timed, on either side)
    import pyarrow.dataset  # noqa: F401
    from distributed import Client, LocalCluster

    import itil_ci.measurement  # noqa: F401
    from itil_ci import scale

    cal = _calendar()
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=PROCESSES, dashboard_address=":0"
        ) as cluster,
        Client(cluster),
    ):
        t0 = time.perf_counter()
        tickets = scale.read_tickets(path)
        s = scale.sla_attainment(
            tickets, TARGETS, by="assignment_group", period="month", calendar=cal
        )
        seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "group": s.groups[0].tolist(),
        "month": s.groups[1].astype(str).tolist(),
        "count": s.count.tolist(),
        "sla": s.value.tolist(),
        "holidays": s.parameters["calendar"]["holidays"],
    }


def memory_clock(path: str) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    import itil_ci as ic

    cal = _calendar()
    t0 = time.perf_counter()
    table = ds.dataset(path, format="parquet", partitioning="hive").to_table(
        columns=["opened", "resolved", "priority", "assignment_group"]
    )
    nat = pa.scalar(np.iinfo(np.int64).min, pa.int64())
    opened, resolved = (
        pc.fill_null(table.column(name).cast(pa.timestamp("ns", tz="UTC")).cast(pa.int64()), nat)
        .to_numpy()
        .view("datetime64[ns]")
        for name in ("opened", "resolved")
    )
    priority = table.column("priority").to_numpy()
    coded = pc.dictionary_encode(table.column("assignment_group")).combine_chunks()
    words = np.asarray(coded.dictionary.to_pylist(), dtype=str)
    group = words[coded.indices.to_numpy()]
    del table, coded
    t1 = time.perf_counter()
    s = ic.sla_attainment(
        opened, resolved, priority, TARGETS, by={"assignment_group": group}, period="month",
        calendar=cal,
    )  # fmt: skip
    t2 = time.perf_counter()
    codes = np.unique(group, return_inverse=True)[1].ravel()  # (not timed) the best case:
    t3 = time.perf_counter()  # integer group codes, no text to sort
    coded_run = ic.sla_attainment(
        opened, resolved, priority, TARGETS, by={"assignment_group": codes}, period="month",
        calendar=cal,
    )  # fmt: skip
    t4 = time.perf_counter()
    assert coded_run.count.tolist() == s.count.tolist()
    return {
        "seconds": t2 - t0,
        "kernel_seconds": t2 - t1,
        "coded_seconds": t4 - t3,
        "group": s.groups[0].tolist(),
        "month": s.groups[1].astype(str).tolist(),
        "count": s.count.tolist(),
        "sla": s.value.tolist(),
        "holidays": s.parameters["calendar"]["holidays"],
    }


SIDES = {"ours": ours, "pandas": baseline, "ours-clock": ours_clock, "memory-clock": memory_clock}


# --- measuring --------------------------------------------------------------------------------


def _tree_rss(pid: int) -> int:
    import psutil

    try:
        proc = psutil.Process(pid)
        total = proc.memory_info().rss
        for child in proc.children(recursive=True):
            with contextlib.suppress(psutil.Error):  # a child may end meanwhile
                total += child.memory_info().rss
        return int(total)
    except psutil.Error:
        return 0


def measure(side: str, path: Path) -> tuple[dict[str, Any], int]:
    """Run one side in a child process: its result and the peak RSS of its process tree."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        child = subprocess.Popen([sys.executable, __file__, "--child", side, str(path), str(out)])
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss(child.pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        code = child.wait()
        done.set()
        sampler.join()
        if code:
            raise SystemExit(f"{side} failed with exit code {code}")
        return json.loads(out.read_text()), peak


def same(a: dict[str, Any], b: dict[str, Any]) -> float:
    """Largest relative difference of the float columns; raises if keys or counts differ."""
    assert a["group"] == b["group"], "different groups"
    assert a["month"] == b["month"], "different months"
    assert a["count"] == b["count"], "different counts"
    worst = 0.0
    for name in ("mean", "median", "p90", "sla"):
        x, y = np.asarray(a[name]), np.asarray(b[name])
        np.testing.assert_allclose(x, y, rtol=1e-12, atol=0, err_msg=name)
        worst = max(worst, float(np.max(np.abs(x - y) / np.maximum(np.abs(y), 1e-300))))
    return worst


GIB = 2.0**30


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        side, path, out = argv[1:4]
        result = SIDES[side](path)
        Path(out).write_text(json.dumps(result))
        return
    only = None
    if "--only" in argv:
        at = argv.index("--only")
        only = argv[at + 1]
        argv = argv[:at] + argv[at + 2 :]
    n = int(float(argv[0]) * 1e6) if argv else 20_000_000
    n_grown = int(float(argv[1]) * 1e6) if len(argv) > 1 else 60_000_000
    months = 24
    path = dataset(n, months)
    label = f"{n / 1e6:g}M tickets, {GROUPS} groups x {months} months"
    mode = "worker processes" if PROCESSES else "worker threads"
    print(f"# {label}; ours on LocalCluster(n_workers=2, {mode}); load {os.getloadavg()[0]:.1f}")
    if only in (None, "kpis"):
        kpis(path, label, n, n_grown, months)
    if only in (None, "clock"):
        clock(path, label)


def clock(path: Path, label: str) -> None:
    """SLA attainment on business hours: ours against the in-memory function."""
    mine, mine_peak = measure("ours-clock", path)
    theirs, their_peak = measure("memory-clock", path)
    assert mine["group"] == theirs["group"], "different groups"
    assert mine["month"] == theirs["month"], "different months"
    assert mine["count"] == theirs["count"], "different counts"
    assert mine["holidays"] == theirs["holidays"], "different calendars"
    x, y = np.asarray(mine["sla"]), np.asarray(theirs["sla"])
    np.testing.assert_allclose(x, y, rtol=1e-12, atol=0, equal_nan=True)
    t_ours, t_mem = mine["seconds"], theirs["seconds"]
    print(
        f"scale sla business hours ({label}): ours {t_ours:.2f} s, baseline {t_mem:.2f} s "
        f"(in-memory read + sla_attainment; {theirs['kernel_seconds']:.2f} s of it the "
        f"function), ratio {t_ours / t_mem:.2f}"
    )
    coded = theirs["coded_seconds"]
    print(
        f"scale sla business hours, function alone with integer group codes: ours {t_ours:.2f} s "
        f"(read included), baseline {coded:.2f} s, ratio {t_ours / coded:.2f}"
    )
    print(
        f"scale sla business hours peak memory: ours {mine_peak / GIB:.2f} GiB, "
        f"baseline {their_peak / GIB:.2f} GiB, ratio {mine_peak / their_peak:.2f}"
    )
    print(
        f"scale sla business hours numbers: {len(mine['count'])} cells, counts equal, "
        f"{mine['holidays']} holidays counted on both sides, shares within rtol 1e-12"
    )


def kpis(path: Path, label: str, n: int, n_grown: int, months: int) -> None:
    """Grouped MTTR and SLA: ours against pandas, then ours on grown data."""
    mine, mine_peak = measure("ours", path)
    theirs, their_peak = measure("pandas", path)
    worst = same(mine, theirs)
    t_ours, t_pd = mine["seconds"], theirs["seconds"]
    print(
        f"scale mttr+sla ({label}): ours {t_ours:.2f} s, baseline {t_pd:.2f} s, "
        f"ratio {t_ours / t_pd:.2f}"
    )
    print(
        f"scale mttr+sla peak memory: ours {mine_peak / GIB:.2f} GiB, "
        f"baseline {their_peak / GIB:.2f} GiB, ratio {mine_peak / their_peak:.2f}"
    )
    print(
        f"scale mttr+sla numbers: {len(mine['count'])} cells, counts equal, "
        f"largest relative difference {worst:.1e}"
    )
    if not n_grown:
        return
    grown_months = months * n_grown // n
    grown = dataset(n_grown, grown_months)
    big, big_peak = measure("ours", grown)
    print(
        f"scale mttr+sla ({n_grown / 1e6:g}M tickets, {grown_months} months): "
        f"ours {big['seconds']:.2f} s, peak memory {big_peak / GIB:.2f} GiB, "
        f"growth {big_peak / mine_peak - 1:+.0%} for {n_grown / n:g}x the tickets"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
