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
from itil_ci.measurement.calendar import BusinessCalendar
from itil_ci.measurement.compare import compare, mann_whitney
from itil_ci.measurement.itsm import (
    GroupedKPI,
    availability,
    backlog,
    change_success_rate,
    first_contact_resolution,
    mtta,
    mttr,
    reopen_rate,
    sla_attainment,
)
from itil_ci.measurement.pareto import ParetoAnalysis, pareto
from itil_ci.measurement.pauses import Pauses
from itil_ci.measurement.sla import STAGES, SLAStatus, at_risk, business_duration, sla_status
from itil_ci.measurement.sla_definition import SLADefinition
from itil_ci.measurement.spc import (
    CONSTANTS,
    ChartStage,
    ControlChart,
    SignalTable,
    signal_table,
    signals,
    xmr,
)
from itil_ci.measurement.state_time import time_in_state
from itil_ci.measurement.trend import mann_kendall, sen_slope

__all__ = [
    "CONSTANTS",
    "STAGES",
    "AggregateResult",
    "BusinessCalendar",
    "ChartStage",
    "Comparison",
    "ControlChart",
    "Evaluation",
    "GroupedKPI",
    "ParetoAnalysis",
    "Pauses",
    "SLADefinition",
    "SLAStatus",
    "Signal",
    "SignalKind",
    "SignalTable",
    "Status",
    "Trend",
    "TrendVerdict",
    "Verdict",
    "aggregate",
    "at_risk",
    "availability",
    "backlog",
    "baseline",
    "business_duration",
    "change_success_rate",
    "compare",
    "evaluate",
    "first_contact_resolution",
    "mann_kendall",
    "mann_whitney",
    "mtta",
    "mttr",
    "pareto",
    "reopen_rate",
    "sen_slope",
    "signal_table",
    "signals",
    "sla_attainment",
    "sla_status",
    "time_in_state",
    "xmr",
]
