"""What the register answers through the shared cores (private; mixed into Register).

The ranked backlog (:mod:`itil_ci.prioritisation`), what improved after an
initiative closed, and what drifts back since
(:mod:`itil_ci.measurement`): the arithmetic is the cores', the register
only chooses what to feed them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from itil_ci._internal import validate as v
from itil_ci.domain.baseline import Baseline
from itil_ci.domain.initiative import Initiative
from itil_ci.domain.kpi import KPI
from itil_ci.domain.opportunity import OpportunityStatus
from itil_ci.domain.ranking import Ranking
from itil_ci.domain.series import Series
from itil_ci.errors import InvalidInputError
from itil_ci.register._parts import RegisterPart, as_of
from itil_ci.register.records import Drift, KPIOutcome

__all__ = ["QuestionMethods"]


def _closed_at(ini: Initiative) -> dt.datetime:
    for record in reversed(ini.history):
        if record.to_step == "closed":
            return record.at
    return ini.updated_at


class QuestionMethods(RegisterPart):
    """Register methods that answer questions: priorities, outcomes, drift."""

    # -- questions ----------------------------------------------------------------------

    def prioritised(
        self,
        model: str = "weighted-sum",
        criteria: Any = None,
        *,
        keys: Mapping[str, str] | None = None,
        status: OpportunityStatus | str | Sequence[OpportunityStatus | str] | None = None,
        service: str | Sequence[str] | None = None,
        **options: Any,
    ) -> Ranking:
        """The backlog ranked by a model of :mod:`itil_ci.prioritisation`.

        ``model`` is ``"weighted-sum"`` or ``"topsis"`` (which need
        ``criteria``), or ``"wsjf"``, ``"rice"``, ``"ice"``,
        ``"itil-priority"``; ``keys`` maps the model's inputs to score keys
        of the opportunities (see the prioritisation docs) and ``options`` go
        to the model function.  By default the open opportunities (logged,
        assessed, approved, in progress) are ranked; ``status`` and
        ``service`` choose others.

        Examples:
            >>> from itil_ci import Opportunity
            >>> from itil_ci.prioritisation import Criterion
            >>> from itil_ci.register import Register
            >>> reg = Register.in_memory()
            >>> _ = reg.log(Opportunity("A", id="a", expected_benefit=8, effort=3))
            >>> _ = reg.log(Opportunity("B", id="b", expected_benefit=5, effort=1))
            >>> crit = [Criterion("benefit", 2), Criterion("effort", 1, "cost")]
            >>> reg.prioritised(criteria=crit, keys={"benefit": "expected_benefit"}).order
            ('a', 'b')
        """
        from itil_ci import prioritisation as p

        models: dict[str, Any] = {
            "weighted-sum": p.weighted_sum,
            "topsis": p.topsis,
            "wsjf": p.wsjf,
            "rice": p.rice,
            "ice": p.ice,
            "itil-priority": p.itil_priority,
        }
        if not isinstance(model, str) or model not in models:
            raise v.fail("model", f"one of {', '.join(map(repr, models))}", model)
        if status is None:
            status = [s for s in OpportunityStatus if s.is_open]
        opps = self.opportunities(status=status, service=service)
        if model in ("weighted-sum", "topsis"):
            if criteria is None:
                raise v.fail("criteria", f"the criteria of the {model!r} model", criteria)
            criteria = p.as_criteria(criteria)
            if not opps:
                return Ranking(ids=(), scores=[], ranks=[], model=model)
            result = models[model](opps, criteria, keys=keys, **options)
        else:
            if criteria is not None:
                raise v.fail("criteria", f"None for the {model!r} model (use keys=)", criteria)
            if not opps:
                return Ranking(ids=(), scores=[], ranks=[], model=model)
            result = models[model](opps, keys=keys, **options)
        assert isinstance(result, Ranking)
        return result

    def _kpi_of(self, ini: Initiative, key: str, defined: dict[str, KPI]) -> KPI | None:
        for k in ini.kpis:
            if k.key == key:
                return k
        return defined.get(key)

    def _closed(self, initiative: str | None) -> list[Initiative]:
        if initiative is not None:
            return [self.initiative(initiative)]
        return self.initiatives(step="closed")

    def outcomes(
        self, *, initiative: str | None = None, today: dt.date | str | None = None
    ) -> list[KPIOutcome]:
        """What improved: each KPI of each closed initiative against its baseline.

        For every closed initiative (or only ``initiative``) and each of its
        KPIs, :func:`itil_ci.measurement.evaluate` judges the observations
        recorded since the initiative closed against the baseline (the
        initiative's own, else the latest kept one) and the KPI's target:
        ``evaluation.value`` is the latest value, ``attainment`` and
        ``status`` the verdict.  When the baseline, direction, target or
        observations are missing, ``evaluation`` is None and ``note`` says why.

        Examples:
            >>> import datetime as dt, numpy as np
            >>> from itil_ci import KPI, Baseline, Initiative, Target
            >>> from itil_ci.register import Register
            >>> reg = Register.in_memory()
            >>> k = KPI("mttr", direction="lower", target=Target(4.0, tolerance=0.5))
            >>> ini = Initiative("Faster restores", id="i-1", model="pdca", step="closed",
            ...                  kpis=[k], baselines={"mttr": Baseline("mttr", 6.0)},
            ...                  updated_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
            >>> _ = reg.log(ini)
            >>> t = np.array(["2026-05-02", "2026-05-03"], dtype="datetime64[ns]")
            >>> _ = reg.record("mttr", t, [4.2, 4.6])
            >>> o = reg.outcomes()[0]
            >>> o.evaluation.value, o.evaluation.attainment, o.evaluation.status.value
            (4.4, 0.8, 'amber')
        """
        from itil_ci.measurement import evaluate

        defined = {k.key: k for k in self.kpis()}
        latest: dict[str, Baseline] | None = None  # the newest kept baseline per KPI
        out: list[KPIOutcome] = []
        for ini in self._closed(initiative):
            closed_at = _closed_at(ini)
            keys = [k.key for k in ini.kpis] or sorted(ini.baselines)
            for key in keys:
                kpi = self._kpi_of(ini, key, defined)
                base = ini.baselines.get(key)
                if base is None:
                    if latest is None:  # read once, only when an initiative needs it
                        latest = {b.kpi_key: b for b in self.baselines()}
                    base = latest.get(key)
                after = self.series(key, start=closed_at)
                note = ""
                if kpi is None:
                    note = f"KPI {key!r} is not defined"
                elif base is None:
                    note = "no baseline"
                elif kpi.direction is None or kpi.target is None:
                    note = "the KPI has no direction or no target"
                elif len(after) == 0:
                    note = "no observations since closure"
                evaluation = None
                if not note:
                    assert kpi is not None
                    assert base is not None
                    try:
                        evaluation = evaluate(kpi, base, after, today=as_of(today))
                    except InvalidInputError as exc:
                        note = str(exc)
                out.append(
                    KPIOutcome(ini.id, key, closed_at, base, evaluation, len(after), note=note)
                )
        return out

    def drifting(
        self,
        *,
        initiative: str | None = None,
        limit_points: int = 20,
        rules: str = "western-electric",
    ) -> list[Drift]:
        """KPIs drifting back after an initiative closed (the "keep the momentum" watch).

        For every closed initiative (or only ``initiative``) and each of its
        KPIs with at least two observations since closure, an XmR chart
        (:func:`itil_ci.measurement.xmr`) takes its limits from the first
        ``limit_points`` of them, and :func:`itil_ci.measurement.signals`
        with ``rules`` finds special causes over all of them.  Only
        ``concern`` signals are kept when the KPI has a direction.  Every
        checked KPI is listed; :attr:`Drift.drifting` says whether it drifts.

        Examples:
            >>> import datetime as dt, numpy as np
            >>> from itil_ci import KPI, Initiative
            >>> from itil_ci.register import Register
            >>> reg = Register.in_memory()
            >>> ini = Initiative("x", id="i-1", model="pdca", step="closed",
            ...                  kpis=[KPI("mttr", direction="lower")],
            ...                  updated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
            >>> _ = reg.log(ini)
            >>> t = np.datetime64("2026-01-02", "ns") + np.arange(12) * np.timedelta64(1, "D")
            >>> x = [4.0, 4.2, 3.9, 4.1, 4.0, 3.8, 4.1, 4.0, 4.2, 3.9, 4.0, 9.0]
            >>> _ = reg.record("mttr", t, x)
            >>> d = reg.drifting(limit_points=10)[0]
            >>> d.drifting, [s.rule for s in d.signals]
            (True, ['we1'])
        """
        from itil_ci.measurement import signals, xmr

        limit = v.number("limit_points", limit_points, minimum=2)
        if isinstance(limit_points, bool) or not isinstance(limit_points, int):
            raise v.fail("limit_points", "a whole number >= 2", limit_points)
        assert limit is not None
        defined = {k.key: k for k in self.kpis()}
        out: list[Drift] = []
        for ini in self._closed(initiative):
            closed_at = _closed_at(ini)
            keys = [k.key for k in ini.kpis] or sorted(ini.baselines)
            for key in keys:
                after = self.series(key, start=closed_at)
                if len(after) < 2 or after.missing:
                    after = Series(
                        after.times[~np.isnan(after.values)],
                        after.values[~np.isnan(after.values)],
                        kpi_key=key,
                    )
                    if len(after) < 2:
                        continue
                kpi = self._kpi_of(ini, key, defined)
                direction = kpi.direction if kpi is not None else None
                chart = xmr(after.values, baseline_points=limit_points)
                found = signals(after.values, chart, rules, direction=direction)
                if direction is not None:
                    found = [s for s in found if s.kind.value == "concern"]
                times = tuple(
                    dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
                    + dt.timedelta(microseconds=int(after.times[s.index].astype(np.int64)) // 1000)
                    for s in found
                )
                out.append(
                    Drift(
                        ini.id,
                        key,
                        closed_at,
                        chart.centre,
                        chart.upper,
                        chart.lower,
                        tuple(found),
                        times,
                        min(limit_points, len(after)),
                        len(after),
                        rules=rules,
                    )
                )
        return out
