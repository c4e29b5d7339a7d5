"""Open a register of 100,000 initiatives, list the overdue ones and count them per step.

Ours: ``Register.open`` + ``reg.initiatives(overdue=True)`` (decoded by the
codec into Initiative objects) + ``reg.step_counts()``; the target is under
2 s.  Baseline, in the same run on the same file: bare ``sqlite3`` running the
same two indexed queries and ``json.loads`` of each overdue document (plain
dicts, no validation).  The file is built once through the register (not
timed).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np

from itil_ci import KPI, Action, Initiative, Target
from itil_ci.domain.initiative import STEPS
from itil_ci.register import Register

N = 100_000
TODAY = dt.date(2026, 6, 1)
REPEATS = 3


def _build(path: Path) -> int:
    rng = np.random.default_rng(1)
    models = ["itil4", "seven-step", "pdca"]
    reg = Register.open(path)
    with reg.transaction():
        for i in range(N):
            model = models[i % 3]
            steps = STEPS[Initiative(title="x", model=model).model]
            step = steps[int(rng.integers(0, len(steps)))]
            due = TODAY + dt.timedelta(days=int(rng.integers(-30, 900)))
            reg.log(
                Initiative(
                    f"Initiative {i}",
                    id=f"ini-{i:06d}",
                    model=model,
                    step=step,
                    owner="ops",
                    plan=[Action("first action", due=due), Action("second", done=True)],
                    kpis=[KPI("mttr", direction="lower", target=Target(4.0, tolerance=0.5))],
                )
            )
    late = len(reg.initiatives(overdue=True, today=TODAY))
    reg.close()
    return late


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.sqlite"
        t0 = time.perf_counter()
        late = _build(path)
        build = time.perf_counter() - t0
        ours, base = [], []
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            reg = Register.open(path)
            overdue = reg.initiatives(overdue=True, today=TODAY)
            counts = reg.step_counts()
            reg.close()
            ours.append(time.perf_counter() - t0)

            t0 = time.perf_counter()
            con = sqlite3.connect(path)
            docs = [
                json.loads(d)
                for (d,) in con.execute(
                    "SELECT document FROM initiatives WHERE open = 1 AND due < ? ORDER BY id",
                    (TODAY.isoformat(),),
                )
            ]
            raw = dict(con.execute("SELECT step, count(*) FROM initiatives GROUP BY step"))
            con.close()
            base.append(time.perf_counter() - t0)
        assert len(overdue) == len(docs) == late
        assert sum(counts.values()) == sum(raw.values()) == N
    o, b = min(ours), min(base)
    print(f"# built {N} initiatives in {build:.1f} s; {late} overdue")
    print(
        f"register_open_overdue_counts_1e5: ours {o:.3f} s, baseline {b:.3f} s, ratio {o / b:.3f}"
    )


if __name__ == "__main__":
    main()
