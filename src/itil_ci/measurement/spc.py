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

# Defined in private modules, known by this one (repr, pickles, help()).
for _public in (ChartStage, ControlChart, SignalTable, signal_table, signals, xmr):
    _public.__module__ = __name__
del _public
