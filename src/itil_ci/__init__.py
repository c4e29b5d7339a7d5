"""ITIL continual improvement as a Python library.

The public API is re-exported here; see ``__all__``.

Examples:
    >>> import itil_ci
    >>> itil_ci.KPI("mttr", direction="lower").direction.value
    'lower-is-better'
"""

from itil_ci._version import __version__
from itil_ci.domain import (
    CSF,
    KPI,
    Action,
    Actor,
    Aggregation,
    AggregationMethod,
    AuditRecord,
    Baseline,
    ClosureCode,
    Direction,
    ImprovementModel,
    Initiative,
    MetricType,
    Objective,
    Opportunity,
    OpportunitySource,
    OpportunityStatus,
    Outcome,
    OutcomeCategory,
    Role,
    Series,
    Size,
    Target,
    ToleranceKind,
)
from itil_ci.errors import (
    ConflictError,
    DecodeError,
    InvalidInputError,
    InvalidTransition,
    ItilCiError,
    NotFound,
    PermissionDenied,
    StepBlocked,
    StorageError,
)
from itil_ci.io import from_dict, from_json, to_dict, to_json

__all__ = [
    "CSF",
    "KPI",
    "Action",
    "Actor",
    "Aggregation",
    "AggregationMethod",
    "AuditRecord",
    "Baseline",
    "ClosureCode",
    "ConflictError",
    "DecodeError",
    "Direction",
    "ImprovementModel",
    "Initiative",
    "InvalidInputError",
    "InvalidTransition",
    "ItilCiError",
    "MetricType",
    "NotFound",
    "Objective",
    "Opportunity",
    "OpportunitySource",
    "OpportunityStatus",
    "Outcome",
    "OutcomeCategory",
    "PermissionDenied",
    "Role",
    "Series",
    "Size",
    "StepBlocked",
    "StorageError",
    "Target",
    "ToleranceKind",
    "__version__",
    "from_dict",
    "from_json",
    "to_dict",
    "to_json",
]
