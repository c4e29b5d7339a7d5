"""The continual improvement register and its stores.

:class:`Register` holds opportunities, initiatives, KPIs, baselines and
measured series between runs, over a :class:`Store`: SQLite (the embedded
default, :meth:`Register.open`) or memory (:meth:`Register.in_memory`).
See ``docs/register.md``.

Examples:
    >>> from itil_ci.register import Register
    >>> with Register.open(":memory:") as reg:
    ...     reg.step_counts()
    {}
"""

from itil_ci.register._memory import MemoryStore
from itil_ci.register._schema import SCHEMA_VERSION
from itil_ci.register._sqlite import SQLiteStore
from itil_ci.register.derivation import Derivation, Provenance, TicketImport, TicketMeasure
from itil_ci.register.records import Drift, KPIOutcome, RecordedSeries, RegisterExport
from itil_ci.register.register import Register
from itil_ci.register.store import Damaged, Listed, Store

__all__ = [
    "SCHEMA_VERSION",
    "Damaged",
    "Derivation",
    "Drift",
    "KPIOutcome",
    "Listed",
    "MemoryStore",
    "Provenance",
    "RecordedSeries",
    "Register",
    "RegisterExport",
    "SQLiteStore",
    "Store",
    "TicketImport",
    "TicketMeasure",
]
