"""Grouped MTTR (mean, median, p90) and SLA attainment over ten million tickets.

Workload: 10,000,000 tickets, 1,000 services x 12 months of 2025, start times
at one-second resolution, lognormal resolution times (median about 5 h),
2 % still open (NaT end), four priorities with targets 4/8/24/72 h.

Baselines, on the same arrays in the same process:

* pandas ``groupby(["service", "month"])`` (DataFrame built from the arrays,
  durations as float hours, then ``mean``, ``median`` and ``quantile(0.9)``);
* the fastest plain-numpy versions written for this exact data (no input
  checks, keys known to be dense): a ``lexsort`` segmented reduction, a sort
  of a combined ``(group << 40) | seconds`` key, and ``np.partition`` of that
  key at the wanted ranks.  The best of them is the "best plain numpy" line.

The same MTTR is then run with the services as text (numpy strings such as
``"Service 0042 Desk"``, as the importers give them) against pandas on the
same strings: text keys are factorised by hashing, not by sorting strings.

Peak memory is measured with tracemalloc (numpy reports its buffers to it)
and given relative to the input arrays' size.  Run: ``python
benchmarks/measurement_itsm.py [n]``.
"""

from __future__ import annotations

import sys
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
from _timing import best

from itil_ci.measurement.itsm import mttr, sla_attainment

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
SERVICES, MONTHS = 1000, 12
TARGETS = {1: 4.0, 2: 8.0, 3: 24.0, 4: 72.0}


def make_data(n: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(2025)
    start = np.datetime64("2025-01-01", "s") + rng.integers(0, 365 * 86400, n).astype(
        "timedelta64[s]"
    )
    start = start.astype("datetime64[ns]")
    secs = (rng.lognormal(np.log(5 * 3600), 1.2, n)).astype(np.int64)
    end = start + secs.astype("timedelta64[s]")
    end[rng.random(n) < 0.02] = np.datetime64("NaT")
    service = rng.integers(0, SERVICES, n)
    priority = rng.integers(1, 5, n)
    return {"start": start, "end": end, "service": service, "priority": priority}


def peak(fn: Callable[[], Any]) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top


# --- ours -----------------------------------------------------------------------------


def ours_mttr(d: dict[str, np.ndarray]) -> Any:
    return mttr(d["start"], d["end"], by=d["service"], period="month")


def ours_sla(d: dict[str, np.ndarray]) -> Any:
    return sla_attainment(
        d["start"], d["end"], d["priority"], TARGETS, by=d["service"], period="month"
    )


# --- pandas -------------------------------------------------------------------------------


def pandas_mttr(d: dict[str, np.ndarray]) -> Any:
    import pandas as pd

    df = pd.DataFrame(
        {"service": d["service"], "month": d["start"].astype("datetime64[M]"), "h": _hours(d)}
    )
    gb = df.dropna(subset=["h"]).groupby(["service", "month"], sort=True)["h"]
    return gb.mean(), gb.median(), gb.quantile(0.9), gb.size()


def pandas_sla(d: dict[str, np.ndarray]) -> Any:
    import pandas as pd

    df = pd.DataFrame(
        {
            "service": d["service"],
            "month": d["start"].astype("datetime64[M]"),
            "h": _hours(d),
            "priority": d["priority"],
        }
    )
    df = df.dropna(subset=["h"])
    df["met"] = df["h"] <= df["priority"].map(TARGETS)
    return df.groupby(["service", "month"], sort=True)["met"].mean()


def _hours(d: dict[str, np.ndarray]) -> np.ndarray:
    return (d["end"] - d["start"]) / np.timedelta64(1, "h")


# --- plain numpy (knows the data: dense keys, second resolution, no checks) ---------------


def _codes(d: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    s = d["start"].view(np.int64)
    e = d["end"].view(np.int64)
    closed = e != np.iinfo(np.int64).min
    month = d["start"].astype("datetime64[M]").view(np.int64) - 660  # 2025-01 is month 660
    code = d["service"] * MONTHS + month
    secs = (e - s) // 10**9
    return code[closed], secs[closed], closed


def _finish(sorted_secs: Callable[[np.ndarray], np.ndarray], code: np.ndarray) -> Any:
    n_per = np.bincount(code, minlength=SERVICES * MONTHS)
    off = np.cumsum(n_per) - n_per
    out = []
    for q in (0.5, 0.9):
        h = q * (n_per - 1)
        lo = np.floor(h).astype(np.int64)
        hi = np.minimum(lo + 1, n_per - 1)
        a = sorted_secs(off + lo) / 3600
        b = sorted_secs(off + hi) / 3600
        out.append(a + (b - a) * (h - lo))
    return out


def numpy_lexsort(d: dict[str, np.ndarray]) -> Any:
    code, secs, _ = _codes(d)
    mean = np.bincount(code, weights=secs / 3600) / np.bincount(code)
    ordered = secs[np.lexsort((secs, code))]
    return mean, _finish(lambda pos: ordered[pos], code)


def numpy_sort_key(d: dict[str, np.ndarray]) -> Any:
    code, secs, _ = _codes(d)
    mean = np.bincount(code, weights=secs / 3600) / np.bincount(code)
    key = (code << 40) | secs
    key.sort()
    return mean, _finish(lambda pos: key[pos] & ((1 << 40) - 1), code)


def numpy_partition_key(d: dict[str, np.ndarray]) -> Any:
    code, secs, _ = _codes(d)
    counts = np.bincount(code, minlength=SERVICES * MONTHS)
    mean = np.bincount(code, weights=secs / 3600) / counts
    off = np.cumsum(counts) - counts
    kth = []
    for q in (0.5, 0.9):
        lo = np.floor(q * (counts - 1)).astype(np.int64)
        kth += [off + lo, off + np.minimum(lo + 1, counts - 1)]
    key = (code << 40) | secs
    key.partition(np.unique(np.concatenate(kth)))
    return mean, _finish(lambda pos: key[pos] & ((1 << 40) - 1), code)


def numpy_sla(d: dict[str, np.ndarray]) -> Any:
    code, secs, closed = _codes(d)
    table = np.zeros(5)
    for k, v in TARGETS.items():
        table[k] = v * 3600
    met = secs <= table[d["priority"][closed]]
    return np.bincount(code, weights=met) / np.bincount(code)


def line(name: str, ours: float, base: float) -> None:
    print(f"{name}: ours {ours:.3f} s, baseline {base:.3f} s, ratio {ours / base:.2f}")


def main() -> None:
    d = make_data(N)
    input_bytes = sum(a.nbytes for a in d.values())
    # Same answers before timing anything.
    r = ours_mttr(d)
    _, (med, p90) = numpy_partition_key(d)
    have = r.count > 0
    assert np.allclose(r.median[have], med[: have.size][have], rtol=1e-12)
    assert np.allclose(r.p90[have], p90[: have.size][have], rtol=1e-12)

    t_ours = best(lambda: ours_mttr(d))
    t_pandas = best(lambda: pandas_mttr(d), repeats=2)
    t_np = {
        "lexsort": best(lambda: numpy_lexsort(d), repeats=2),
        "sort of combined key": best(lambda: numpy_sort_key(d)),
        "partition of combined key": best(lambda: numpy_partition_key(d)),
    }
    fastest = min(t_np, key=lambda k: t_np[k])
    line(f"grouped mttr (mean, median, p90), {N:,} tickets vs pandas groupby", t_ours, t_pandas)
    for name, t in t_np.items():
        line(f"grouped mttr vs plain numpy {name}", t_ours, t)
    line(f"grouped mttr vs best plain numpy ({fastest})", t_ours, t_np[fastest])

    names = np.array([f"Service {i:04d} Desk" for i in range(SERVICES)])
    text = {**d, "service": names[d["service"]]}
    t_ours = best(lambda: ours_mttr(text))
    t_pandas = best(lambda: pandas_mttr(text), repeats=2)
    line(f"grouped mttr with text service names, {N:,} tickets vs pandas groupby", t_ours, t_pandas)

    s_ours = best(lambda: ours_sla(d))
    s_pandas = best(lambda: pandas_sla(d), repeats=2)
    s_np = best(lambda: numpy_sla(d))
    line(f"grouped sla attainment, {N:,} tickets vs pandas groupby", s_ours, s_pandas)
    line("grouped sla attainment vs plain numpy bincount", s_ours, s_np)

    for name, fn in (("mttr", ours_mttr), ("sla attainment", ours_sla)):
        top = peak(lambda fn=fn: fn(d))  # type: ignore[misc]
        print(
            f"peak memory {name}: {top / 2**20:.0f} MiB above the inputs "
            f"({input_bytes / 2**20:.0f} MiB), {top / input_bytes:.2f}x the input arrays"
        )
    top = peak(lambda: pandas_mttr(d))
    print(f"peak memory pandas mttr: {top / 2**20:.0f} MiB, {top / input_bytes:.2f}x")


if __name__ == "__main__":
    main()
