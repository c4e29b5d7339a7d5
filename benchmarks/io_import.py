"""Importing 1,000,000 tickets: CSV, a ServiceNow event log, Arrow frames, JSON.

Workloads (files generated into a temporary directory from
``generate_tickets(N)``, written with ``pyarrow.csv.write_csv``):

- ``csv_import_1M``: ``read_csv`` (pyarrow installed) vs ``pyarrow.csv.read_csv``
  of the same file (10 columns, ISO times, Arrow's own type inference);
- ``csv_import_python_1M``: ``read_csv(engine="python")`` (the streaming
  parser, as without pyarrow) vs the plain-Python baseline ``csv.DictReader``
  appending each row's fields to lists, with ``datetime.fromisoformat`` for
  times and ``int`` for numbers (the baseline the earlier figures used);
- ``servicenow_event_log_1M``: the same tickets as a ServiceNow CSV list
  export with 6 rows (updates) per incident: ``read_servicenow`` (collapse to
  the latest update + the event history) vs ``pyarrow.csv.read_csv`` of the
  file;
- ``from_arrow_1M_polars`` / ``from_arrow_1M_pandas``: ``Tickets.from_arrow``
  of a 1M-row frame vs ``pyarrow.table(frame)``;
- ``servicenow_json_1M``: ``read_servicenow`` of the REST JSON vs ``json.load``
  of the whole document, and ``orjson.loads`` for reference.

Times are the best of ``--repeats`` runs in this process.

Fresh memory: pyarrow's allocator keeps the pages it freed for the next read,
while numpy's arrays come from ``malloc`` and large ones go back to the
operating system when freed.  On a virtual machine that hands freed pages
back to its host, every first touch of a page is slow (measured at about
2.5 s per GiB on one such machine), which can double the figures for the
event log.  Running with ``MALLOC_MMAP_THRESHOLD_=2147483647
MALLOC_TRIM_THRESHOLD_=17179869184`` makes ``malloc`` keep its pages too, so
both sides reuse memory; report which way a figure was taken.

Usage: ``python benchmarks/io_import.py [--rows N] [--repeats R] [--only NAME]``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from _timing import best

from itil_ci.io import Tickets, generate_tickets, read_csv, read_servicenow

CSV_COLUMNS = ["id", "opened", "acknowledged", "resolved", "closed", "priority", "service",
               "assignment_group", "category", "state"]  # fmt: skip
STATE_CODES = {"New": "1", "In Progress": "2", "Resolved": "6", "Closed": "7", "Canceled": "8"}
PRIORITY_NAMES = ["", "1 - Critical", "2 - High", "3 - Moderate", "4 - Low", "5 - Planning"]
EVENTS = 6


def _ts(arr: np.ndarray[Any, Any]) -> Any:
    ints = arr.view(np.int64)
    return pa.array(ints, mask=ints == np.iinfo(np.int64).min).cast(pa.timestamp("ns"))


def _text(ts: Any, fmt: str) -> Any:
    return pc.strftime(ts, format=fmt)


def write_csv(t: Tickets, path: Path) -> None:
    """The tickets as a 10-column CSV with ISO times (``2025-01-05T09:00:00.123456789Z``)."""
    cols = {}
    for name in CSV_COLUMNS:
        arr = t.column(name)
        if arr.dtype.kind == "M":
            cols[name] = pc.binary_join_element_wise(
                _text(_ts(arr), "%Y-%m-%dT%H:%M:%S"), pa.scalar("Z"), ""
            )
        else:
            cols[name] = pa.array(arr)
    # No quotes around values (none needs them), as most tools write such a file.
    pacsv.write_csv(pa.table(cols), path, pacsv.WriteOptions(quoting_style="none"))


def write_event_log(t: Tickets, path: Path) -> None:
    """A ServiceNow list export with EVENTS rows per incident (one per update).

    Each incident's rows run New, In Progress, On Hold, In Progress, Resolved,
    Closed at evenly spaced update times from opened to its last update, with
    ``sys_mod_count`` 0..5; resolved_at and closed_at are empty before the
    update that sets them, and ``state`` is a code as ServiceNow exports it.
    """
    n = len(t)
    rep = np.repeat(np.arange(n), EVENTS)
    k = np.tile(np.arange(EVENTS), n)
    opened = t.opened.view(np.int64)[rep]
    last = t.column("updated").view(np.int64)[rep]
    upd = opened + (last - opened) // (EVENTS - 1) * k
    codes = np.array(["1", "2", "3", "2", "6", "7"])[k]
    resolved = t.column("resolved").view(np.int64)[rep]
    closed = t.column("closed").view(np.int64)[rep]
    nat = np.iinfo(np.int64).min
    resolved = np.where(k >= 4, resolved, nat)
    closed = np.where(k >= 5, closed, nat)
    fmt = "%Y-%m-%d %H:%M:%S"
    table = pa.table(
        {
            "number": pa.array(t.id[rep]),
            "state": pa.array(codes),
            "opened_at": _text(_ts(opened.view("datetime64[ns]")), fmt),
            "resolved_at": _text(_ts(resolved.view("datetime64[ns]")), fmt),
            "closed_at": _text(_ts(closed.view("datetime64[ns]")), fmt),
            "sys_updated_on": _text(_ts(upd.view("datetime64[ns]")), fmt),
            "sys_mod_count": pa.array(k),
            "priority": pa.array(np.array(PRIORITY_NAMES)[t.column("priority")][rep]),
            "assignment_group": pa.array(t.column("assignment_group")[rep]),
            "category": pa.array(t.column("category")[rep]),
            "made_sla": pa.array(np.where(t.column("sla_met"), "true", "false")[rep]),
            "reassignment_count": pa.array(t.column("reassignment_count")[rep]),
            "reopen_count": pa.array(t.column("reopen_count")[rep]),
        }
    )
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="all_valid"))


def write_json(t: Tickets, path: Path) -> None:
    """The tickets as a ServiceNow Table API export (``{"result": [...]}``)."""
    fmt = "%Y-%m-%d %H:%M:%S"
    opened, resolved, closed = (
        _text(_ts(t.column(c)), fmt).fill_null("").to_pylist()
        for c in ("opened", "resolved", "closed")
    )
    link = "https://example.service-now.com/api/now/table/sys_user_group/"
    ids, states = t.id.tolist(), t.column("state").tolist()
    prios, groups = t.column("priority").tolist(), t.column("assignment_group").tolist()
    services, cats = t.column("service").tolist(), t.column("category").tolist()
    reopen, met = t.column("reopen_count").tolist(), t.column("sla_met").tolist()
    with path.open("w") as fh:
        fh.write('{"result":[')
        for i in range(len(t)):
            rec = {
                "number": ids[i],
                "opened_at": opened[i],
                "resolved_at": resolved[i],
                "closed_at": closed[i],
                "state": STATE_CODES.get(states[i], "2"),
                "priority": str(prios[i]),
                "assignment_group": {"display_value": groups[i], "link": link + "287ebd7d"},
                "business_service": {"display_value": services[i], "link": link + "27d32778"},
                "category": cats[i],
                "reopen_count": str(reopen[i]),
                "made_sla": "true" if met[i] else "false",
            }
            fh.write(("," if i else "") + json.dumps(rec, separators=(",", ":")))
        fh.write("]}")


def _utc(text: str) -> dt.datetime | None:
    if not text:
        return None
    return dt.datetime.fromisoformat(text)


def baseline_csv(path: Path) -> dict[str, list[Any]]:
    """csv.DictReader into per-column lists with per-value conversion."""
    out: dict[str, list[Any]] = {c: [] for c in CSV_COLUMNS}
    with path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            for c in ("id", "service", "assignment_group", "category", "state"):
                out[c].append(row[c])
            for c in ("opened", "acknowledged", "resolved", "closed"):
                out[c].append(_utc(row[c]))
            out["priority"].append(int(row["priority"]))
    return out


def report(name: str, ours: float, base: float, target: str = "") -> None:
    extra = f" (target {target})" if target else ""
    print(f"{name}: ours {ours:.2f} s, baseline {base:.2f} s, ratio {ours / base:.2f}{extra}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    label = f"{args.rows // 1_000_000}M" if args.rows >= 1_000_000 else str(args.rows)
    rep = args.repeats

    def want(name: str) -> bool:
        return not args.only or args.only in name

    t = generate_tickets(args.rows, seed=7)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if want("csv_import"):
            path = folder / "tickets.csv"
            write_csv(t, path)
            expected = Tickets(**{c: t.column(c) for c in CSV_COLUMNS})
            assert read_csv(path).tickets == expected  # the benchmark reads back what it wrote
            assert read_csv(path, engine="python").tickets == expected
            ours = best(lambda: read_csv(path), repeats=rep)
            base = best(lambda: pacsv.read_csv(path), repeats=rep)
            report(f"csv_import_{label}", ours, base, "<= 1.5")
            ours = best(lambda: read_csv(path, engine="python"), repeats=rep)
            base = best(lambda: baseline_csv(path), repeats=rep)
            report(f"csv_import_python_{label}", ours, base)
        if want("event_log"):
            path = folder / "incident.csv"
            write_event_log(t, path)
            r = read_servicenow(path)
            assert len(r.tickets) == len(t)
            assert r.history is not None
            assert len(r.history) == EVENTS * len(t)
            got = r.tickets.column("resolved").view(np.int64)  # NaT as int64 min: comparable
            assert np.array_equal(got, t.column("resolved").view(np.int64))
            ours = best(lambda: read_servicenow(path), repeats=rep)
            base = best(lambda: pacsv.read_csv(path), repeats=rep)
            report(f"servicenow_event_log_{label} ({EVENTS} rows per ticket)", ours, base, "<= 3")
        if want("from_arrow"):
            import pandas as pd
            import polars as pl

            tbl = t.to_arrow()
            frames: dict[str, Any] = {
                "polars": pl.from_arrow(tbl),
                "pandas": tbl.to_pandas(),
                "pandas_object_strings": pd.DataFrame(
                    {
                        c: (tbl.column(c).to_pandas().astype(object))
                        if pa.types.is_string(tbl.column(c).type)
                        else tbl.column(c).to_pandas()
                        for c in tbl.column_names
                    }
                ),
            }
            for kind, frame in frames.items():
                assert Tickets.from_arrow(frame) == t
                f: Callable[[], Any] = lambda fr=frame: Tickets.from_arrow(fr)  # noqa: E731
                ours = best(f, repeats=rep)
                base = best(lambda fr=frame: pa.table(fr), repeats=rep)
                report(f"from_arrow_{label}_{kind}", ours, base, "<= 2")
        if want("json"):
            path = folder / "incidents.json"
            write_json(t, path)
            assert len(read_servicenow(path).tickets) == len(t)
            ours = best(lambda: read_servicenow(path), repeats=rep)
            base = best(lambda: json.loads(path.read_text()), repeats=rep)
            report(f"servicenow_json_{label} (vs json.loads of the file)", ours, base)
            try:
                import orjson
            except ImportError:
                return
            base = best(lambda: orjson.loads(path.read_bytes()), repeats=rep)
            report(f"servicenow_json_{label} (vs orjson.loads of the file)", ours, base)


if __name__ == "__main__":
    main()
