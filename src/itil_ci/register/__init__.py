"""The continual improvement register and its stores.

:class:`Register` holds opportunities, initiatives, KPIs, baselines and
measured series between runs, over a :class:`Store`: SQLite (the embedded
default, :meth:`Register.open` of a path), PostgreSQL (a register shared by
many services, :meth:`Register.open` of a ``postgresql://`` URL, with the
``postgres`` extra) or memory (:meth:`Register.in_memory`).  :func:`copy`
copies a whole register from one store to another.  See
``docs/register.md`` and ``docs/postgres.md``.

Examples:
    >>> from itil_ci.register import Register
    >>> with Register.open(":memory:") as reg:
    ...     reg.step_counts()
    {}
"""

from itil_ci.register._copy import copy
from itil_ci.register._memory import MemoryStore
from itil_ci.register._postgres import PostgresStore
from itil_ci.register._schema import SCHEMA_VERSION
from itil_ci.register._sqlite import SQLiteStore
from itil_ci.register.derivation import Derivation, Provenance, TicketImport, TicketMeasure
from itil_ci.register.records import (
    CopySummary,
    Drift,
    KPIOutcome,
    RecordedSeries,
    RegisterExport,
)
from itil_ci.register.register import Register
from itil_ci.register.store import Damaged, Listed, Store

__all__ = [
    "SCHEMA_VERSION",
    "CopySummary",
    "Damaged",
    "Derivation",
    "Drift",
    "KPIOutcome",
    "Listed",
    "MemoryStore",
    "PostgresStore",
    "Provenance",
    "RecordedSeries",
    "Register",
    "RegisterExport",
    "SQLiteStore",
    "Store",
    "TicketImport",
    "TicketMeasure",
    "copy",
]
