"""Key performance indicators, their targets and the CSFs they serve."""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import Any

import attrs

from itil_ci._internal import display
from itil_ci._internal import validate as v

__all__ = [
    "CSF",
    "KPI",
    "RATE_UNITS",
    "Aggregation",
    "AggregationMethod",
    "Direction",
    "MetricType",
    "Target",
    "ToleranceKind",
]


class Direction(enum.Enum):
    """Which way a KPI improves.

    The strings ``"higher"``/``"lower"`` are accepted wherever a direction is.

    Examples:
        >>> Direction.parse("higher") is Direction.HIGHER_IS_BETTER
        True
        >>> KPI("mttr", direction="lower").direction
        <Direction.LOWER_IS_BETTER: 'lower-is-better'>
    """

    HIGHER_IS_BETTER = "higher-is-better"
    LOWER_IS_BETTER = "lower-is-better"

    @classmethod
    def parse(cls, value: object) -> Direction:
        """Read a direction from a member, its value, or ``"higher"``/``"lower"``.

        Examples:
            >>> Direction.parse("lower")
            <Direction.LOWER_IS_BETTER: 'lower-is-better'>
        """
        if isinstance(value, str) and value.strip().lower() in ("higher", "lower"):
            return cls(f"{value.strip().lower()}-is-better")
        return v.member("direction", cls, value)

    @property
    def sign(self) -> int:
        """``+1`` when higher is better, ``-1`` when lower is better.

        Examples:
            >>> Direction.LOWER_IS_BETTER.sign
            -1
        """
        return 1 if self is Direction.HIGHER_IS_BETTER else -1


class MetricType(enum.Enum):
    """ITIL's three kinds of metric.

    Examples:
        >>> KPI("cpu", metric_type="technology").metric_type
        <MetricType.TECHNOLOGY: 'technology'>
        >>> KPI("csat").metric_type.value
        'service'
    """

    TECHNOLOGY = "technology"
    PROCESS = "process"
    SERVICE = "service"


def _c_metric_type(value: Any) -> Any:
    return v.to_member(MetricType, value)


class AggregationMethod(enum.Enum):
    """How raw observations become one KPI value.

    Examples:
        >>> Aggregation("median").method
        <AggregationMethod.MEDIAN: 'median'>
    """

    MEAN = "mean"
    MEDIAN = "median"
    PERCENTILE = "percentile"
    PROPORTION = "proportion"
    RATE = "rate"
    SUM = "sum"
    COUNT = "count"


_P_SHORTHAND = re.compile(r"^p(\d+(?:\.\d+)?)$")


def _c_method(value: object) -> object:
    return v.c_enum(AggregationMethod)(value)


@attrs.frozen
class Aggregation:
    """An aggregation method with its parameter.

    ``p`` is required for ``percentile`` (0 to 100) and forbidden otherwise.
    ``per`` is the time unit of a ``rate`` (``"day"`` by default).

    Examples:
        >>> Aggregation.parse("p90")
        Aggregation(method=<AggregationMethod.PERCENTILE: 'percentile'>, p=90.0, per=None)
        >>> Aggregation.parse("median").method.value
        'median'
    """

    method: AggregationMethod = attrs.field(
        converter=_c_method, validator=v.v_enum(AggregationMethod)
    )
    p: float | None = attrs.field(default=None, converter=v.c_real)
    per: str | None = attrs.field(default=None)

    @p.validator
    def _check_p(self, attribute: attrs.Attribute[float | None], value: float | None) -> None:
        if self.method is AggregationMethod.PERCENTILE:
            p = v.number("Aggregation.p", value, minimum=0)
            assert p is not None
            if p > 100:
                raise v.fail("Aggregation.p", "a percentile between 0 and 100", value)
        elif value is not None:
            raise v.fail("Aggregation.p", f"None for method {self.method.value!r}", value)

    @per.validator
    def _check_per(self, attribute: attrs.Attribute[str | None], value: str | None) -> None:
        if value is None:
            return
        if self.method is not AggregationMethod.RATE:
            raise v.fail("Aggregation.per", f"None for method {self.method.value!r}", value)
        if not isinstance(value, str) or value not in RATE_UNITS:
            raise v.fail("Aggregation.per", f"one of {sorted(RATE_UNITS)}", value)

    @classmethod
    def parse(cls, value: object) -> Aggregation:
        """Read an aggregation from an instance, a method name, or ``"pNN"``.

        Examples:
            >>> Aggregation.parse("p95").p
            95.0
            >>> str(Aggregation.parse("sum"))
            'sum'
        """
        if isinstance(value, Aggregation):
            return value
        if isinstance(value, str):
            m = _P_SHORTHAND.match(value.strip().lower())
            if m:
                return cls(AggregationMethod.PERCENTILE, p=float(m.group(1)))
            if value.strip().lower() == "percentile":
                raise v.fail("aggregation", "a percentile with p, e.g. 'p90'", value)
        return cls(v.member("aggregation", AggregationMethod, value))

    def __str__(self) -> str:
        if self.method is AggregationMethod.PERCENTILE:
            return f"p{self.p:g}"
        if self.method is AggregationMethod.RATE:
            return f"rate per {self.per or 'day'}"
        return str(self.method.value)

    def _repr_html_(self) -> str:
        return display.html(self)


#: The time units a rate may be expressed per, in seconds.
RATE_UNITS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0, "week": 7 * 86400.0}


class ToleranceKind(enum.Enum):
    """Whether a tolerance is in the KPI's unit or a fraction of the target.

    Examples:
        >>> Target(10.0, tolerance=0.2, tolerance_kind="relative").tolerance_kind
        <ToleranceKind.RELATIVE: 'relative'>
    """

    ABSOLUTE = "absolute"
    RELATIVE = "relative"


def _c_tolerance_kind(value: Any) -> Any:
    return v.to_member(ToleranceKind, value)


@attrs.frozen
class Target:
    """What a KPI should reach, by when, and how close counts as nearly there.

    ``tolerance`` is the amber band: a value that misses the target by no more
    than the tolerance is amber, further away is red.  With
    ``tolerance_kind="relative"`` it is a fraction of ``|value|``.

    Examples:
        >>> t = Target(4.0, due="2027-03-31", tolerance=0.1, tolerance_kind="relative")
        >>> t.tolerance_width
        0.4
    """

    value: float = attrs.field(converter=v.c_real, validator=v.v_number())
    due: dt.date | None = attrs.field(
        default=None, converter=v.c_date, validator=v.v_date(allow_none=True)
    )
    tolerance: float | None = attrs.field(
        default=None, converter=v.c_real, validator=v.v_number(minimum=0, allow_none=True)
    )
    tolerance_kind: ToleranceKind = attrs.field(
        default=ToleranceKind.ABSOLUTE,
        converter=_c_tolerance_kind,
        validator=v.v_enum(ToleranceKind),
    )

    @property
    def tolerance_width(self) -> float:
        """The tolerance in the KPI's unit (0 when no tolerance is set).

        Examples:
            >>> Target(4.0, tolerance=0.5).tolerance_width
            0.5
            >>> Target(4.0, tolerance=0.25, tolerance_kind="relative").tolerance_width
            1.0
            >>> Target(4.0).tolerance_width
            0.0
        """
        if self.tolerance is None:
            return 0.0
        if self.tolerance_kind is ToleranceKind.RELATIVE:
            return round(self.tolerance * abs(self.value), 12)
        return self.tolerance

    def _repr_html_(self) -> str:
        return display.html(self)


@attrs.frozen
class CSF:
    """A critical success factor: what must go right for an objective.

    Examples:
        >>> CSF("Restore service quickly").name
        'Restore service quickly'
    """

    name: str = attrs.field(validator=v.v_text(allow_empty=False))
    description: str = attrs.field(default="", validator=v.v_text())

    def _repr_html_(self) -> str:
        return display.html(self)


def _c_direction(value: object) -> object:
    if value is None or isinstance(value, Direction):
        return value
    try:
        return Direction.parse(value)
    except Exception:
        return value


def _c_aggregation(value: object) -> object:
    try:
        return Aggregation.parse(value)
    except Exception:
        return value


def _v_direction(inst: KPI, attribute: attrs.Attribute[Direction | None], value: object) -> None:
    if value is not None and not isinstance(value, Direction):
        Direction.parse(value)  # raises the precise error
        raise v.fail("KPI.direction", "a Direction", value)  # pragma: no cover


def _v_aggregation(inst: KPI, attribute: attrs.Attribute[Aggregation], value: object) -> None:
    if not isinstance(value, Aggregation):
        Aggregation.parse(value)  # raises the precise error
        raise v.fail("KPI.aggregation", "an Aggregation", value)  # pragma: no cover


_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:\-]*$")


def _v_key(inst: KPI, attribute: attrs.Attribute[str], value: object) -> None:
    v.text("KPI.key", value, allow_empty=False)
    assert isinstance(value, str)
    if not _KEY.match(value):
        raise v.fail("KPI.key", "letters, digits, '_', '.', ':' or '-' (no spaces)", value)


@attrs.frozen
class KPI:
    """A metric with (ideally) a direction, a target and a tolerance.

    ITIL 4 calls a metric a *key performance indicator* only when it has a
    target, a tolerance and a direction; :attr:`is_complete` says whether this
    one has all three.

    Examples:
        >>> mttr = KPI("mttr", name="Mean time to restore", unit="hours",
        ...            direction="lower", target=Target(4.0, tolerance=0.5))
        >>> mttr.is_complete
        True
        >>> KPI("fcr").is_complete
        False
    """

    key: str = attrs.field(validator=_v_key)
    name: str = attrs.field(default="", validator=v.v_text())
    unit: str = attrs.field(default="", validator=v.v_text())
    direction: Direction | None = attrs.field(
        default=None, converter=_c_direction, validator=_v_direction
    )
    aggregation: Aggregation = attrs.field(
        factory=lambda: Aggregation(AggregationMethod.MEAN),
        converter=_c_aggregation,
        validator=_v_aggregation,
    )
    metric_type: MetricType = attrs.field(
        default=MetricType.SERVICE,
        converter=_c_metric_type,
        validator=v.v_enum(MetricType),
    )
    target: Target | None = attrs.field(
        default=None, validator=v.v_instance(Target, allow_none=True)
    )
    csf: CSF | None = attrs.field(default=None, validator=v.v_instance(CSF, allow_none=True))

    @property
    def is_complete(self) -> bool:
        """True when the KPI has a direction, a target and a tolerance.

        Examples:
            >>> KPI("mttr", direction="lower", target=Target(4.0, tolerance=0.5)).is_complete
            True
            >>> KPI("mttr", direction="lower", target=Target(4.0)).is_complete
            False
        """
        return (
            self.direction is not None
            and self.target is not None
            and self.target.tolerance is not None
        )

    @property
    def label(self) -> str:
        """The name if there is one, else the key.

        Examples:
            >>> KPI("mttr", name="Mean time to restore").label
            'Mean time to restore'
            >>> KPI("mttr").label
            'mttr'
        """
        return self.name or self.key

    def _repr_html_(self) -> str:
        return display.html(self)
