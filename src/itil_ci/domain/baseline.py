"""A baseline: where a KPI stood before an improvement, with its provenance."""

from __future__ import annotations

import datetime as dt

import attrs

from itil_ci._internal import display
from itil_ci._internal import validate as v
from itil_ci.domain.kpi import Aggregation, _c_aggregation, _v_aggregation

__all__ = ["Baseline"]


def _v_key(inst: Baseline, attribute: attrs.Attribute[str], value: object) -> None:
    v.text("Baseline.kpi_key", value, allow_empty=False)


@attrs.frozen
class Baseline:
    """The value of a KPI over a window, and how it was obtained.

    ``value`` is the KPI's own aggregation over the window; ``mean``,
    ``median``, ``p90`` and ``std`` describe the same observations so a
    report can show their spread.  ``filters`` records the slice of the data
    (e.g. ``{"service": "email"}``).  Usually built by
    :func:`itil_ci.measurement.baseline` rather than by hand.

    Examples:
        >>> import datetime as dt
        >>> b = Baseline("mttr", 5.2, start=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        ...              end=dt.datetime(2026, 4, 1, tzinfo=dt.UTC), n=120)
        >>> b.value, b.n, str(b.aggregation)
        (5.2, 120, 'mean')
    """

    kpi_key: str = attrs.field(validator=_v_key)
    value: float = attrs.field(converter=v.c_real, validator=v.v_number())
    start: dt.datetime | None = attrs.field(
        default=None, converter=v.c_aware, validator=v.v_aware(allow_none=True)
    )
    end: dt.datetime | None = attrs.field(
        default=None, converter=v.c_aware, validator=v.v_aware(allow_none=True)
    )
    n: int = attrs.field(default=0, converter=v.c_real)
    aggregation: Aggregation = attrs.field(
        factory=lambda: Aggregation.parse("mean"),
        converter=_c_aggregation,
        validator=_v_aggregation,
    )
    mean: float | None = attrs.field(
        default=None, converter=v.c_real, validator=v.v_number(allow_none=True)
    )
    median: float | None = attrs.field(
        default=None, converter=v.c_real, validator=v.v_number(allow_none=True)
    )
    p90: float | None = attrs.field(
        default=None, converter=v.c_real, validator=v.v_number(allow_none=True)
    )
    std: float | None = attrs.field(
        default=None, converter=v.c_real, validator=v.v_number(minimum=0, allow_none=True)
    )
    captured_at: dt.datetime = attrs.field(
        factory=v.utc_now, converter=v.c_aware, validator=v.v_aware()
    )
    filters: dict[str, str] = attrs.field(
        factory=dict,
        validator=v.v_str_dict(),
        eq=attrs.cmp_using(eq=lambda a, b: a == b),
        hash=False,
    )
    note: str = attrs.field(default="", validator=v.v_text())
    method: str = attrs.field(default="", validator=v.v_text())

    @n.validator
    def _check_n(self, attribute: attrs.Attribute[int], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise v.fail("Baseline.n", "a whole number >= 0", value)

    @end.validator
    def _check_window(
        self, attribute: attrs.Attribute[dt.datetime | None], value: dt.datetime | None
    ) -> None:
        if self.start is not None and value is not None and value < self.start:
            raise v.fail(
                "Baseline.end",
                f"a time not before start ({self.start.isoformat()})",
                value.isoformat(),
            )

    def _repr_html_(self) -> str:
        return display.html(self)
