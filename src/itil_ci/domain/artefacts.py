"""Artefacts the engines' steps produce and store on an initiative.

Each is a small frozen attrs class, so an initiative carries everything its
gates check and can be stored and restored without replaying its history.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import attrs

from itil_ci._internal import display
from itil_ci._internal import validate as v
from itil_ci.domain.kpi import Direction, _c_direction, _v_direction
from itil_ci.domain.results import Comparison

__all__ = [
    "DataRecord",
    "Decision",
    "MeasureGap",
    "PDCARecord",
    "Prediction",
    "Presentation",
    "QualityCheck",
]


class Decision(enum.Enum):
    """The PDCA "act" decision.

    Examples:
        >>> PDCARecord(0, decision="adapt").decision
        <Decision.ADAPT: 'adapt'>
    """

    ADOPT = "adopt"
    ADAPT = "adapt"
    ABANDON = "abandon"


def _c_decision(value: Any) -> Any:
    return v.to_member(Decision, value)


def _v_count(inst: Any, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise v.fail(f"{type(inst).__name__}.{attribute.name}", "a whole number >= 0", value)


def _c_str_tuple(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(value)
    return value


def _v_str_tuple(inst: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    name = f"{type(inst).__name__}.{attribute.name}"
    if not isinstance(value, tuple):
        raise v.fail(name, "a list of strings", value)
    for i, item in enumerate(value):
        v.text(f"{name}[{i}]", item, allow_empty=False)


@attrs.frozen
class Prediction:
    """What a PDCA cycle expects to change, and by how much.

    ``change`` is in the KPI's unit (e.g. ``-1.5`` hours); ``direction`` says
    which way is better when the initiative has no KPI ``kpi_key``.

    Examples:
        >>> Prediction("mttr", -1.5, "Restores get 1.5 h faster", direction="lower").change
        -1.5
    """

    kpi_key: str = attrs.field(validator=v.v_text(allow_empty=False))
    change: float = attrs.field(converter=v.c_real, validator=v.v_number())
    statement: str = attrs.field(default="", validator=v.v_text())
    direction: Direction | None = attrs.field(
        default=None, converter=_c_direction, validator=_v_direction
    )

    def _repr_html_(self) -> str:
        return display.html(self)


@attrs.frozen
class PDCARecord:
    """One plan-do-check-act cycle and what each of its steps produced.

    ``prediction_met`` is the verdict of "check" on the prediction, set by the
    PDCA engine when the comparison is recorded: ``None`` while there is no
    prediction or no comparison; otherwise, for a predicted ``change`` other
    than 0, ``True`` when the comparison's verdict is not
    no-detectable-change, its ``difference`` has the sign of ``change`` and
    ``abs(difference) >= abs(change)`` (a change at least as large as
    predicted, in the predicted direction); for a predicted change of 0,
    ``True`` when the verdict is no-detectable-change.

    Examples:
        >>> PDCARecord(0, objective="Cut restore time").decision is None
        True
    """

    cycle: int = attrs.field(converter=v.c_real, validator=_v_count)
    objective: str = attrs.field(default="", validator=v.v_text())
    prediction: Prediction | None = attrs.field(
        default=None, validator=v.v_instance(Prediction, allow_none=True)
    )
    done: str = attrs.field(default="", validator=v.v_text())
    comparison: Comparison | None = attrs.field(
        default=None, validator=v.v_instance(Comparison, allow_none=True)
    )
    decision: Decision | None = attrs.field(
        default=None,
        converter=_c_decision,
        validator=attrs.validators.optional(v.v_enum(Decision)),
    )
    prediction_met: bool | None = attrs.field(
        default=None, validator=v.v_instance(bool, allow_none=True)
    )

    @property
    def completed(self) -> bool:
        """Whether the cycle reached its "act" decision.

        Examples:
            >>> PDCARecord(0).completed, PDCARecord(0, decision="adopt").completed
            (False, True)
        """
        return self.decision is not None

    def _repr_html_(self) -> str:
        return display.html(self)


@attrs.frozen
class MeasureGap:
    """Seven-step "define what you will measure": what should and what can be measured.

    Examples:
        >>> MeasureGap(should=["mttr", "csat"], can=["mttr"]).gap
        ('csat',)
    """

    should: tuple[str, ...] = attrs.field(converter=_c_str_tuple, validator=_v_str_tuple)
    can: tuple[str, ...] = attrs.field(converter=_c_str_tuple, validator=_v_str_tuple)

    @property
    def gap(self) -> tuple[str, ...]:
        """What should be measured but cannot be (yet).

        Examples:
            >>> MeasureGap(should=["mttr", "fcr", "csat"], can=["fcr"]).gap
            ('mttr', 'csat')
            >>> MeasureGap(should=["mttr"], can=["mttr", "fcr"]).gap
            ()
        """
        return tuple(m for m in self.should if m not in self.can)

    def _repr_html_(self) -> str:
        return display.html(self)


@attrs.frozen
class DataRecord:
    """Seven-step "gather the data": where a KPI's data came from and what it covers.

    Examples:
        >>> DataRecord("mttr", source="ServiceNow export", n=120).source
        'ServiceNow export'
    """

    kpi_key: str = attrs.field(validator=v.v_text(allow_empty=False))
    source: str = attrs.field(validator=v.v_text(allow_empty=False))
    n: int = attrs.field(default=0, converter=v.c_real, validator=_v_count)
    start: dt.datetime | None = attrs.field(
        default=None, converter=v.c_aware, validator=v.v_aware(allow_none=True)
    )
    end: dt.datetime | None = attrs.field(
        default=None, converter=v.c_aware, validator=v.v_aware(allow_none=True)
    )

    def _repr_html_(self) -> str:
        return display.html(self)


@attrs.frozen
class QualityCheck:
    """Seven-step "process the data": the data-quality checks done and their counts.

    Examples:
        >>> QualityCheck("mttr", missing=2, duplicates=0, outliers=1).outliers
        1
    """

    kpi_key: str = attrs.field(validator=v.v_text(allow_empty=False))
    missing: int = attrs.field(converter=v.c_real, validator=_v_count)
    duplicates: int = attrs.field(converter=v.c_real, validator=_v_count)
    outliers: int = attrs.field(converter=v.c_real, validator=_v_count)
    note: str = attrs.field(default="", validator=v.v_text())

    def _repr_html_(self) -> str:
        return display.html(self)


@attrs.frozen
class Presentation:
    """Seven-step "present and use the information": who saw which report.

    Examples:
        >>> Presentation(audience=["CAB"], report="Q1 service review").audience
        ('CAB',)
    """

    audience: tuple[str, ...] = attrs.field(converter=_c_str_tuple, validator=_v_str_tuple)
    report: str = attrs.field(validator=v.v_text(allow_empty=False))

    def _repr_html_(self) -> str:
        return display.html(self)
