"""Serialisation (one cattrs converter, JSON) and ticket data: tables, importers, generator.

One module per source: :mod:`itil_ci.io.csv` (any CSV with a column mapping),
:mod:`itil_ci.io.servicenow` (CSV list exports and event logs, REST JSON),
:mod:`itil_ci.io.jira` (issue search JSON); :mod:`itil_ci.io.arrow` for Arrow
tables and Parquet (the ``arrow`` extra).
"""

from itil_ci._internal.columns import UnknownColumn
from itil_ci.io._result import ImportResult
from itil_ci.io.codec import SCHEMA_VERSION, converter, from_dict, from_json, to_dict, to_json
from itil_ci.io.csv import read_csv
from itil_ci.io.history import History
from itil_ci.io.jira import JIRA_FIELDS, read_jira
from itil_ci.io.servicenow import SERVICENOW_FIELDS, SERVICENOW_STATES, read_servicenow
from itil_ci.io.synthetic import (
    DEFAULT_IMPROVEMENT,
    DEFAULT_SERVICES,
    DEFAULT_SLA_TARGETS,
    Improvement,
    ServiceProfile,
    generate_tickets,
)
from itil_ci.io.tickets import Tickets

__all__ = [
    "DEFAULT_IMPROVEMENT",
    "DEFAULT_SERVICES",
    "DEFAULT_SLA_TARGETS",
    "JIRA_FIELDS",
    "SCHEMA_VERSION",
    "SERVICENOW_FIELDS",
    "SERVICENOW_STATES",
    "History",
    "ImportResult",
    "Improvement",
    "ServiceProfile",
    "Tickets",
    "UnknownColumn",
    "converter",
    "from_dict",
    "from_json",
    "generate_tickets",
    "read_csv",
    "read_jira",
    "read_servicenow",
    "to_dict",
    "to_json",
]
