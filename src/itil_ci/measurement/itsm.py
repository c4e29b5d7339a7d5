"""Standard ITSM KPIs computed from ticket columns, grouped without loops.

Every function takes columns (numpy arrays, pandas columns or sequences) of
the same length, one element per ticket (or outage, or change), and returns a
:class:`GroupedKPI` with one row per group and period.

Conventions (see ``docs/itsm-kpis.md`` for the sources):

* Times are UTC (``datetime64`` arrays are taken as UTC; pandas columns must be
  timezone-aware).  A missing end time (``NaT``, or ``None`` in a list) means
  the ticket is still open: it is left out of durations and counted in the
  ``open`` column (and in :func:`backlog`).  An end before its start is an
  error naming the first bad row; a missing start time is an error.
* Durations are reported in ``unit`` (``"hours"`` by default; also
  ``"seconds"``, ``"minutes"``, ``"days"``, ``"weeks"``).
* ``by=`` is one key column, a sequence of key columns, or a mapping of names
  to key columns (strings, integers, booleans or times).  ``period=`` is
  ``"day"``, ``"week"`` (ISO weeks, starting Monday) or ``"month"``, taken in
  UTC; the period column holds each period's first day (``datetime64[D]``).
  Rows are in sorted key order, the period last.
* Percentiles use numpy's default linear interpolation (Hyndman & Fan type 7):
  ``median`` and ``p90`` of a group equal ``np.percentile(slice, 50)`` and
  ``np.percentile(slice, 90)`` of that group's durations.
* A statistic with nothing to measure (a group whose tickets are all open, a
  service without breaks for MTBF) is ``NaN`` exactly where ``count`` is 0.
"""

from itil_ci.measurement.attainment import sla_attainment
from itil_ci.measurement.durations import mtta, mttr
from itil_ci.measurement.grouped import GroupedKPI
from itil_ci.measurement.rates import change_success_rate, first_contact_resolution, reopen_rate
from itil_ci.measurement.stocks import availability, backlog

__all__ = [
    "GroupedKPI",
    "availability",
    "backlog",
    "change_success_rate",
    "first_contact_resolution",
    "mtta",
    "mttr",
    "reopen_rate",
    "sla_attainment",
]
