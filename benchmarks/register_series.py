"""Register observations: ``reg.record`` and ``reg.series`` of 1,000,000 rows in SQLite.

Baselines, in the same run and with the same connection settings (WAL,
``synchronous=FULL``, one transaction): a bare ``sqlite3`` ``executemany`` of
the same rows into a plain ``(kpi_key, t, v, source)`` table (building the
row tuples from the numpy arrays is part of the baseline, as a caller must do
it), and a bare ``fetchall`` of those rows (without even turning them into
numpy arrays).

With dimensions: the same 1,000,000 observations labelled with one of 10
services (``dims={"service": column}``), read back with
``series(filters={"service": ...})`` (100,000 rows); the baseline is a bare
``fetchall`` of ``SELECT t, v ... WHERE kpi_key = ? AND service = ?`` from a
plain table with an index on ``(kpi_key, service)``.

Checksum cost: the same filtered read with every chunk's CRC-32 verified
(by the standard library's ``zlib.crc32``, and by zlib-ng's when the ``fast``
extra is installed) against the same read of a file whose chunks carry no
checksum to verify (``_checksum.chunk`` replaced by a constant for both the
write and the read), best of 200 reads each.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
import zlib
from collections.abc import Callable
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

from itil_ci.register import Register, _checksum

N = 1_000_000
REPEATS = 3


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    start = np.datetime64("2026-01-01T00:00:00", "ns").astype(np.int64)
    t = start + np.cumsum(rng.integers(1, 60_000_000_000, N))
    return t.view("datetime64[ns]"), rng.gamma(2.0, 3.0, N)


def _bare_connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("CREATE TABLE IF NOT EXISTS obs (kpi_key TEXT, t INTEGER, v REAL, source TEXT)")
    return con


def _dims_figures(tmp: Path, times: np.ndarray, values: np.ndarray) -> None:
    services = np.array([f"service{i}" for i in range(10)])[
        np.random.default_rng(1).integers(0, 10, N)
    ]
    ours_rec, base_rec, ours_get, base_get = [], [], [], []
    for r in range(REPEATS):
        reg = Register.open(tmp / f"dims{r}.sqlite")
        t0 = time.perf_counter()
        reg.record("load", times, values, source="monitoring", dims={"service": services})
        ours_rec.append(time.perf_counter() - t0)
        reg.close()
        con = sqlite3.connect(tmp / f"bare_dims{r}.sqlite", isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=FULL")
        con.execute("CREATE TABLE obs (kpi_key TEXT, t INTEGER, v REAL, source TEXT, service TEXT)")
        con.execute("CREATE INDEX obs_service ON obs (kpi_key, service)")
        t0 = time.perf_counter()
        rows = zip(
            repeat("load"),
            times.view(np.int64).tolist(),
            values.tolist(),
            repeat("monitoring"),
            services.tolist(),
            strict=False,
        )
        con.execute("BEGIN IMMEDIATE")
        con.executemany("INSERT INTO obs VALUES (?, ?, ?, ?, ?)", rows)
        con.execute("COMMIT")
        base_rec.append(time.perf_counter() - t0)
        con.close()
    reg = Register.open(tmp / "dims0.sqlite")
    con = sqlite3.connect(tmp / "bare_dims0.sqlite")
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        s = reg.series("load", filters={"service": "service3"})
        ours_get.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        got = con.execute(
            "SELECT t, v FROM obs WHERE kpi_key = ? AND service = ?", ("load", "service3")
        ).fetchall()
        base_get.append(time.perf_counter() - t0)
    assert len(s) == len(got) == int((services == "service3").sum())
    assert np.array_equal(s.values, values[services == "service3"])
    reg.close()
    con.close()
    o, b = min(ours_rec), min(base_rec)
    print(f"register_record_dims_1e6: ours {o:.3f} s, baseline {b:.3f} s, ratio {o / b:.3f}")
    o, b = min(ours_get), min(base_get)
    print(f"register_series_filter_1e6: ours {o:.3f} s, baseline {b:.3f} s, ratio {o / b:.3f}")


def _filtered_read(path: Path, times: np.ndarray, values: np.ndarray, dims: Any) -> float:
    with Register.open(path) as reg:
        reg.record("load", times, values, source="monitoring", dims={"service": dims})
        runs = []
        for _ in range(200):
            t0 = time.perf_counter()
            reg.series("load", filters={"service": "service3"})
            runs.append(time.perf_counter() - t0)
    return min(runs)


def _checksum_cost(tmp: Path, times: np.ndarray, values: np.ndarray) -> None:
    services = np.array([f"service{i}" for i in range(10)])[
        np.random.default_rng(1).integers(0, 10, N)
    ]
    crc, chunk = _checksum.crc32, _checksum.chunk
    impls: dict[str, Callable[..., int]] = {"zlib": zlib.crc32}
    try:
        from zlib_ng import zlib_ng

        impls["zlib-ng"] = zlib_ng.crc32
    except ImportError:
        print("register_series_filter_checksum (zlib-ng): not installed (itil-ci[fast])")
    try:
        _checksum.chunk = lambda *a: 0
        bare = _filtered_read(tmp / "nocrc.sqlite", times, values, services)
        _checksum.chunk = chunk
        for name, impl in impls.items():
            _checksum.crc32 = impl
            ours = _filtered_read(tmp / f"{name}.sqlite", times, values, services)
            print(
                f"register_series_filter_checksum ({name}): ours {ours * 1e3:.3f} ms, "
                f"baseline (no verification) {bare * 1e3:.3f} ms, ratio {ours / bare:.3f} "
                "(target <= 1.10)"
            )
    finally:
        _checksum.crc32, _checksum.chunk = crc, chunk


def main() -> None:
    times, values = _data()
    ours_rec, base_rec, ours_get, base_get = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(REPEATS):
            reg = Register.open(Path(tmp) / f"ours{r}.sqlite")
            t0 = time.perf_counter()
            reg.record("load", times, values, source="monitoring")
            ours_rec.append(time.perf_counter() - t0)
            reg.close()

            con = _bare_connect(Path(tmp) / f"bare{r}.sqlite")
            t0 = time.perf_counter()
            rows = zip(
                repeat("load"),
                times.view(np.int64).tolist(),
                values.tolist(),
                repeat("monitoring"),
                strict=False,
            )
            con.execute("BEGIN IMMEDIATE")
            con.executemany("INSERT INTO obs VALUES (?, ?, ?, ?)", rows)
            con.execute("COMMIT")
            base_rec.append(time.perf_counter() - t0)
            con.close()

        reg = Register.open(Path(tmp) / "ours0.sqlite")
        con = _bare_connect(Path(tmp) / "bare0.sqlite")
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            s = reg.series("load")
            ours_get.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            got = con.execute("SELECT t, v FROM obs WHERE kpi_key = ?", ("load",)).fetchall()
            base_get.append(time.perf_counter() - t0)
        assert len(s) == N == len(got)
        assert np.array_equal(s.values, values)
        reg.close()
        con.close()
        _dims_figures(Path(tmp), times, values)
        _checksum_cost(Path(tmp), times, values)
    o, b = min(ours_rec), min(base_rec)
    print(f"register_record_1e6: ours {o:.3f} s, baseline {b:.3f} s, ratio {o / b:.3f}")
    o, b = min(ours_get), min(base_get)
    print(f"register_series_1e6: ours {o:.3f} s, baseline {b:.3f} s, ratio {o / b:.3f}")


if __name__ == "__main__":
    main()
