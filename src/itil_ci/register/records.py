"""Records the register returns: exports, outcomes of closed initiatives, drift.

All are frozen attrs classes, so the codec can write and read them.
"""

from __future__ import annotations

import datetime as dt

import attrs

from itil_ci.domain.baseline import Baseline
from itil_ci.domain.initiative import Initiative
from itil_ci.domain.kpi import KPI
from itil_ci.domain.opportunity import Opportunity
from itil_ci.domain.results import Evaluation, Signal
from itil_ci.domain.series import Series
from itil_ci.register._dims import check_combination

__all__ = ["CopySummary", "Drift", "KPIOutcome", "RecordedSeries", "RegisterExport"]


def _v_dims(instance: object, attribute: attrs.Attribute[dict[str, str]], value: object) -> None:
    check_combination(attribute.name, value)


@attrs.frozen
class RecordedSeries:
    """The observations of one KPI key from one ``source`` (None: unlabelled) with ``dims``.

    ``dims`` are the dimensions shared by these observations (e.g.
    ``{"service": "email"}``; empty for none), as given to
    :meth:`Register.record`.

    Examples:
        >>> import numpy as np
        >>> from itil_ci.domain import Series
        >>> s = Series(np.array(["2026-01-01"], dtype="datetime64[ns]"), [3.0], kpi_key="mttr")
        >>> rs = RecordedSeries(s, source="servicenow", dims={"service": "email"})
        >>> rs.source, rs.dims
        ('servicenow', {'service': 'email'})
    """

    series: Series
    source: str | None = None
    dims: dict[str, str] = attrs.field(
        factory=dict,
        validator=_v_dims,
        eq=attrs.cmp_using(eq=lambda a, b: a == b),
        hash=False,
    )


@attrs.frozen
class RegisterExport:
    """The whole register as one document (see :meth:`Register.export_json`).

    Entities are ordered by id, KPIs by key, baselines oldest first and
    series by KPI key, then source (unlabelled first), then dims (none first,
    then by their canonical JSON).

    Examples:
        >>> RegisterExport().opportunities
        ()
    """

    opportunities: tuple[Opportunity, ...] = ()
    initiatives: tuple[Initiative, ...] = ()
    kpis: tuple[KPI, ...] = ()
    baselines: tuple[Baseline, ...] = ()
    series: tuple[RecordedSeries, ...] = ()


@attrs.frozen
class KPIOutcome:
    """What became of one KPI of a closed initiative (see :meth:`Register.outcomes`).

    ``closed_at`` is when the initiative reached its ``"closed"`` step (from
    its audit trail; its ``updated_at`` when the trail has no such record).
    ``evaluation`` is :func:`itil_ci.measurement.evaluate` of the KPI against
    its baseline over the observations recorded since ``closed_at``: its
    ``value`` is the latest value, ``attainment`` and ``status`` the verdict.
    It is None when something needed is missing, and ``note`` says what.

    Examples:
        >>> import datetime as dt
        >>> o = KPIOutcome("i-1", "mttr", dt.datetime(2026, 5, 1, tzinfo=dt.UTC), None, None,
        ...                note="no baseline")
        >>> o.note
        'no baseline'
    """

    initiative_id: str
    kpi_key: str
    closed_at: dt.datetime
    baseline: Baseline | None
    evaluation: Evaluation | None
    n_after: int = 0
    note: str = ""
    method: str = "itil_ci.measurement.evaluate over observations since closure"


@attrs.frozen
class Drift:
    """Control-chart signals of a KPI after an initiative closed (see :meth:`Register.drifting`).

    The XmR limits come from the first ``limit_points`` observations after
    ``closed_at`` (the improved process); ``signals`` are the special-cause
    signals of ``rules`` on every observation since then whose kind is
    ``concern`` (a move the wrong way for the KPI's direction), or every
    signal when the KPI has no direction.  ``times`` are the times of the
    points completing each signal.

    Examples:
        >>> import datetime as dt
        >>> d = Drift("i-1", "mttr", dt.datetime(2026, 5, 1, tzinfo=dt.UTC), 0.0, 1.0, 0.0,
        ...           (), (), 20, 25)
        >>> d.drifting
        False
    """

    initiative_id: str
    kpi_key: str
    closed_at: dt.datetime
    centre: float
    upper: float
    lower: float
    signals: tuple[Signal, ...]
    times: tuple[dt.datetime, ...]
    limit_points: int
    n_after: int
    rules: str = "western-electric"
    method: str = "itil_ci.measurement.xmr + signals over observations since closure"

    @property
    def drifting(self) -> bool:
        """Whether any signal was found.

        Examples:
            >>> import datetime as dt
            >>> from itil_ci.measurement.spc import signals, xmr
            >>> x = [0.0, 3.5]
            >>> found = tuple(signals(x, xmr(x, centre=0.0, sigma=1.0)))
            >>> at = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
            >>> Drift("i-1", "mttr", at, 0.0, 3.0, -3.0, found, (at,), 2, 2).drifting
            True
        """
        return bool(self.signals)


@attrs.frozen
class CopySummary:
    """What :func:`itil_ci.register.copy` copied, verified on both sides.

    The counts are of the destination as read back after the copy, equal to
    the source's; ``checksum`` is the CRC-32 (hex) of everything copied, in
    a form that does not depend on the store (the codec's JSON of each
    entry, KPI and baseline, the bytes of each series, document and table),
    computed from the source and from the destination, and equal.
    ``replaced`` says whether the destination held something that the copy
    replaced.

    Examples:
        >>> from itil_ci.register import Register, copy
        >>> summary = copy(Register.in_memory(), Register.in_memory())
        >>> summary.opportunities, summary.observations, summary.replaced
        (0, 0, False)
    """

    opportunities: int
    initiatives: int
    kpis: int
    baselines: int
    series: int
    observations: int
    documents: int
    tables: int
    table_bytes: int
    checksum: str
    replaced: bool = False
