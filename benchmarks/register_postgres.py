"""The register on PostgreSQL: observations in and out, and the questions of a big register.

Needs a PostgreSQL server: ``eval "$(.ci/postgres start)"`` starts a
throwaway one on a unix socket and exports its URL as
``ITIL_CI_TEST_POSTGRES`` (``.ci/postgres stop`` removes it); any other
server works through that variable (or ``ITIL_CI_BENCH_POSTGRES``).  The
script works in a schema of its own, dropped at the end.  Every ratio is
against a baseline run in the same process on the same server.

- ``register_pg_record_1e6``: ``reg.record`` of 1,000,000 observations
  (chunks of 65,536 as two ``bytea`` each, one binary ``COPY``) against a bare
  psycopg ``COPY ... FROM STDIN (FORMAT BINARY)`` of the same rows into a
  plain ``(kpi_key, source, t, v)`` table, the faster of two ways of feeding
  it (``write_row`` per row, or the whole binary stream built with numpy);
  building the rows is part of the baseline, as a caller must do it.
- ``register_pg_series_1e6``: ``reg.series`` of those observations (in time
  order) against the faster of a bare ``COPY (SELECT t, v ...) TO STDOUT
  (FORMAT BINARY)`` parsed with numpy and a bare binary ``fetchall`` of the
  same rows (in whatever order the server returns them).
- ``register_pg_open_overdue_counts_1e5``: open a register of 100,000
  initiatives, list the overdue ones (decoded) and count them per step, on
  PostgreSQL against the same on SQLite (the same register, copied).
- ``register_pg_copy_1e5``: ``itil_ci.register.copy`` of that register from
  SQLite to PostgreSQL (verified) against ``import_json(export_json())``
  (not verified).
"""

from __future__ import annotations

import os
import struct
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

import numpy as np

from itil_ci.register import Register, copy

sys.path.insert(0, str(Path(__file__).resolve().parent))
from register_questions import TODAY, _build

N = 1_000_000
REPEATS = 3


def _url() -> str | None:
    return os.environ.get("ITIL_CI_BENCH_POSTGRES") or os.environ.get("ITIL_CI_TEST_POSTGRES")


def _in_schema(url: str, schema: str) -> str:
    options = urllib.parse.quote(f"-csearch_path={schema}")
    return f"{url}{'&' if '?' in url else '?'}options={options}"


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    start = np.datetime64("2026-01-01T00:00:00", "ns").astype(np.int64)
    t = start + np.cumsum(rng.integers(1, 60_000_000_000, N))
    return t.view("datetime64[ns]"), rng.gamma(2.0, 3.0, N)


_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)


def _stream(t: np.ndarray, v: np.ndarray) -> bytes:
    """The binary COPY stream of rows (kpi_key, source, t, v), built with numpy."""
    key, src = b"load", b"monitoring"
    row = np.dtype(
        [
            ("n", ">i2"),
            ("l1", ">i4"),
            ("k", f"S{len(key)}"),
            ("l2", ">i4"),
            ("s", f"S{len(src)}"),
            ("l3", ">i4"),
            ("t", ">i8"),
            ("l4", ">i4"),
            ("v", ">f8"),
        ]
    )
    rows = np.empty(t.size, dtype=row)
    rows["n"], rows["l1"], rows["k"], rows["l2"], rows["s"] = 4, len(key), key, len(src), src
    rows["l3"], rows["t"], rows["l4"], rows["v"] = 8, t.view(np.int64), 8, v
    return _HEADER + rows.tobytes() + struct.pack(">h", -1)


def _bare_copy_in(con: Any, t: np.ndarray, v: np.ndarray, *, numpy_stream: bool) -> None:
    con.execute("TRUNCATE obs")
    with (
        con.transaction(),
        con.cursor() as cur,
        cur.copy("COPY obs (kpi_key, source, t, v) FROM STDIN (FORMAT BINARY)") as cp,
    ):
        if numpy_stream:
            cp.write(_stream(t, v))
        else:
            cp.set_types(["text", "text", "int8", "float8"])
            n = t.size
            for row in zip(
                ["load"] * n, ["monitoring"] * n, t.view(np.int64).tolist(), v.tolist(), strict=True
            ):
                cp.write_row(row)


def _bare_copy_out(con: Any) -> tuple[np.ndarray, np.ndarray]:
    parts = []
    with (
        con.cursor() as cur,
        cur.copy(
            "COPY (SELECT t, v FROM obs WHERE kpi_key = 'load') TO STDOUT (FORMAT BINARY)"
        ) as cp,
    ):
        parts.extend(cp)
    body = b"".join(parts)[len(_HEADER) : -2]
    row = np.dtype([("n", ">i2"), ("l1", ">i4"), ("t", ">i8"), ("l2", ">i4"), ("v", ">f8")])
    rows = np.frombuffer(body, dtype=row)
    return rows["t"].astype(np.int64), rows["v"].astype(np.float64)


def _timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def _observations(url: str, con: Any) -> None:
    times, values = _data()
    con.execute("CREATE TABLE obs (kpi_key text, source text, t bigint, v float8)")
    ours_rec, base_rec, ours_get, base_get = [], [], [], []
    reg = Register.open(url)
    for r in range(REPEATS):
        ours_rec.append(_timed(reg.record, f"load{r}", times, values, source="monitoring")[0])
        base_rec.append(
            min(
                _timed(_bare_copy_in, con, times, values, numpy_stream=True)[0],
                _timed(_bare_copy_in, con, times, values, numpy_stream=False)[0],
            )
        )
    for _ in range(REPEATS):
        took, s = _timed(reg.series, "load0")
        ours_get.append(took)
        took_copy, (t_back, v_back) = _timed(_bare_copy_out, con)
        took_fetch, rows = _timed(
            lambda: con.execute(
                "SELECT t, v FROM obs WHERE kpi_key = 'load'", binary=True
            ).fetchall()
        )
        base_get.append(min(took_copy, took_fetch))
        assert len(s) == N == len(rows) == t_back.size
        assert np.array_equal(s.values, values)
        # a bare query without ORDER BY returns the rows in any order (a synchronised scan
        # may start mid-table); the register returns them in time order
        assert np.array_equal(v_back[np.argsort(t_back, kind="stable")], values)
    reg.close()
    o, b = min(ours_rec), min(base_rec)
    print(f"register_pg_record_1e6: ours {o:.3f} s, baseline {b:.3f} s, ratio {o / b:.3f}")
    o, b = min(ours_get), min(base_get)
    print(f"register_pg_series_1e6: ours {o:.3f} s, baseline {b:.3f} s, ratio {o / b:.3f}")


def _questions(url: str, json_url: str, tmp: Path) -> None:
    path = tmp / "big.sqlite"
    build, late = _timed(_build, path)
    print(f"# built {late} overdue of 100000 initiatives in SQLite in {build:.1f} s")
    ours_copy, summary = _timed(copy, path, url)
    with Register.open(path) as src, Register.open(json_url) as dst:
        base_copy, _ = _timed(lambda: dst.import_json(src.export_json()))
    assert summary.initiatives == 100_000
    print(
        f"register_pg_copy_1e5: ours {ours_copy:.3f} s, baseline {base_copy:.3f} s, "
        f"ratio {ours_copy / base_copy:.3f}"
    )

    def ask(target: str | Path) -> tuple[int, int]:
        with Register.open(target) as reg:
            overdue = reg.initiatives(overdue=True, today=TODAY)
            counts = reg.step_counts()
        return len(overdue), sum(counts.values())

    ours, base = [], []
    for _ in range(REPEATS):
        took, on_pg = _timed(ask, url)
        ours.append(took)
        took, on_sqlite = _timed(ask, path)
        base.append(took)
        assert on_pg == on_sqlite == (late, 100_000)
    o, b = min(ours), min(base)
    print(
        f"register_pg_open_overdue_counts_1e5: ours {o:.3f} s, baseline {b:.3f} s (SQLite), "
        f"ratio {o / b:.3f}"
    )


def main() -> int:
    base_url = _url()
    if not base_url:
        print(
            '# register_postgres: no server; start one with `eval "$(.ci/postgres start)"` '
            "(it exports ITIL_CI_TEST_POSTGRES) and run this again"
        )
        return 0
    import psycopg

    schema = f"bench_{os.getpid()}"  # the register's; the bare table and the JSON copy
    bare, json_schema = f"{schema}_bare", f"{schema}_json"  # each have a schema of their own
    with psycopg.connect(base_url, autocommit=True) as admin:
        for name in (schema, bare, json_schema):
            admin.execute(f"CREATE SCHEMA {name}")
        try:
            url = _in_schema(base_url, schema)
            with psycopg.connect(_in_schema(base_url, bare), autocommit=True) as con:
                _observations(url, con)
            admin.execute(f"DROP SCHEMA {schema} CASCADE; CREATE SCHEMA {schema}")
            with tempfile.TemporaryDirectory() as tmp:
                _questions(url, _in_schema(base_url, json_schema), Path(tmp))
        finally:
            for name in (schema, bare, json_schema):
                admin.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
    return 0


if __name__ == "__main__":
    sys.exit(main())
