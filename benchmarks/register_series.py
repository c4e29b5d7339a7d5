"""Register observations: ``reg.record`` and ``reg.series`` of 1,000,000 rows in SQLite.

Baselines, in the same run and with the same connection settings (WAL,
``synchronous=FULL``, one transaction): a bare ``sqlite3`` ``executemany`` of
the same rows into a plain ``(kpi_key, t, v, source)`` table (building the
row tuples from the numpy arrays is part of the baseline, as a caller must do
it), and a bare ``fetchall`` of those rows (without even turning them into
numpy arrays).
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from itertools import repeat
from pathlib import Path

import numpy as np

from itil_ci.register import Register

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
    o, b = min(ours_rec), min(base_rec)
    print(f"register_record_1e6: ours {o:.3f} s, baseline {b:.3f} s, ratio {o / b:.3f}")
    o, b = min(ours_get), min(base_get)
    print(f"register_series_1e6: ours {o:.3f} s, baseline {b:.3f} s, ratio {o / b:.3f}")


if __name__ == "__main__":
    main()
