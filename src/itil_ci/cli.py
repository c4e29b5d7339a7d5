"""The ``itil-ci`` command line (entry point :func:`main`)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence

import numpy as np

import itil_ci as ic
from itil_ci.io import from_json, to_json

__all__ = ["main"]


def _demo(out: list[str]) -> int:
    """A short worked example with the domain model and the codec."""
    rng = np.random.default_rng(7)
    start = np.datetime64("2026-01-01T00:00:00", "ns")
    hours = np.sort(rng.uniform(0, 24 * 180, 2_000))
    times = start + (hours * 3600e9).astype("timedelta64[ns]")
    restore = rng.lognormal(mean=1.6, sigma=0.5, size=times.size)
    series = ic.Series(times, restore, kpi_key="mttr")
    kpi = ic.KPI(
        "mttr",
        name="Mean time to restore service",
        unit="hours",
        direction="lower",
        target=ic.Target(4.0, due=dt.date(2026, 12, 31), tolerance=0.5),
    )
    opp = ic.Opportunity(
        title="Publish known-error articles for e-mail outages",
        source="incident-trend",
        kpis=["mttr"],
        effort=3,
        expected_benefit=8,
    )
    opp.move_to("assessed").move_to("approved")
    ini = ic.Initiative(title="Faster e-mail restores", kpis=[kpi], opportunities=[opp.id])
    back = from_json(to_json(ini), ic.Initiative)
    out.append(f"itil_ci {ic.__version__}: worked example")
    out.append(f"  KPI {kpi.key} ({kpi.name}), complete KPI: {kpi.is_complete}")
    out.append(
        f"  series: {len(series)} observations from {series.start:%Y-%m-%d} "
        f"to {series.end:%Y-%m-%d}, mean {float(series.values.mean()):.2f} h"
    )
    out.append(f"  opportunity {opp.title!r}: {opp.status.value}")
    out.append(f"  initiative {ini.title!r} round-trips through JSON: {back == ini}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Examples:
        >>> main(["demo"])  # doctest: +ELLIPSIS
        itil_ci ...: worked example
        ...
        0
    """
    parser = argparse.ArgumentParser(prog="itil-ci", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("demo", help="run a short worked example end to end")
    args = parser.parse_args(argv)
    if args.command in (None, "demo"):
        lines: list[str] = []
        code = _demo(lines)
        print("\n".join(lines))
        return code
    parser.print_help(sys.stderr)  # pragma: no cover
    return 2  # pragma: no cover
