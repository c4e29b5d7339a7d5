"""Tickets kept in the register: 1,000,000 synthetic tickets in SQLite.

- **store**: ``reg.import_tickets`` of the table (no KPI derived) against
  writing the same table to Parquet with pyarrow (``Tickets.to_parquet``),
  the usual columnar file a pipeline would keep;
- **re-import**: importing the same tickets again (each kept by id, the
  latest version winning) against pandas doing the same merge on the same
  columns (``concat``, ``sort_values`` by id and update count,
  ``drop_duplicates(keep="last")``) and writing Parquet;
- **read**: ``reg.tickets()`` against ``Tickets.from_parquet``;
- **derive**: 25 daily KPIs (5 metrics x 5 services) derived and stored
  against the same five calls of the measurement core without storing them.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import itil_ci as ic
from itil_ci.measurement import itsm
from itil_ci.register import Register

N = 1_000_000


def _line(name: str, ours: float, base: float) -> None:
    print(f"{name}: ours {ours:.2f} s, baseline {base:.2f} s, ratio {ours / base:.2f}", flush=True)


def main() -> int:
    t = ic.generate_tickets(N, seed=1)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        reg = Register.open(tmp / "r.sqlite")
        t0 = time.perf_counter()
        reg.import_tickets(t, metrics=[])
        ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        t.to_parquet(tmp / "t.parquet")
        base = time.perf_counter() - t0
        _line(f"store {N:,} tickets", ours, base)

        t0 = time.perf_counter()
        reg.import_tickets(t, metrics=[])
        ours = time.perf_counter() - t0
        df = t.to_pandas()
        t0 = time.perf_counter()
        both = (
            __import__("pandas")
            .concat([df, df], ignore_index=True)
            .sort_values(["id", "update_count"], kind="stable")
            .drop_duplicates("id", keep="last")
        )
        ic.Tickets.from_arrow(both).to_parquet(tmp / "t2.parquet")
        base = time.perf_counter() - t0
        _line(f"re-import {N:,} tickets (latest wins)", ours, base)

        t0 = time.perf_counter()
        back = reg.tickets()
        ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        ic.Tickets.from_parquet(tmp / "t.parquet")
        base = time.perf_counter() - t0
        _line(f"read {N:,} tickets", ours, base)
        assert back == t

        t0 = time.perf_counter()
        reg.import_tickets(t, by=["service"])
        ours = time.perf_counter() - t0
        resolved = ~__import__("numpy").isnat(t.resolved)
        t0 = time.perf_counter()
        itsm.mttr(t.opened, t.resolved, by=t.service, period="day")
        itsm.mtta(t.opened, t.acknowledged, by=t.service, period="day")
        itsm.sla_attainment(t.opened, t.resolved, met=t.sla_met, by=t.service, period="day")
        itsm.first_contact_resolution(
            t.first_contact, resolved=resolved, by=t.service, period="day", times=t.opened
        )
        itsm.reopen_rate(
            t.reopen_count, resolved=resolved, by=t.service, period="day", times=t.opened
        )
        base = time.perf_counter() - t0
        _line("import again and derive 25 daily KPIs", ours, base)
        reg.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
