"""Importing 1,000,000 tickets from CSV and from a ServiceNow JSON export.

Workloads (files generated into a temporary directory from
``generate_tickets(1_000_000)``):

- ``csv_import_1M``: ``itil_ci.io.read_csv`` vs the plain-Python baseline
  ``csv.DictReader`` appending each row's fields to per-column lists, with
  ``datetime.fromisoformat`` for times and ``int`` for numbers;
- ``servicenow_import_1M``: ``itil_ci.io.read_servicenow`` vs ``json.load`` of
  the whole document followed by the same per-record conversion into lists
  (``datetime.strptime``-equivalent ``fromisoformat`` for ServiceNow times).

Times are the best of ``--repeats`` runs in this process.  Peak memory is
measured separately for each importer in a fresh child process (its own peak
resident set size, VmHWM, interpreter and numpy included).

Usage: ``python benchmarks/io_import.py [--rows N] [--repeats R]``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from _timing import best

from itil_ci.io import read_csv, read_servicenow
from itil_ci.io.synthetic import generate_tickets
from itil_ci.io.tickets import Tickets

STATE_CODES = {"New": "1", "In Progress": "2", "Resolved": "6", "Closed": "7", "Canceled": "8"}
STATE_NAMES = {code: name for name, code in STATE_CODES.items()}
CSV_COLUMNS = list(Tickets.FIELDS)


def _time_text(arr: np.ndarray[Any, Any], sep: str, unit: str = "s") -> list[str]:
    text = np.datetime_as_string(arr, unit=unit)
    text = np.char.replace(text, "T", sep)
    return np.where(np.isnat(arr), "", text).tolist()  # type: ignore[no-any-return]


def write_files(t: Tickets, folder: Path) -> tuple[Path, Path]:
    """Write ``t`` as a CSV file and as a ServiceNow Table API export."""
    csv_path = folder / "tickets.csv"
    cols: dict[str, list[Any]] = {}
    for name, arr in t.columns():
        if arr.dtype.kind == "M":
            cols[name] = [s + "Z" if s else s for s in _time_text(arr, "T", "ns")]
        elif arr.dtype.kind == "f":
            cols[name] = [repr(x) for x in arr.tolist()]
        else:
            cols[name] = arr.tolist()
    with csv_path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_COLUMNS)
        w.writerows(zip(*(cols[c] for c in CSV_COLUMNS), strict=True))
    json_path = folder / "incidents.json"
    opened, resolved, closed = (_time_text(a, " ") for a in (t.opened, t.resolved, t.closed))
    stc = np.where(
        np.isnat(t.resolved), 0, (t.resolved - t.opened).astype("m8[s]").astype(np.int64)
    ).tolist()
    link = "https://example.service-now.com/api/now/table/sys_user_group/"
    with json_path.open("w") as fh:
        fh.write('{"result":[')
        step = 50_000
        for lo in range(0, len(t), step):
            recs = []
            for i in range(lo, min(lo + step, len(t))):
                recs.append(
                    {
                        "number": str(t.id[i]),
                        "opened_at": opened[i],
                        "resolved_at": resolved[i],
                        "closed_at": closed[i],
                        "state": STATE_CODES.get(str(t.state[i]), "2"),
                        "impact": "2",
                        "urgency": "2",
                        "priority": str(int(t.priority[i])),
                        "assignment_group": {
                            "display_value": str(t.assignment_group[i]),
                            "link": link + "287ebd7da9fe198100f92cc8d1d2154e",
                        },
                        "business_service": {
                            "display_value": str(t.service[i]),
                            "link": link + "27d32778c0a8000b00db970eeaa60f16",
                        },
                        "category": str(t.category[i]),
                        "reopen_count": str(int(t.reopen_count[i])),
                        "reassignment_count": "0" if t.first_contact[i] else "1",
                        "calendar_stc": str(stc[i]),
                    }
                )
            body = ",".join(json.dumps(r, separators=(",", ":")) for r in recs)
            fh.write(("," if lo else "") + body)
        fh.write("]}")
    return csv_path, json_path


def _utc(text: str) -> dt.datetime | None:
    if not text:
        return None
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


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
            out["reopen_count"].append(int(row["reopen_count"]))
            out["first_contact"].append(row["first_contact"] == "True")
            out["sla_target_hours"].append(float(row["sla_target_hours"] or "nan"))
    return out


def baseline_json(path: Path) -> dict[str, list[Any]]:
    """json.load of the whole document, then per-record conversion into lists
    of the same columns the importer produces."""
    with path.open() as fh:
        doc = json.load(fh)
    names = ("id", "opened", "resolved", "closed", "priority", "service", "group", "category",
             "state", "reopen_count", "first_contact", "calendar_stc")  # fmt: skip
    out: dict[str, list[Any]] = {c: [] for c in names}
    for r in doc["result"]:
        out["id"].append(r["number"])
        out["opened"].append(_utc(r["opened_at"]))
        out["resolved"].append(_utc(r["resolved_at"]))
        out["closed"].append(_utc(r["closed_at"]))
        out["priority"].append(int(r["priority"]))
        for key, col in (("business_service", "service"), ("assignment_group", "group")):
            ref = r[key]
            out[col].append(ref["display_value"] if isinstance(ref, dict) else ref)
        out["category"].append(r["category"])
        out["state"].append(STATE_NAMES.get(r["state"], r["state"]))
        out["reopen_count"].append(int(r["reopen_count"]))
        out["first_contact"].append(r["reassignment_count"] == "0")
        out["calendar_stc"].append(float(r["calendar_stc"] or 0))
    return out


WORKLOADS: dict[str, Callable[[Path], Any]] = {
    "ours-csv": lambda p: read_csv(p),
    "base-csv": baseline_csv,
    "ours-json": lambda p: read_servicenow(p),
    "base-json": baseline_json,
}


def peak_mib(workload: str, path: Path) -> float:
    """Peak RSS of a fresh interpreter running one workload on ``path``."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", workload, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        WORKLOADS[args.child[0]](Path(args.child[1]))
        # VmHWM is this process's own peak; ru_maxrss would include the parent's
        # peak inherited across fork.
        status = Path("/proc/self/status")
        if status.exists():
            line = next(ln for ln in status.read_text().splitlines() if ln.startswith("VmHWM"))
            print(int(line.split()[1]) / 1024)
        else:  # not Linux
            print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        return
    with tempfile.TemporaryDirectory() as tmp:
        t = generate_tickets(args.rows, seed=7)
        csv_path, json_path = write_files(t, Path(tmp))
        assert read_csv(csv_path).tickets == t  # the benchmark reads back what it wrote
        label = f"{args.rows // 1_000_000}M" if args.rows >= 1_000_000 else str(args.rows)
        sizes = {
            "csv": csv_path.stat().st_size / 2**20,
            "json": json_path.stat().st_size / 2**20,
        }
        for kind, path in (("csv", csv_path), ("json", json_path)):
            ours = best(lambda p=path, k=kind: WORKLOADS[f"ours-{k}"](p), repeats=args.repeats)
            base = best(lambda p=path, k=kind: WORKLOADS[f"base-{k}"](p), repeats=args.repeats)
            name = "csv_import" if kind == "csv" else "servicenow_import"
            print(
                f"{name}_{label}: ours {ours:.2f} s, baseline {base:.2f} s, ratio {ours / base:.2f}"
            )
        for kind, path in (("csv", csv_path), ("json", json_path)):
            ours_m, base_m = peak_mib(f"ours-{kind}", path), peak_mib(f"base-{kind}", path)
            print(
                f"peak memory {kind} ({sizes[kind]:.0f} MiB file): ours {ours_m:.0f} MiB, "
                f"baseline {base_m:.0f} MiB, ratio {ours_m / base_m:.2f}"
            )


if __name__ == "__main__":
    main()
