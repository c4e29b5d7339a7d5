"""The domain of continual improvement: attrs value objects and entities."""

from itil_ci.domain.actor import Actor, Role
from itil_ci.domain.artefacts import (
    DataRecord,
    Decision,
    MeasureGap,
    PDCARecord,
    Prediction,
    Presentation,
    QualityCheck,
)
from itil_ci.domain.baseline import Baseline
from itil_ci.domain.initiative import (
    STEPS,
    Action,
    AuditRecord,
    ClosureCode,
    ImprovementModel,
    Initiative,
    Objective,
    Outcome,
    OutcomeCategory,
)
from itil_ci.domain.kpi import (
    CSF,
    KPI,
    Aggregation,
    AggregationMethod,
    Direction,
    MetricType,
    Target,
    ToleranceKind,
)
from itil_ci.domain.opportunity import Opportunity, OpportunitySource, OpportunityStatus, Size
from itil_ci.domain.ranking import Ranking
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
from itil_ci.domain.series import Series

__all__ = [
    "CSF",
    "KPI",
    "STEPS",
    "Action",
    "Actor",
    "Aggregation",
    "AggregationMethod",
    "AuditRecord",
    "Baseline",
    "ClosureCode",
    "Comparison",
    "DataRecord",
    "Decision",
    "Direction",
    "Evaluation",
    "ImprovementModel",
    "Initiative",
    "MeasureGap",
    "MetricType",
    "Objective",
    "Opportunity",
    "OpportunitySource",
    "OpportunityStatus",
    "Outcome",
    "OutcomeCategory",
    "PDCARecord",
    "Prediction",
    "Presentation",
    "QualityCheck",
    "Ranking",
    "Role",
    "Series",
    "Signal",
    "SignalKind",
    "Size",
    "Status",
    "Target",
    "ToleranceKind",
    "Trend",
    "TrendVerdict",
    "Verdict",
]
