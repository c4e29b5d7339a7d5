"""``--set NAME=JSON``: the artefacts an initiative's step takes, parsed and checked.

One table, :data:`SPECS`, says for every artefact name what its JSON holds,
gives an example and turns the value into what the engine's ``advance()`` or
``close()`` takes (reading KPIs, series and baselines from the register).  A
malformed value is a :class:`~itil_ci.cli._context.BadValue` naming ``--set
NAME``, what was expected and an example; nothing the user types reaches the
engine unchecked.  The table also writes the ``--help`` text.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from itil_ci._internal import validate as v
from itil_ci.cli._context import BadValue, UserError
from itil_ci.cli._parsing import find, pairs
from itil_ci.cli._values import Value
from itil_ci.cli._values import date as _date
from itil_ci.cli._values import fields as _fields
from itil_ci.cli._values import mapping as _dict
from itil_ci.cli._values import number as _number
from itil_ci.cli._values import text as _text
from itil_ci.cli._values import texts as _texts
from itil_ci.cli._values import time as _time
from itil_ci.cli._values import whole as _whole

if TYPE_CHECKING:
    from itil_ci.domain import Initiative
    from itil_ci.register import Register

#: The deepest nesting a value may have (the deepest artefact needs 3).
MAX_DEPTH = 8


@attrs.frozen
class Spec:
    """An artefact: its name, what its JSON holds, an example and its parser."""

    name: str
    shape: str
    example: str
    parse: Callable[[Value], Any]
    text: bool = False  # a bare (non-JSON) text is the value itself


# -- the register's KPIs, series and baselines ----------------------------------------


def _kpi_keys(x: Value) -> list[str]:
    keys = _texts(x)
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise x.bad("each KPI key once", twice)
    return keys


def _kpis(x: Value) -> list[Any]:
    return [x.reg.kpi(k) for k in _kpi_keys(x)]


def _windows(x: Value) -> dict[str, tuple[dt.datetime | None, dt.datetime | None]]:
    """KPI keys, or ``{key: {"start": day, "end": day}}`` (either bound may be left out)."""
    data = x.data
    if isinstance(data, str | list):
        return dict.fromkeys(_kpi_keys(x), (None, None))
    what = 'KPI keys, or an object {"KPI key": {"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}}'
    out = {}
    for key, w in _dict(x, what=what).items():
        w = {} if w is None else w
        where = f"[{key!r}]: "
        w = _fields(x, w, where, (), ("start", "end"))
        lo, hi = _time(x, w.get("start"), where), _time(x, w.get("end"), where)
        if lo is not None and hi is not None and not hi > lo:
            raise x.bad("a window whose end is after its start", w, where)
        out[key] = (lo, hi)
    return out


def _series(x: Value) -> dict[str, Any]:
    out = {}
    for key, (lo, hi) in _windows(x).items():
        x.reg.kpi(key)
        s = x.reg.series(key, lo, hi)
        if len(s) == 0:
            span = "" if lo is None and hi is None else " in that window"
            raise UserError(
                f"{x.option}: KPI {key!r} has no recorded observations{span}",
                "'itil-ci import tickets' records KPI series; 'itil-ci kpi list' shows them",
            )
        out[key] = s
    return out


def _before_after(x: Value) -> Any:
    """A Series per KPI; a PDCA initiative compares one KPI, so it takes one Series."""
    found = _series(x)
    if x.initiative.model.value != "pdca":
        return found
    if len(found) != 1:
        raise x.bad("one KPI key (a PDCA cycle compares one KPI)", sorted(found))
    return next(iter(found.values()))


def _baselines(x: Value) -> dict[str, Any]:
    return {k: x.reg.baseline(k) for k in _kpi_keys(x)}


def _baseline_window(x: Value) -> tuple[dt.datetime | None, dt.datetime | None]:
    data = x.data
    if not isinstance(data, list) or len(data) != 2:
        raise x.bad('["start", "end"] (dates YYYY-MM-DD, either may be null)')
    lo, hi = _time(x, data[0], "[0]: "), _time(x, data[1], "[1]: ")
    if lo is not None and hi is not None and not hi > lo:
        raise x.bad("an end after the start")
    return lo, hi


# -- objects of the domain ------------------------------------------------------------


def _objectives(x: Value) -> list[Any]:
    from itil_ci.domain import Objective

    data = [x.data] if isinstance(x.data, str | dict) else x.data
    if not isinstance(data, list) or not data:
        raise x.bad('statements, or objects {"statement": ..., "owner": ...}')
    out = []
    for i, item in enumerate(data):
        where = f"[{i}]: "
        if isinstance(item, str):
            out.append(x.build(where, Objective, _text(x, item, where)))
            continue
        f = _fields(x, item, where, ("statement",), ("owner",))
        statement, owner = _text(x, f["statement"], where), f.get("owner", "")
        if not isinstance(owner, str):
            raise x.bad("a text owner", owner, where)
        out.append(x.build(where, Objective, statement, owner=owner))
    return out


def _targets(x: Value) -> dict[str, Any]:
    from itil_ci.domain import Target

    what = (
        'an object {"KPI key": {"value": number, "due": "YYYY-MM-DD", "tolerance": number, '
        '"tolerance_kind": "absolute" or "relative"}}'
    )
    out = {}
    for key, t in _dict(x, what=what).items():
        where = f"[{key!r}]: "
        if v.is_real(t):
            t = {"value": t}
        f = _fields(x, t, where, ("value",), ("due", "tolerance", "tolerance_kind"))
        value = _number(x, f["value"], f"{where}value: ")
        due = None if f.get("due") is None else _date(x, f["due"], f"{where}due: ")
        tol = f.get("tolerance")
        tolerance = None if tol is None else _number(x, tol, f"{where}tolerance: ")
        kind = f.get("tolerance_kind", "absolute")
        if kind not in ("absolute", "relative"):
            raise x.bad('"absolute" or "relative"', kind, f"{where}tolerance_kind: ")
        out[key] = x.build(where, Target, value, due=due, tolerance=tolerance, tolerance_kind=kind)
    return out


def _actions(x: Value) -> list[Any]:
    from itil_ci.domain import Action

    data = x.data
    if not isinstance(data, list) or not data:
        raise x.bad('a list of objects {"title": ..., "owner": ..., "due": "YYYY-MM-DD"}')
    out = []
    for i, item in enumerate(data):
        where = f"[{i}]: "
        if isinstance(item, str):
            item = {"title": item}
        f = _fields(x, item, where, ("title",), ("owner", "due"))
        title = _text(x, f["title"], f"{where}title: ")
        owner = f.get("owner", "")
        if not isinstance(owner, str):
            raise x.bad("a text", owner, f"{where}owner: ")
        due = None if f.get("due") is None else _date(x, f["due"], f"{where}due: ")
        out.append(x.build(where, Action, title, owner=owner, due=due))
    titles = [a.title for a in out]
    twice = sorted({t for t in titles if titles.count(t) > 1})
    if twice:
        raise x.bad("each action title once", twice)
    return out


def _criteria(x: Value) -> list[Any]:
    from itil_ci.cli._parsing import criterion
    from itil_ci.prioritisation import Criterion

    data = x.data
    if not isinstance(data, list) or not data:
        raise x.bad('a list of "NAME:WEIGHT[:cost]" texts or {"name", "weight", "direction"}')
    out = []
    for i, item in enumerate(data):
        where = f"[{i}]: "
        if isinstance(item, str):
            try:
                out.append(criterion(item, x.option))
            except BadValue as exc:
                raise BadValue(f"{where}{exc.message}", x.option, exc.hint) from None
            continue
        f = _fields(x, item, where, ("name", "weight"), ("direction",))
        name = _text(x, f["name"], f"{where}name: ")
        weight = _number(x, f["weight"], f"{where}weight: ")
        direction = f.get("direction", "benefit")
        if direction not in ("benefit", "cost"):
            raise x.bad('"benefit" or "cost"', direction, f"{where}direction: ")
        out.append(x.build(where, Criterion, name, weight, direction))
    names = [c.name for c in out]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise x.bad("each criterion name once", twice)
    return out


def _scores(x: Value) -> dict[str, dict[str, float]]:
    what = 'an object {"action title": {"criterion": number}}'
    out = {}
    for title, row in _dict(x, what=what).items():
        where = f"[{title!r}]: "
        row = _dict(x, row, where, '{"criterion": number, ...}')
        out[title] = {c: _number(x, n, f"{where}[{c!r}]: ") for c, n in row.items()}
    return out


def _text_map(x: Value, what: str) -> dict[str, str]:
    return {k: _text(x, t, f"[{k!r}]: ") for k, t in _dict(x, what=what).items()}


def _evidence(x: Value) -> dict[str, str]:
    return _text_map(x, 'an object {"action title": "evidence"}')


def _sources(x: Value) -> dict[str, str]:
    return _text_map(x, 'an object {"KPI key": "where the data came from"}')


def _seed(x: Value) -> int:
    return _whole(x, x.data)


def _remeasure(x: Value) -> dt.date:
    return _date(x, x.data, "")


def _decision(x: Value) -> str:
    if x.data not in ("adopt", "adapt", "abandon"):
        raise x.bad("adopt, adapt or abandon")
    return str(x.data)


def _prediction(x: Value) -> Any:
    from itil_ci.domain import Prediction

    f = _fields(x, x.data, "", ("kpi", "change"), ("statement", "direction"))
    key = _text(x, f["kpi"], "kpi: ")
    change = _number(x, f["change"], "change: ")
    statement = f.get("statement", "")
    if not isinstance(statement, str):
        raise x.bad("a text", statement, "statement: ")
    direction = f.get("direction")
    if direction not in (None, "higher", "lower"):
        raise x.bad('"higher" or "lower"', direction, "direction: ")
    return x.build("", Prediction, key, change, statement, direction=direction)


def _quality(x: Value) -> dict[str, Any]:
    from itil_ci.domain import QualityCheck

    what = 'an object {"KPI key": {"missing": n, "duplicates": n, "outliers": n}}'
    out = {}
    for key, q in _dict(x, what=what).items():
        where = f"[{key!r}]: "
        f = _fields(x, q, where, ("missing", "duplicates", "outliers"), ("note",))
        counts = [_whole(x, f[c], f"{where}{c}: ") for c in ("missing", "duplicates", "outliers")]
        note = f.get("note", "")
        if not isinstance(note, str):
            raise x.bad("a text", note, f"{where}note: ")
        out[key] = x.build(where, QualityCheck, key, *counts, note=note)
    return out


_OPPORTUNITY_FIELDS = ("description", "service", "source", "kpis", "effort", "expected_benefit")


def _opportunities(x: Value) -> list[Any]:
    """Ids (or unique starts of ids) of logged opportunities, or new ones as objects."""
    from itil_ci.domain import Opportunity

    data = [x.data] if isinstance(x.data, str | dict) else x.data
    if not isinstance(data, list) or not data:
        raise x.bad('opportunity ids, or objects {"title": ..., ...} for new ones')
    out = []
    for i, item in enumerate(data):
        where = f"[{i}]: "
        if isinstance(item, str):
            out.append(find(x.reg, "opportunity", _text(x, item, where)))
            continue
        f = _fields(x, item, where, ("title",), _OPPORTUNITY_FIELDS)
        for name in ("effort", "expected_benefit"):
            if name in f:
                _number(x, f[name], f"{where}{name}: ")
        for name in ("description", "service", "source"):
            if name in f and not isinstance(f[name], str):
                raise x.bad("a text", f[name], f"{where}{name}: ")
        if "kpis" in f and not (
            isinstance(f["kpis"], list) and all(isinstance(k, str) for k in f["kpis"])
        ):
            raise x.bad("a list of KPI keys", f["kpis"], f"{where}kpis: ")
        out.append(x.build(where, Opportunity, **f))
    return out


def _computed(how: str) -> Callable[[Value], Any]:
    def refuse(x: Value) -> Any:
        raise BadValue(
            f"the engine computes {x.name} {how}; it is not set from the command line",
            x.option,
        )

    return refuse


#: Every artefact ``--set`` takes, in the order the models ask for them.
SPECS: tuple[Spec, ...] = (
    Spec("vision", "the vision statement (text)", "vision=E-mail people can rely on", _text, True),
    Spec(
        "objectives",
        'statements, or {"statement": ..., "owner": ...} objects',
        'objectives=["Resolve e-mail incidents within SLA"]',
        _objectives,
        True,
    ),
    Spec("kpis", "keys of KPIs defined in the register", 'kpis=["mttr.email"]', _kpis, True),
    Spec(
        "series",
        "KPI keys, or {key: {start, end}} windows of their recorded series (a baseline is "
        "captured from each)",
        'series={"mttr.email": {"start": "2025-01-01", "end": "2025-07-01"}}',
        _series,
        True,
    ),
    Spec(
        "baseline_window",
        "[start, end] of the series a baseline is captured over (null: open)",
        'baseline_window=["2025-01-01", "2025-07-01"]',
        _baseline_window,
    ),
    Spec(
        "baselines",
        "KPI keys: the latest baseline kept for each ('itil-ci baseline capture')",
        'baselines=["mttr.email"]',
        _baselines,
        True,
    ),
    Spec(
        "targets",
        "{KPI key: {value, due, tolerance[, tolerance_kind]}}",
        'targets={"mttr.email": {"value": 4, "due": "2026-03-31", "tolerance": 0.5}}',
        _targets,
    ),
    Spec(
        "actions",
        "[{title, owner, due}] (due as YYYY-MM-DD)",
        'actions=[{"title": "Publish a runbook", "owner": "sam", "due": "2026-01-31"}]',
        _actions,
    ),
    Spec(
        "criteria",
        'criteria to rank the actions: ["NAME:WEIGHT[:cost]"] or [{name, weight, direction}]',
        'criteria=["benefit:2", "effort:1:cost"]',
        _criteria,
    ),
    Spec(
        "scores",
        "{action title: {criterion: number}} (with criteria)",
        'scores={"Publish a runbook": {"benefit": 9, "effort": 2}}',
        _scores,
    ),
    Spec(
        "evidence",
        "{action title: evidence that it was done}",
        'evidence={"Publish a runbook": "CHG0012345 closed"}',
        _evidence,
    ),
    Spec(
        "before",
        "KPI keys or {key: {start, end}} windows: the measurements before the change",
        'before={"mttr.email": {"end": "2025-07-01"}}',
        _before_after,
        True,
    ),
    Spec(
        "after",
        "KPI keys or {key: {start, end}} windows: the measurements after the change",
        'after={"mttr.email": {"start": "2025-07-01"}}',
        _before_after,
        True,
    ),
    Spec("seed", "seed of the bootstrap comparison (whole number)", "seed=7", _seed),
    Spec("lessons", "lessons learned (texts)", 'lessons=["Runbooks first"]', _texts, True),
    Spec("remeasure_on", "the date to measure again", "remeasure_on=2026-03-31", _remeasure, True),
    Spec(
        "opportunities",
        "ids (or unique starts of ids) of opportunities, or new ones as {title, ...}",
        'opportunities=[{"title": "Automate mailbox restores", "effort": 5}]',
        _opportunities,
        True,
    ),
    Spec(
        "objective", "the PDCA cycle's objective (text)", "objective=Pilot the runbook", _text, True
    ),
    Spec(
        "prediction",
        "{kpi, change[, statement, direction]}: what the cycle will change",
        'prediction={"kpi": "mttr.email", "change": -1, "statement": "1 h faster"}',
        _prediction,
    ),
    Spec("done", "what was done (text)", "done=Runbook used for four weeks", _text, True),
    Spec("decision", "adopt, adapt or abandon", "decision=adopt", _decision, True),
    Spec(
        "should_measure",
        "what should be measured (texts)",
        'should_measure=["time to restore"]',
        _texts,
        True,
    ),
    Spec(
        "can_measure",
        "what can be measured (texts)",
        'can_measure=["time to resolve"]',
        _texts,
        True,
    ),
    Spec(
        "sources",
        "{KPI key: where its data came from}",
        'sources={"mttr.email": "ServiceNow export"}',
        _sources,
    ),
    Spec(
        "data",
        "KPI keys or {key: {start, end}} windows of their recorded series",
        'data=["mttr.email"]',
        _series,
        True,
    ),
    Spec(
        "quality",
        "{KPI key: {missing, duplicates, outliers[, note]}}",
        'quality={"mttr.email": {"missing": 0, "duplicates": 2, "outliers": 1}}',
        _quality,
    ),
    Spec("audience", "who it was presented to (texts)", 'audience=["CAB"]', _texts, True),
    Spec("report", "the report produced (text)", "report=Q3 service review", _text, True),
    Spec("ranking", "", "", _computed("from criteria and scores (or opportunities)")),
    Spec("evaluations", "", "", _computed("from after")),
    Spec("comparisons", "", "", _computed("from before and after")),
    Spec("comparison", "", "", _computed("from before and after")),
    Spec("trends", "", "", _computed("from series")),
    Spec("signals", "", "", _computed("from series")),
)

_BY_NAME = {s.name: s for s in SPECS}


def _depth(data: object) -> int:
    """How deeply ``data`` nests (without recursion)."""
    deepest, todo = 0, [(data, 0)]
    while todo:
        item, d = todo.pop()
        deepest = max(deepest, d)
        if deepest > MAX_DEPTH:
            return deepest
        if isinstance(item, dict):
            todo.extend((x, d + 1) for x in item.values())
        elif isinstance(item, list):
            todo.extend((x, d + 1) for x in item)
    return deepest


def _decode(spec: Spec, name: str, text: str) -> tuple[Any, str | None]:
    if spec.text and not text.lstrip().startswith(("[", "{", '"')):
        return text, None  # plain text (a date, a statement, a key)
    try:
        return json.loads(text), None
    except RecursionError:
        raise BadValue(f"the JSON nests deeper than {MAX_DEPTH} levels", f"--set {name}") from None
    except ValueError as exc:
        return text, str(exc)


def parse(
    items: Sequence[str], reg: Register, initiative: Initiative, accepts: Sequence[str]
) -> dict[str, Any]:
    """``--set NAME=JSON`` items as the keyword artefacts of ``advance()``/``close()``."""
    out: dict[str, Any] = {}
    for name, text in pairs(items, "--set", "--set 'objectives=[\"...\"]'").items():
        spec = _BY_NAME.get(name)
        if spec is None or name not in accepts:
            step = initiative.step
            took = ", ".join(accepts) or "nothing (it is closed)"
            raise BadValue(
                f"{name!r} is not an artefact of step {step!r}; it takes: {took}",
                "--set",
                "'itil-ci initiative advance --help' shows every artefact with an example",
            )
        data, error = _decode(spec, name, text)
        if _depth(data) > MAX_DEPTH:
            raise BadValue(f"the JSON nests deeper than {MAX_DEPTH} levels", f"--set {name}")
        if error is not None and not spec.text:
            raise BadValue(
                f"not valid JSON: {error}", f"--set {name}", f"e.g. --set '{spec.example}'"
            )
        out[name] = spec.parse(Value(name, text, data, error, reg, initiative, spec.example))
    return out


def help_text() -> str:
    """The artefacts, one paragraph each, for ``--help`` (click keeps ``\\b`` blocks as written)."""
    lines = ["Artefacts (--set NAME=VALUE; JSON unless it is plain text):", ""]
    for s in SPECS:
        if not s.shape:
            continue
        shape = textwrap.wrap(f"{s.name}: {s.shape}", 76, subsequent_indent="    ")
        lines += ["\b", *(f"  {line}" for line in shape), f"    --set '{s.example}'", ""]
    computed = ", ".join(s.name for s in SPECS if not s.shape)
    lines.append(f"The engine computes {computed} itself from the artefacts above.")
    return "\n".join(lines)


def accepted(engine: Any) -> list[str]:
    """The names the engine's current step takes (what ``initiative status`` shows)."""
    return [n for n in engine.accepts() if n in _BY_NAME and _BY_NAME[n].shape]


def example(name: str) -> str:
    """The example of one artefact (for messages)."""
    spec = _BY_NAME.get(name)
    return f"--set '{spec.example}'" if spec is not None and spec.example else ""
