"""Serialisation (one cattrs converter, JSON) and ticket data: table, importers, generator."""

from itil_ci.io.codec import SCHEMA_VERSION, converter, from_dict, from_json, to_dict, to_json
from itil_ci.io.history import History
from itil_ci.io.importers import (
    JIRA_FIELDS,
    SERVICENOW_FIELDS,
    SERVICENOW_STATES,
    ImportResult,
    read_csv,
    read_jira,
    read_servicenow,
)
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
