"""Series through the JSON codec: 1,000,000 observations out and back.

Baseline: the same document built and read with plain Python (``json`` with
``datetime.isoformat`` per time and a list comprehension per value), which is
what a hand-written serialiser would do.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
from _timing import best

from itil_ci import Series
from itil_ci.io import from_json, to_json

N = 1_000_000


def main() -> None:
    rng = np.random.default_rng(0)
    t = np.datetime64("2025-01-01", "ns") + np.sort(rng.integers(0, 365 * 86_400 * 10**9, N))
    x = rng.lognormal(1.5, 0.6, N)
    s = Series(t, x, kpi_key="mttr")
    text = to_json(s)

    def plain_out() -> str:
        epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        times = [
            (epoch + dt.timedelta(microseconds=int(v) // 1000)).isoformat()
            for v in t.view(np.int64)
        ]
        return json.dumps({"times": times, "values": x.tolist()})

    plain_text = plain_out()

    def plain_in() -> None:
        doc = json.loads(plain_text)
        naive = [dt.datetime.fromisoformat(v).replace(tzinfo=None) for v in doc["times"]]
        np.array(naive, dtype="datetime64[ns]")
        np.array(doc["values"], dtype=float)

    ours = best(lambda: to_json(s))
    base = best(plain_out)
    print(f"series to_json 1e6: ours {ours:.3f} s, baseline {base:.3f} s, ratio {ours / base:.2f}")
    ours = best(lambda: from_json(text, Series))
    base = best(plain_in)
    print(
        f"series from_json 1e6: ours {ours:.3f} s, baseline {base:.3f} s, ratio {ours / base:.2f}"
    )


if __name__ == "__main__":
    main()
