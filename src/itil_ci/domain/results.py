"""Result records of the measurement core that engines store on an initiative.

Each record is a small frozen attrs class that says what was found *and* how
it was computed (``method`` plus the parameters), so a report can cite it.
The verdict-like fields are :class:`enum.Enum` members with string values;
compare them by value (``ev.status.value == "green"``) or by member
(``ev.status is Status.GREEN``).

Examples:
    >>> Status("green") is Status.GREEN
    True
    >>> Verdict.NO_CHANGE.value
    'no-detectable-change'
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable

import attrs
import numpy as np

from itil_ci._internal import display
from itil_ci._internal import validate as v

__all__ = [
    "Comparison",
    "Evaluation",
    "Signal",
    "SignalKind",
    "Status",
    "Trend",
    "TrendVerdict",
    "Verdict",
]


class Status(enum.Enum):
    """Red / amber / green status of a KPI against its target.

    Examples:
        >>> Status.AMBER.value
        'amber'
    """

    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class Verdict(enum.Enum):
    """Outcome of a before/after comparison, judged by the KPI's direction.

    Examples:
        >>> Verdict("improved")
        <Verdict.IMPROVED: 'improved'>
    """

    IMPROVED = "improved"
    WORSENED = "worsened"
    NO_CHANGE = "no-detectable-change"


class TrendVerdict(enum.Enum):
    """Outcome of a trend test (the direction of the values, not good or bad).

    Examples:
        >>> TrendVerdict.NO_TREND.value
        'no-trend'
    """

    INCREASING = "increasing"
    DECREASING = "decreasing"
    NO_TREND = "no-trend"


class SignalKind(enum.Enum):
    """Whether a special-cause signal is good or bad news for the KPI.

    ``neutral`` when the KPI has no direction or the rule has no side (e.g.
    Nelson's alternating rule).

    Examples:
        >>> SignalKind.CONCERN.value
        'concern'
    """

    IMPROVEMENT = "improvement"
    CONCERN = "concern"
    NEUTRAL = "neutral"


def _c_status(value: object) -> object:
    return v.to_member(Status, value)


def _c_verdict(value: object) -> object:
    return v.to_member(Verdict, value)


def _c_trend_verdict(value: object) -> object:
    return v.to_member(TrendVerdict, value)


def _c_kind(value: object) -> object:
    return v.to_member(SignalKind, value)


def _c_int_tuple(value: object) -> object:
    """A list or tuple of whole numbers (numpy integers too) as a tuple of ints.

    Anything else (a string, floats, booleans) is passed on unchanged for the
    validator to refuse: a string is never split into characters and 1.7 is
    never truncated to 1.
    """
    if isinstance(value, list | tuple) or (isinstance(value, np.ndarray) and value.ndim == 1):
        return tuple(v.real(i) for i in value)
    return value


@attrs.frozen
class Evaluation:
    """A KPI's current value judged against its baseline and target.

    ``attainment`` is ``(value - baseline) / (target - baseline)``: 0 at the
    baseline, 1 at the target, above 1 beyond it, below 0 worse than the
    baseline.  ``relative_change`` is ``change / |baseline|`` and is ``None``
    when the baseline is 0.  ``days_to_due`` is negative once the due date has
    passed and ``None`` when the target has no due date.

    Examples:
        >>> ev = Evaluation(kpi_key="mttr", value=4.2, baseline=6.0, target=4.0, change=-1.8,
        ...                 relative_change=-0.3, attainment=0.9, target_met=False, status="amber")
        >>> ev.status.value
        'amber'
    """

    kpi_key: str = attrs.field(validator=v.v_text(allow_empty=False))
    value: float = attrs.field(converter=v.c_real, validator=v.v_number())
    baseline: float = attrs.field(converter=v.c_real, validator=v.v_number())
    target: float = attrs.field(converter=v.c_real, validator=v.v_number())
    change: float = attrs.field(converter=v.c_real, validator=v.v_number())
    relative_change: float | None = attrs.field(
        converter=v.c_real, validator=v.v_number(allow_none=True)
    )
    attainment: float = attrs.field(converter=v.c_real, validator=v.v_number())
    target_met: bool = attrs.field(validator=v.v_instance(bool))
    status: Status = attrs.field(converter=_c_status, validator=v.v_enum(Status))
    direction: str = attrs.field(default="", validator=v.v_text())
    tolerance: float = attrs.field(default=0.0, converter=v.c_real, validator=v.v_number(minimum=0))
    days_to_due: int | None = attrs.field(
        default=None, converter=v.c_real, validator=v.v_whole(allow_none=True)
    )
    n: int = attrs.field(default=0, converter=v.c_real, validator=v.v_whole(minimum=0))
    method: str = attrs.field(default="", validator=v.v_text())

    def _repr_html_(self) -> str:
        return display.html(self)


@attrs.frozen
class Comparison:
    """A before/after comparison of a KPI statistic.

    ``difference`` is ``statistic(after) - statistic(before)`` with the
    confidence interval ``[low, high]``; ``p_value`` is the two-sided
    Mann-Whitney U test (normal approximation with tie and continuity
    correction).

    Examples:
        >>> c = Comparison(difference=-1.5, low=-2.1, high=-0.8, p_value=0.001, verdict="improved")
        >>> c.verdict.value
        'improved'
    """

    difference: float = attrs.field(converter=v.c_real, validator=v.v_number())
    low: float = attrs.field(converter=v.c_real, validator=v.v_number())
    high: float = attrs.field(converter=v.c_real, validator=v.v_number())
    p_value: float = attrs.field(converter=v.c_real, validator=v.v_number(minimum=0))
    verdict: Verdict = attrs.field(converter=_c_verdict, validator=v.v_enum(Verdict))
    before: float = attrs.field(default=0.0, converter=v.c_real, validator=v.v_number())
    after: float = attrs.field(default=0.0, converter=v.c_real, validator=v.v_number())
    n_before: int = attrs.field(default=0, converter=v.c_real, validator=v.v_whole(minimum=0))
    n_after: int = attrs.field(default=0, converter=v.c_real, validator=v.v_whole(minimum=0))
    statistic: str = attrs.field(default="mean", validator=v.v_text())
    direction: str = attrs.field(default="", validator=v.v_text())
    confidence: float = attrs.field(default=0.95, converter=v.c_real, validator=v.v_number())
    resamples: int = attrs.field(default=0, converter=v.c_real, validator=v.v_whole(minimum=0))
    seed: int | None = attrs.field(
        default=None, converter=v.c_real, validator=v.v_whole(minimum=0, allow_none=True)
    )
    method: str = attrs.field(default="", validator=v.v_text())

    def _repr_html_(self) -> str:
        return display.html(self)


@attrs.frozen
class Trend:
    """A Mann-Kendall trend test with Sen's slope.

    ``slope`` is Sen's slope in value units per ``slope_unit`` (``"index"``
    when no times were given, else ``"day"``); ``intercept`` is the value of
    the fitted line at the first observation (index 0 or the first time).

    Examples:
        >>> t = Trend(n=5, s=8, var_s=16.67, z=1.71, p=0.086, tau_a=0.8, tau_b=0.8,
        ...           slope=1.0, intercept=0.0, verdict="no-trend")
        >>> t.verdict.value
        'no-trend'
    """

    n: int = attrs.field(converter=v.c_real, validator=v.v_whole(minimum=0))
    s: int = attrs.field(converter=v.c_real, validator=v.v_whole())
    var_s: float = attrs.field(converter=v.c_real, validator=v.v_number(minimum=0))
    z: float = attrs.field(converter=v.c_real, validator=v.v_number())
    p: float = attrs.field(converter=v.c_real, validator=v.v_number(minimum=0))
    tau_a: float = attrs.field(converter=v.c_real, validator=v.v_number())
    tau_b: float = attrs.field(converter=v.c_real, validator=v.v_number())
    slope: float = attrs.field(converter=v.c_real, validator=v.v_number())
    intercept: float = attrs.field(converter=v.c_real, validator=v.v_number())
    verdict: TrendVerdict = attrs.field(
        converter=_c_trend_verdict, validator=v.v_enum(TrendVerdict)
    )
    alpha: float = attrs.field(default=0.05, converter=v.c_real, validator=v.v_number())
    slope_unit: str = attrs.field(default="index", validator=v.v_text())
    method: str = attrs.field(default="", validator=v.v_text())

    def _repr_html_(self) -> str:
        return display.html(self)


@attrs.frozen
class Signal:
    """A special-cause signal on a control chart.

    ``index`` is the point that completes the pattern (for a run, the point
    where the run reaches its length; for "2 of 3 beyond 2 sigma", the second
    point beyond); ``points`` are all the points that take part, in order.

    Examples:
        >>> s = Signal(rule="we1", index=7, points=(7,), kind="concern")
        >>> s.kind.value, s.points
        ('concern', (7,))
    """

    rule: str = attrs.field(validator=v.v_text(allow_empty=False))
    index: int = attrs.field(converter=v.c_real, validator=v.v_whole(minimum=0))
    points: tuple[int, ...] = attrs.field(converter=_c_int_tuple)
    kind: SignalKind = attrs.field(converter=_c_kind, validator=v.v_enum(SignalKind))
    rule_set: str = attrs.field(default="", validator=v.v_text())
    description: str = attrs.field(default="", validator=v.v_text())

    @points.validator
    def _check_points(self, attribute: attrs.Attribute[tuple[int, ...]], value: object) -> None:
        if not isinstance(value, tuple) or not value:
            raise v.fail("Signal.points", "a non-empty tuple of indices", value)
        for i, item in enumerate(value):
            v.whole(f"Signal.points[{i}]", item, minimum=0)

    def _repr_html_(self) -> str:
        return display.html(self)


def _slot_setter(name: str) -> Callable[[Signal, object], None]:
    """A setter for one field of :class:`Signal` that bypasses the frozen ``__setattr__``."""
    slot = Signal.__dict__.get(name)
    if slot is not None and hasattr(slot, "__set__"):
        setter: Callable[[Signal, object], None] = slot.__set__
        return setter
    return lambda obj, value: object.__setattr__(obj, name, value)  # not slotted


def _trusted_signals(
    rule: Iterable[str],
    index: Iterable[int],
    points: Iterable[tuple[int, ...]],
    kind: Iterable[SignalKind],
    rule_set: str,
    description: Iterable[str],
) -> list[Signal]:
    """Build many Signals, column by column, from values the caller has already validated.

    For code inside the library only: a control chart of a million points can
    yield tens of thousands of signals whose fields the caller computed itself,
    so the public constructor's converters and validators would only re-check
    them.  ``points`` must already be non-empty tuples of ``int`` and ``kind``
    members of :class:`SignalKind`.  The records are ordinary, equal and
    hash-equal to those of ``Signal(...)`` with the same fields.
    """
    set_rule, set_index, set_points, set_kind, set_rule_set, set_description = _SETTERS
    new = object.__new__
    out: list[Signal] = []
    append = out.append
    for r, i, p, k, d in zip(rule, index, points, kind, description, strict=True):
        sig = new(Signal)
        set_rule(sig, r)
        set_index(sig, i)
        set_points(sig, p)
        set_kind(sig, k)
        set_rule_set(sig, rule_set)
        set_description(sig, d)
        append(sig)
    return out


_SETTERS = tuple(
    _slot_setter(name) for name in ("rule", "index", "points", "kind", "rule_set", "description")
)
