"""XmR chart and Nelson rules over 1,000,000 points against bare numpy arithmetic.

Workload: ``xmr(x)``; ``xmr(x)`` + ``signals(x, chart, "nelson")`` (the
``list[Signal]`` API: every one of the ~15,000 signals a built record); and
``xmr(x)`` + ``signal_table(x, chart, "nelson")`` (the same signals as numpy
columns, no per-signal Python object), on one million normal values.
Baseline: the limits written directly in numpy (mean, mean absolute
difference, centre ± 2.66·mR̄, 3.268·mR̄), which is the least any XmR
implementation must do.  Best of 7 runs each.  The list figure includes
creating ~15,000 records and ~100,000 Python ints for their points, which
alone costs more than twice the baseline; the table figure is the rule
arithmetic itself.
"""

from __future__ import annotations

from collections.abc import Callable

import _timing
import numpy as np

from itil_ci.measurement.spc import signal_table, signals, xmr


def best(fn: Callable[[], object], repeats: int = 7) -> float:
    return _timing.best(fn, repeats=repeats)


def bare_limits(x: np.ndarray) -> tuple[float, float, float, float]:
    centre = float(x.mean())
    mr_bar = float(np.abs(np.diff(x)).mean())
    return centre, centre + 2.66 * mr_bar, centre - 2.66 * mr_bar, 3.268 * mr_bar


def main() -> None:
    x = np.random.default_rng(0).normal(10.0, 2.0, 1_000_000)
    chart = xmr(x)
    ref = bare_limits(x)
    assert np.allclose([chart.centre, chart.upper, chart.lower, chart.mr_upper], ref)
    base = best(lambda: bare_limits(x))
    ours = best(lambda: xmr(x))
    print(f"xmr 1e6 points: ours {ours:.4f} s, baseline {base:.4f} s, ratio {ours / base:.2f}")
    both = best(lambda: signals(x, xmr(x), "nelson"))
    found = len(signals(x, chart, "nelson"))
    print(
        f"xmr + signals(nelson) 1e6 points ({found} signals): ours {both:.4f} s, "
        f"baseline {base:.4f} s, ratio {both / base:.2f}"
    )
    table = best(lambda: signal_table(x, xmr(x), "nelson"))
    assert signal_table(x, chart, "nelson").to_list() == signals(x, chart, "nelson")
    print(
        f"xmr + signal_table(nelson) 1e6 points ({found} signals): ours {table:.4f} s, "
        f"baseline {base:.4f} s, ratio {table / base:.2f}"
    )


if __name__ == "__main__":
    main()
