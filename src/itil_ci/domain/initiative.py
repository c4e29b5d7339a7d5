"""Improvement initiatives and what they carry: objectives, plan, audit trail, outcome."""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import Any

import attrs

from itil_ci._internal import display
from itil_ci._internal import validate as v
from itil_ci.domain.artefacts import (
    DataRecord,
    MeasureGap,
    PDCARecord,
    Presentation,
    QualityCheck,
)
from itil_ci.domain.baseline import Baseline
from itil_ci.domain.kpi import KPI
from itil_ci.domain.opportunity import Opportunity, OpportunityStatus
from itil_ci.domain.ranking import Ranking
from itil_ci.domain.results import Comparison, Evaluation, Signal, Trend

__all__ = [
    "STEPS",
    "Action",
    "AuditRecord",
    "ClosureCode",
    "ImprovementModel",
    "Initiative",
    "Objective",
    "Outcome",
    "OutcomeCategory",
]


class ImprovementModel(enum.Enum):
    """Which model drives an initiative.

    Examples:
        >>> Initiative(title="Better SLA reporting", model="seven-step").model
        <ImprovementModel.SEVEN_STEP: 'seven-step'>
        >>> STEPS[ImprovementModel.PDCA]
        ('plan', 'do', 'check', 'act', 'closed')
    """

    ITIL4 = "itil4"
    SEVEN_STEP = "seven-step"
    PDCA = "pdca"


#: The steps of each model in order, ending with ``"closed"`` (the engines' states).
STEPS: dict[ImprovementModel, tuple[str, ...]] = {
    ImprovementModel.ITIL4: (
        "vision",
        "current_state",
        "target_state",
        "plan",
        "action",
        "evaluation",
        "momentum",
        "closed",
    ),
    ImprovementModel.SEVEN_STEP: (
        "strategy",
        "define",
        "gather",
        "process",
        "analyse",
        "present",
        "implement",
        "closed",
    ),
    ImprovementModel.PDCA: ("plan", "do", "check", "act", "closed"),
}


def _c_improvement_model(value: Any) -> Any:
    return v.to_member(ImprovementModel, value)


class ClosureCode(enum.Enum):
    """How an initiative ended.

    Examples:
        >>> Outcome("partially-successful").closure
        <ClosureCode.PARTIALLY_SUCCESSFUL: 'partially-successful'>
    """

    SUCCESSFUL = "successful"
    PARTIALLY_SUCCESSFUL = "partially-successful"
    UNSUCCESSFUL = "unsuccessful"
    WITHDRAWN = "withdrawn"


def _c_closure_code(value: Any) -> Any:
    return v.to_member(ClosureCode, value)


class OutcomeCategory(enum.Enum):
    """What kind of benefit an outcome delivered.

    Examples:
        >>> [c.value for c in Outcome("successful", categories=["time", "cost"]).categories]
        ['cost', 'time']
    """

    COST = "cost"
    TIME = "time"
    QUALITY = "quality"
    SATISFACTION = "satisfaction"
    RISK = "risk"
    REVENUE = "revenue"


@attrs.frozen
class Objective:
    """An objective an initiative serves (the link to the vision).

    Examples:
        >>> Objective("Halve the time to restore e-mail", owner="ana").owner
        'ana'
    """

    statement: str = attrs.field(validator=v.v_text(allow_empty=False))
    owner: str = attrs.field(default="", validator=v.v_text())

    def _repr_html_(self) -> str:
        return display.html(self)


@attrs.frozen
class Action:
    """One action of an initiative's plan.

    Examples:
        >>> Action("Publish a knowledge article", owner="li", due="2027-01-15").due.isoformat()
        '2027-01-15'
    """

    title: str = attrs.field(validator=v.v_text(allow_empty=False))
    owner: str = attrs.field(default="", validator=v.v_text())
    due: dt.date | None = attrs.field(
        default=None, converter=v.c_date, validator=v.v_date(allow_none=True)
    )
    done: bool = attrs.field(default=False, validator=v.v_instance(bool))
    evidence: str = attrs.field(default="", validator=v.v_text())

    def _repr_html_(self) -> str:
        return display.html(self)


def _c_categories(value: object) -> object:
    if isinstance(value, list | tuple | set | frozenset):
        try:
            return tuple(
                sorted(
                    (v.member("category", OutcomeCategory, c) for c in value), key=lambda c: c.value
                )
            )
        except Exception:
            return value
    return value


def _v_categories(inst: Outcome, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise v.fail("Outcome.categories", "a list of OutcomeCategory", value)
    for i, item in enumerate(value):
        v.member(f"Outcome.categories[{i}]", OutcomeCategory, item)


@attrs.frozen
class Outcome:
    """The outcome recorded when an initiative closes.

    ``categories`` is a set of benefit kinds kept in one canonical order
    (alphabetical by value), so equal outcomes compare and serialise equally
    whatever order they were given in.

    Examples:
        >>> o = Outcome("successful", categories=["time", "satisfaction"])
        >>> o.closure.value, [c.value for c in o.categories]
        ('successful', ['satisfaction', 'time'])
    """

    closure: ClosureCode = attrs.field(converter=_c_closure_code, validator=v.v_enum(ClosureCode))
    categories: tuple[OutcomeCategory, ...] = attrs.field(
        default=(), converter=_c_categories, validator=_v_categories
    )
    summary: str = attrs.field(default="", validator=v.v_text())

    def _repr_html_(self) -> str:
        return display.html(self)


def _v_seq(inst: Any, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise v.fail(f"{type(inst).__name__}.{attribute.name}", "a whole number >= 0", value)


#: How an audit record is sealed: a plain SHA-256, or an HMAC-SHA256 under a secret key.
_SEALS = ("sha256", "hmac-sha256")


def _v_seal(inst: Any, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or value not in _SEALS:
        raise v.fail(f"{type(inst).__name__}.{attribute.name}", "'sha256' or 'hmac-sha256'", value)


#: What ``AuditRecord.hash`` and ``prev_hash`` hold: a SHA-256 or HMAC-SHA256 hex digest.
_DIGEST = re.compile(r"[0-9a-f]{64}")


def _v_digest(inst: Any, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or (value and _DIGEST.fullmatch(value) is None):
        raise v.fail(
            f"{type(inst).__name__}.{attribute.name}",
            "'' or 64 lower-case hexadecimal digits (a SHA-256 or HMAC-SHA256 digest)",
            value,
        )


def _v_utf8(inst: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """Every text of an audit record must encode as UTF-8: the record's hash is taken over it.

    Checked on the record itself (not only on the engines' arguments) so that
    every way of making one, an engine move or a decoded document alike, is
    refused with the field's name before the record exists.
    """
    name = f"{type(inst).__name__}.{attribute.name}"
    items = value.items() if isinstance(value, dict) else [(None, value)]
    for key, text in items:
        for where, part in (
            (f"{name} key", key),
            (name if key is None else f"{name}[{key!r}]", text),
        ):
            if isinstance(part, str):
                try:
                    part.encode("utf-8")
                except UnicodeEncodeError:
                    raise v.fail(
                        where,
                        "text that encodes as UTF-8 (no lone surrogate such as '\\ud800')",
                        part,
                    ) from None


@attrs.frozen
class AuditRecord:
    """One entry of an initiative's append-only audit trail.

    ``hash`` covers the record's content and ``prev_hash`` (the previous
    record's hash), so editing, removing or reordering a record is detectable.
    ``seal`` says how: ``"sha256"`` (a plain hash anyone can recompute, the
    default and the only kind older documents hold) or ``"hmac-sha256"`` (an
    HMAC under a secret key the engine was given as ``audit_key``, over the
    content and the initiative's id; see :mod:`itil_ci.engines.audit`).
    ``hash`` and ``prev_hash`` are ``""`` or 64 lower-case hex digits, and the
    text fields must encode as UTF-8 (no lone surrogate); anything else raises
    ``InvalidInputError`` naming the field.  Records are written by the engines.

    Examples:
        >>> from itil_ci.engines import start
        >>> record = start(Initiative(title="Shorter queues"), "pdca").history[0]
        >>> record.seq, record.event, record.from_step, record.to_step
        (0, 'start', None, 'plan')
        >>> len(record.hash), record.prev_hash, record.seal
        (64, '', 'sha256')
    """

    seq: int = attrs.field(converter=v.c_real, validator=_v_seq)
    event: str = attrs.field(validator=[v.v_text(allow_empty=False), _v_utf8])
    from_step: str | None = attrs.field(validator=attrs.validators.optional([v.v_text(), _v_utf8]))
    to_step: str = attrs.field(validator=[v.v_text(allow_empty=False), _v_utf8])
    at: dt.datetime = attrs.field(converter=v.c_aware, validator=v.v_aware())
    actor: str = attrs.field(validator=[v.v_text(), _v_utf8])
    note: str = attrs.field(default="", validator=[v.v_text(), _v_utf8])
    reason: str = attrs.field(default="", validator=[v.v_text(), _v_utf8])
    artefacts: dict[str, str] = attrs.field(
        factory=dict, validator=[v.v_str_dict(), _v_utf8], hash=False
    )
    prev_hash: str = attrs.field(default="", validator=_v_digest)
    hash: str = attrs.field(default="", validator=_v_digest)
    seal: str = attrs.field(default="sha256", validator=_v_seal)

    def _repr_html_(self) -> str:
        return display.html(self)


def _touch(inst: Initiative, attribute: attrs.Attribute[object], value: object) -> object:
    if attribute.name not in ("updated_at", "version"):
        object.__setattr__(inst, "updated_at", v.utc_now())
    return value


def _v_baselines(inst: Initiative, attribute: attrs.Attribute[Any], value: object) -> None:
    v.v_str_dict(values=Baseline)(inst, attribute, value)
    assert isinstance(value, dict)
    for key, b in value.items():
        if b.kpi_key != key:
            raise v.fail(f"Initiative.baselines[{key!r}].kpi_key", repr(key), b.kpi_key)


def _v_kpis(inst: Initiative, attribute: attrs.Attribute[Any], value: object) -> None:
    v.v_instances(KPI)(inst, attribute, value)
    assert isinstance(value, list)
    v.unique("Initiative.kpis (keys)", (k.key for k in value))


def _v_step(inst: Initiative, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    model = inst.model if attribute.name == "step" else ImprovementModel.PDCA
    steps = STEPS.get(model, ()) if isinstance(model, ImprovementModel) else ()
    if not isinstance(value, str) or value not in steps:
        raise v.fail(
            f"Initiative.{attribute.name}",
            f"a step of the {getattr(model, 'value', model)!r} model ({', '.join(steps)}) or None",
            value,
        )


def _v_dict_of(cls: type[Any]) -> Any:
    return v.v_str_dict(values=cls)


def _v_signals(inst: Initiative, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, dict):
        raise v.fail("Initiative.signals", "a dict of lists of Signal", value)
    for key, items in value.items():
        v.text("Initiative.signals key", key, allow_empty=False)
        if not isinstance(items, list) or not all(isinstance(s, Signal) for s in items):
            raise v.fail(f"Initiative.signals[{key!r}]", "a list of Signal", items)


@attrs.define(on_setattr=[attrs.setters.convert, attrs.setters.validate, _touch])
class Initiative:
    """An improvement initiative, driven through one of the three models.

    ``step`` is the current step of its engine (None before the engine
    starts; one of :data:`STEPS` for its model, checked on load);
    ``history`` is the audit trail.  The fields from ``vision`` to
    ``presentation`` hold the artefacts the engines' steps produce (results
    of the shared core included) and ``pdca``/``pdca_step`` the PDCA cycles,
    standalone or run inside the ITIL 4 "action" step.  Both are written by
    :mod:`itil_ci.engines`, which keeps the engine's state on the initiative so
    that it can be stored and restored without replaying history.

    Examples:
        >>> ini = Initiative(title="Faster e-mail restores", model="pdca")
        >>> ini.model.value, ini.step, ini.version
        ('pdca', None, 0)
    """

    title: str = attrs.field(validator=v.v_text(allow_empty=False))
    id: str = attrs.field(factory=v.new_id, validator=v.v_text(allow_empty=False), kw_only=True)
    description: str = attrs.field(default="", validator=v.v_text(), kw_only=True)
    opportunities: list[str] = attrs.field(
        factory=list, converter=v.c_list, validator=v.v_str_list(), kw_only=True
    )
    owner: str = attrs.field(default="", validator=v.v_text(), kw_only=True)
    sponsor: str = attrs.field(default="", validator=v.v_text(), kw_only=True)
    objectives: list[Objective] = attrs.field(
        factory=list, converter=v.c_list, validator=v.v_instances(Objective), kw_only=True
    )
    kpis: list[KPI] = attrs.field(factory=list, converter=v.c_list, validator=_v_kpis, kw_only=True)
    baselines: dict[str, Baseline] = attrs.field(factory=dict, validator=_v_baselines, kw_only=True)
    plan: list[Action] = attrs.field(
        factory=list, converter=v.c_list, validator=v.v_instances(Action), kw_only=True
    )
    model: ImprovementModel = attrs.field(
        default=ImprovementModel.ITIL4,
        converter=_c_improvement_model,
        validator=v.v_enum(ImprovementModel),
        kw_only=True,
    )
    step: str | None = attrs.field(default=None, validator=_v_step, kw_only=True)
    cycle: int = attrs.field(default=0, converter=v.c_real, validator=_v_seq, kw_only=True)
    history: list[AuditRecord] = attrs.field(
        factory=list, converter=v.c_list, validator=v.v_instances(AuditRecord), kw_only=True
    )
    outcome: Outcome | None = attrs.field(
        default=None, validator=v.v_instance(Outcome, allow_none=True), kw_only=True
    )
    # -- artefacts written by the engines' steps (see itil_ci.engines) --
    vision: str = attrs.field(default="", validator=v.v_text(), kw_only=True)
    gaps: dict[str, Evaluation] = attrs.field(
        factory=dict, validator=_v_dict_of(Evaluation), kw_only=True
    )
    ranking: Ranking | None = attrs.field(
        default=None, validator=v.v_instance(Ranking, allow_none=True), kw_only=True
    )
    evaluations: dict[str, Evaluation] = attrs.field(
        factory=dict, validator=_v_dict_of(Evaluation), kw_only=True
    )
    comparisons: dict[str, Comparison] = attrs.field(
        factory=dict, validator=_v_dict_of(Comparison), kw_only=True
    )
    lessons: list[str] = attrs.field(
        factory=list, converter=v.c_list, validator=v.v_str_list(), kw_only=True
    )
    remeasure_on: dt.date | None = attrs.field(
        default=None, converter=v.c_date, validator=v.v_date(allow_none=True), kw_only=True
    )
    new_opportunities: list[Opportunity] = attrs.field(
        factory=list, converter=v.c_list, validator=v.v_instances(Opportunity), kw_only=True
    )
    pdca: list[PDCARecord] = attrs.field(
        factory=list, converter=v.c_list, validator=v.v_instances(PDCARecord), kw_only=True
    )
    pdca_step: str | None = attrs.field(default=None, validator=_v_step, kw_only=True)
    measure_gap: MeasureGap | None = attrs.field(
        default=None, validator=v.v_instance(MeasureGap, allow_none=True), kw_only=True
    )
    data: dict[str, DataRecord] = attrs.field(
        factory=dict, validator=_v_dict_of(DataRecord), kw_only=True
    )
    quality: dict[str, QualityCheck] = attrs.field(
        factory=dict, validator=_v_dict_of(QualityCheck), kw_only=True
    )
    trends: dict[str, Trend] = attrs.field(factory=dict, validator=_v_dict_of(Trend), kw_only=True)
    signals: dict[str, list[Signal]] = attrs.field(factory=dict, validator=_v_signals, kw_only=True)
    presentation: Presentation | None = attrs.field(
        default=None, validator=v.v_instance(Presentation, allow_none=True), kw_only=True
    )
    version: int = attrs.field(default=0, converter=v.c_real, validator=_v_seq, kw_only=True)
    created_at: dt.datetime = attrs.field(
        factory=v.utc_now, converter=v.c_aware, validator=v.v_aware(), kw_only=True
    )
    updated_at: dt.datetime = attrs.field(
        factory=v.utc_now, converter=v.c_aware, validator=v.v_aware(), kw_only=True
    )

    @property
    def opportunity_status(self) -> OpportunityStatus | None:
        """The status the initiative's opportunities follow (None before its engine starts).

        In progress while the initiative is open; closed (done) once it
        closed with any outcome but ``withdrawn``; withdrawn when it was
        withdrawn.  :class:`~itil_ci.register.Register` moves the linked
        opportunities along (:meth:`Opportunity.follow`) whenever it stores
        the initiative.

        Examples:
            >>> ini = Initiative(title="Faster e-mail restores", model="pdca")
            >>> print(ini.opportunity_status)
            None
            >>> ini.step = "do"
            >>> ini.opportunity_status.value
            'in-progress'
            >>> ini.step, ini.outcome = "closed", Outcome("withdrawn")
            >>> ini.opportunity_status.value
            'withdrawn'
        """
        if self.step is None:
            return None
        if self.step != "closed":
            return OpportunityStatus.IN_PROGRESS
        if self.outcome is not None and self.outcome.closure is ClosureCode.WITHDRAWN:
            return OpportunityStatus.WITHDRAWN
        return OpportunityStatus.CLOSED

    def kpi(self, key: str) -> KPI:
        """The initiative's KPI with ``key``.

        Examples:
            >>> Initiative(title="x", kpis=[KPI("mttr")]).kpi("mttr").key
            'mttr'
        """
        v.text("key", key)
        for k in self.kpis:
            if k.key == key:
                return k
        from itil_ci.errors import NotFound

        raise NotFound(
            f"initiative {self.id!r} has no KPI {key!r}; it has {[k.key for k in self.kpis]}"
        )

    def _repr_html_(self) -> str:
        return display.html(self)
