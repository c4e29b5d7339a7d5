"""The ITSM KPIs on Dask: the library's numpy kernels per partition, combined exactly.

``from itil_ci import scale`` is the one module of the library that knows
Dask (install it with ``pip install 'itil-ci[dask]'``); ``import itil_ci``
does not import it.  :func:`read_tickets` opens a Parquet dataset of ticket
columns as a dask DataFrame, one partition per directory of a hive-style
layout (``month=2025-01/``); each KPI function takes such a frame and column
names and returns the same :class:`~itil_ci.measurement.GroupedKPI` as the
in-memory function on the same tickets.  :func:`read_history` opens a
dataset of state history; :func:`pauses` finds the pauses of the SLA clock
in it and :func:`time_in_state` measures it, and ``mttr``, ``mtta`` and
``sla_attainment`` run on the SLA clock (``calendar``, ``pauses``,
``as_of``) as in memory.  It runs on the ``distributed.Client`` you made
(any scheduler address), or on Dask's local threads when there is none.
"""

from itil_ci.scale._availability import availability
from itil_ci.scale._backlog import backlog
from itil_ci.scale._durations import mtta, mttr
from itil_ci.scale._history import pauses
from itil_ci.scale._rates import (
    change_success_rate,
    first_contact_resolution,
    reopen_rate,
    sla_attainment,
)
from itil_ci.scale._read import read_history, read_tickets
from itil_ci.scale._run import compute
from itil_ci.scale._state_time import time_in_state

__all__ = [
    "availability",
    "backlog",
    "change_success_rate",
    "compute",
    "first_contact_resolution",
    "mtta",
    "mttr",
    "pauses",
    "read_history",
    "read_tickets",
    "reopen_rate",
    "sla_attainment",
    "time_in_state",
]
