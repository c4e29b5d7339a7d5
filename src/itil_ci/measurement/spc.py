"""XmR control charts (natural process limits) and special-cause rules."""

from itil_ci.measurement._spc_chart import CONSTANTS, ChartStage, ControlChart, xmr
from itil_ci.measurement._spc_rules import SignalTable, signal_table, signals

__all__ = [
    "CONSTANTS",
    "ChartStage",
    "ControlChart",
    "SignalTable",
    "signal_table",
    "signals",
    "xmr",
]
