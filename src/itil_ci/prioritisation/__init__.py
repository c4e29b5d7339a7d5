"""Prioritisation: which improvements first?

Criteria with weights and directions; scoring models (weighted sum, TOPSIS,
value/effort, WSJF, RICE, ICE, ITIL impact × urgency priority); AHP weights
from pairwise comparisons; ranking with ties; the Pareto front; exact
selection under a budget; and how stable a ranking is when weights are
uncertain.  Every function takes raw numbers or a list of
:class:`~itil_ci.domain.Opportunity` objects with ``keys`` naming where each
input is read from (see ``docs/prioritisation.md``).
"""

from itil_ci.domain.ranking import Ranking
from itil_ci.prioritisation.ahp import RANDOM_INDEX, AHPResult, ahp, random_index
from itil_ci.prioritisation.criteria import (
    Criterion,
    CriterionDirection,
    as_criteria,
    normalised_weights,
)
from itil_ci.prioritisation.models import (
    ITIL_PRIORITY_MATRIX,
    Quadrant,
    ValueEffort,
    ice,
    itil_priority,
    rice,
    value_effort,
    wsjf,
)
from itil_ci.prioritisation.normalise import NORMALISATIONS, normalise
from itil_ci.prioritisation.pareto import pareto_front
from itil_ci.prioritisation.ranking import TIES, rank, top_k
from itil_ci.prioritisation.robustness import Robustness, robustness
from itil_ci.prioritisation.scoring import Explanation, explain, topsis, weighted_sum
from itil_ci.prioritisation.selection import Selection, select

__all__ = [
    "ITIL_PRIORITY_MATRIX",
    "NORMALISATIONS",
    "RANDOM_INDEX",
    "TIES",
    "AHPResult",
    "Criterion",
    "CriterionDirection",
    "Explanation",
    "Quadrant",
    "Ranking",
    "Robustness",
    "Selection",
    "ValueEffort",
    "ahp",
    "as_criteria",
    "explain",
    "ice",
    "itil_priority",
    "normalise",
    "normalised_weights",
    "pareto_front",
    "random_index",
    "rank",
    "rice",
    "robustness",
    "select",
    "top_k",
    "topsis",
    "value_effort",
    "weighted_sum",
    "wsjf",
]
