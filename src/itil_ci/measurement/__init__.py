"""The measurement core: baselines, evaluation, control charts, trends, comparisons.

Pure functions over numpy arrays that return small frozen result records,
each saying how it was computed.  See ``docs/measurement.md``.
"""

from itil_ci.domain.results import (
    Comparison,
    Evaluation,
    Signal,
    SignalKind,
    Status,
    Trend,
    TrendVerdict,
    Verdict,
)
from itil_ci.measurement.aggregate import AggregateResult, aggregate
from itil_ci.measurement.baseline import baseline, evaluate
from itil_ci.measurement.compare import compare, mann_whitney
from itil_ci.measurement.spc import CONSTANTS, ChartStage, ControlChart, signals, xmr

__all__ = [
    "CONSTANTS",
    "AggregateResult",
    "ChartStage",
    "Comparison",
    "ControlChart",
    "Evaluation",
    "Signal",
    "SignalKind",
    "Status",
    "Trend",
    "TrendVerdict",
    "Verdict",
    "aggregate",
    "baseline",
    "compare",
    "evaluate",
    "mann_whitney",
    "signals",
    "xmr",
]
