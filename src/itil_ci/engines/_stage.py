"""Input checks and core calls shared by the engines' artefact stagers (private)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, TypeVar

import attrs

from itil_ci._internal import validate as v
from itil_ci.domain.initiative import Action, Objective
from itil_ci.domain.kpi import KPI
from itil_ci.domain.opportunity import Opportunity
from itil_ci.domain.ranking import Ranking
from itil_ci.domain.results import Evaluation
from itil_ci.domain.series import Series
from itil_ci.engines.gates import View

T = TypeVar("T")


def mapping(name: str, value: object, cls: type[T] | tuple[type[Any], ...]) -> dict[str, T]:
    """``value`` as ``{key: instance of cls}`` (a list of items with ``kpi_key`` works too)."""
    if isinstance(value, list | tuple):
        items = {}
        for i, item in enumerate(value):
            key = getattr(item, "kpi_key", None)
            if not isinstance(key, str):
                raise v.fail(f"{name}[{i}]", "an item that names its KPI (kpi_key)", item)
            items[key] = item
        value = items
    if not isinstance(value, Mapping):
        raise v.fail(name, "a dict keyed by KPI key", value)
    out: dict[str, Any] = {}
    names = cls.__name__ if isinstance(cls, type) else " or ".join(c.__name__ for c in cls)
    for key, item in value.items():
        v.text(f"{name} key", key, allow_empty=False)
        if not isinstance(item, cls):
            raise v.fail(f"{name}[{key!r}]", f"a {names}", item)
        out[key] = item
    return out


def items(name: str, value: object, cls: type[T]) -> list[T]:
    """``value`` as a non-string list of ``cls`` instances (one item is accepted too)."""
    if isinstance(value, cls):
        return [value]
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise v.fail(name, f"a list of {cls.__name__}", value)
    for i, item in enumerate(value):
        if not isinstance(item, cls):
            raise v.fail(f"{name}[{i}]", f"a {cls.__name__}", item)
    return list(value)


def texts(name: str, value: object) -> list[str]:
    """A string or a list of non-blank strings."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise v.fail(name, "a string or a list of strings", value)
    for i, item in enumerate(value):
        v.text(f"{name}[{i}]", item, allow_empty=False)
    return list(value)


def known_kpi(view: View, name: str, key: str) -> KPI:
    """The initiative's (staged) KPI ``key``; an unknown key is an input error."""
    for k in view.kpis:
        if k.key == key:
            return k  # type: ignore[no-any-return]
    have = ", ".join(k.key for k in view.kpis) or "none"
    raise v.fail(f"{name}[{key!r}]", f"a KPI of the initiative ({have})", key)


def series(name: str, value: object) -> Series:
    """A :class:`~itil_ci.domain.Series` (the engines need times as well as values)."""
    if not isinstance(value, Series):
        raise v.fail(name, "a Series (times and values)", value)
    return value


# -- stagers used by more than one model --------------------------------------


def stage_objectives(view: View, value: object) -> None:
    objs = []
    raw = [value] if isinstance(value, str | Objective) else value
    if not isinstance(raw, list | tuple):
        raise v.fail("objectives", "a list of Objective (or statements)", value)
    for i, item in enumerate(raw):
        if isinstance(item, str):
            item = Objective(v.text(f"objectives[{i}]", item, allow_empty=False))
        if not isinstance(item, Objective):
            raise v.fail(f"objectives[{i}]", "an Objective or a statement", item)
        objs.append(item)
    view.set("objectives", [*view.objectives, *objs])


def stage_vision(view: View, value: object) -> None:
    view.set("vision", v.text("vision", value, allow_empty=False))


def stage_kpis(view: View, value: object) -> None:
    new = items("kpis", value, KPI)
    v.unique("kpis", [k.key for k in new])  # one definition per key (no last-one-wins)
    merged = {k.key: k for k in view.kpis}
    for k in new:
        merged[k.key] = k
    view.set("kpis", list(merged.values()))


def stage_baselines(view: View, value: object) -> None:
    from itil_ci.domain.baseline import Baseline

    given = mapping("baselines", value, Baseline)
    for key, b in given.items():
        known_kpi(view, "baselines", key)
        if b.kpi_key != key:
            raise v.fail(f"baselines[{key!r}].kpi_key", repr(key), b.kpi_key)
    view.set("baselines", {**view.baselines, **given})


def baselines_from_series(view: View, name: str, value: object) -> dict[str, Any]:
    """Capture a baseline for each KPI from its series (``measurement.baseline``)."""
    from itil_ci import measurement

    if not isinstance(value, Mapping):
        raise v.fail(name, "a dict of Series keyed by KPI key", value)
    start, end = view.updates.get("_baseline_window", (None, None))
    out = {}
    for key, s in value.items():
        kpi = known_kpi(view, name, key)
        out[key] = measurement.baseline(kpi, series(f"{name}[{key!r}]", s), start=start, end=end)
    return out


def stage_baseline_window(view: View, value: object) -> None:
    """``(start, end)``: the window of the given series a baseline is captured over."""
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise v.fail("baseline_window", "a (start, end) pair of aware datetimes or None", value)
    start = None if value[0] is None else v.aware("baseline_window[0]", value[0])
    end = None if value[1] is None else v.aware("baseline_window[1]", value[1])
    if start is not None and end is not None and not end > start:
        raise v.fail("baseline_window", "a window whose end is after its start", value)
    view.updates["_baseline_window"] = (start, end)


def stage_series_baselines(view: View, value: object) -> None:
    view.set("baselines", {**view.baselines, **baselines_from_series(view, "series", value)})


def stage_actions(view: View, value: object) -> None:
    acts = items("actions", value, Action)
    v.unique("actions (titles)", (a.title for a in acts))
    view.set("plan", acts)


def stage_new_opportunities(view: View, value: object) -> None:
    view.set(
        "new_opportunities",
        [*view.new_opportunities, *items("opportunities", value, Opportunity)],
    )


def stage_ranking(view: View, value: object) -> None:
    if not isinstance(value, Ranking):
        raise v.fail("ranking", "a Ranking (from itil_ci.prioritisation)", value)
    view.set("ranking", value)


def rank_options(ids: list[str], scores: Mapping[str, Mapping[str, float]], criteria: Any) -> Any:
    """Rank options ``ids`` by ``prioritisation.weighted_sum`` over their ``scores``."""
    from itil_ci import prioritisation
    from itil_ci.prioritisation.criteria import as_criteria

    crit = as_criteria(criteria)
    opps = []
    for i in ids:
        if i not in scores:
            raise v.fail("scores", f"scores for every option ({', '.join(ids)})", sorted(scores))
        opps.append(Opportunity(title=i, id=i, scores=dict(scores[i])))
    keys = {c.name: f"scores.{c.name}" for c in crit}
    return prioritisation.weighted_sum(opps, crit, keys=keys)


def date(name: str, value: object) -> dt.date:
    return v.date(name, value)


def evolve_last(records: list[T], **changes: Any) -> list[T]:
    """A copy of ``records`` with its last item changed."""
    return [*records[:-1], attrs.evolve(records[-1], **changes)]  # type: ignore[misc]


def for_each_kpi(view: View, what: str, present: Mapping[str, Any]) -> list[str]:
    """``"<what> for KPI 'k'"`` for each KPI of the initiative not in ``present``."""
    return [f"{what} for KPI {k.key!r}" for k in view.kpis if k.key not in present]


def stage_criteria(view: View, value: object) -> None:
    """Hold the weighted-sum criteria until the step's ranking hook uses them."""
    view.set("_criteria", value)


def stage_evaluations(view: View, value: object) -> None:
    """Add ``{kpi_key: Evaluation}`` for KPIs of the initiative to its evaluations."""
    given = mapping("evaluations", value, Evaluation)
    for key in given:
        known_kpi(view, "evaluations", key)
    view.set("evaluations", {**view.evaluations, **given})


def stage_seed(view: View, value: object) -> None:
    """The seed passed to ``measurement.compare`` (its bootstrap is random)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise v.fail("seed", "a whole number >= 0", value)
    view.set("_seed", value)
