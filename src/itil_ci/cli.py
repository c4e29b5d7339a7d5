"""The ``itil-ci`` command line.

Every command works on a continual improvement register (a SQLite file,
``--db``, default ``improvements.sqlite`` or ``$ITIL_CI_DB``).  ``--json``
prints machine-readable output.  Exit codes: 0 success, 1 a user error (the
message goes to stderr, no traceback), 2 bad usage.

The command line is a thin layer: each command is a few calls of the library.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import click

__all__ = ["main"]

DEFAULT_DB = "improvements.sqlite"
DEMO_DB = "itil-ci-demo.sqlite"


class _UserError(click.ClickException):
    """A user error: message on stderr, exit code 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn library errors into clean exit-code-1 messages."""
    from itil_ci.errors import ItilCiError

    try:
        yield
    except ItilCiError as exc:
        raise _UserError(str(exc)) from None
    except (OSError, ValueError) as exc:
        raise _UserError(str(exc)) from None


class _Ctx:
    def __init__(self, db: str, as_json: bool) -> None:
        self.db = db
        self.as_json = as_json

    def register(self) -> Any:
        from itil_ci.register import Register

        return Register.open(self.db)

    def emit(self, data: Any, lines: Callable[[], Sequence[str]]) -> None:
        if self.as_json:
            click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        else:
            for line in lines():
                click.echo(line)


pass_ctx = click.make_pass_decorator(_Ctx)


def _doc(obj: Any) -> dict[str, Any]:
    from itil_ci.io import to_dict

    data = to_dict(obj)
    data.pop("schema_version", None)
    return data


def _actor(name: str, roles: Sequence[str]) -> Any:
    from itil_ci.domain import Actor

    return Actor(name, roles=list(roles))


def _pairs(items: Sequence[str], what: str) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint=what)
        out[key.strip()] = value.strip()
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    default=DEFAULT_DB,
    envvar="ITIL_CI_DB",
    show_default=True,
    help="The register: a SQLite file, or a postgresql:// URL of a shared one.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.version_option(package_name="itil-ci", prog_name="itil-ci")
@click.pass_context
def cli(ctx: click.Context, db: str, as_json: bool) -> None:
    """ITIL continual improvement from the command line.

    \b
    Example:
      itil-ci demo                       # a whole improvement cycle on synthetic data
      itil-ci --db ci.sqlite init
      itil-ci --db ci.sqlite import tickets incidents.json --format servicenow
      itil-ci --db ci.sqlite report --out report.html
    """
    ctx.obj = _Ctx(db, as_json)


# -- demo ----------------------------------------------------------------------------


@cli.command()
@click.option("--out", "out_dir", default=".", show_default=True, help="Where reports go.")
@click.option("--tickets", default=100_000, show_default=True, help="How many tickets.")
@click.option("--seed", default=7, show_default=True, help="Random seed.")
@click.pass_context
def demo(ctx: click.Context, out_dir: str, tickets: int, seed: int) -> None:
    """Run one whole improvement cycle on a year of synthetic tickets and write a report.

    Uses itil-ci-demo.sqlite in the current directory (replaced on every run)
    unless --db names another, new, file.

    \b
    Example:
      itil-ci demo --out reports/
    """
    from itil_ci._demo import STEPS, run_demo

    obj: _Ctx = ctx.obj
    explicit = ctx.parent is not None and ctx.parent.get_parameter_source("db") not in (
        click.core.ParameterSource.DEFAULT,
        None,
    )
    db = Path(obj.db if explicit else DEMO_DB)
    if explicit and db.exists():
        raise _UserError(f"--db: {db} exists; the demo writes a new register (pick another path)")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    with _user_errors():
        if obj.as_json:
            result = run_demo(db, out_dir, tickets=tickets, seed=seed)
        else:
            with click.progressbar(
                length=len(STEPS),
                label="itil-ci demo",
                show_eta=False,
                item_show_func=lambda s: s,
                file=sys.stderr,
            ) as bar:

                def progress(step: str) -> None:
                    if step != STEPS[0]:
                        bar.update(1, step)
                    else:
                        bar.update(0, step)

                result = run_demo(db, out_dir, tickets=tickets, seed=seed, progress=progress)
    c, e = result.comparison, result.evaluation
    obj.emit(
        {
            "db": str(result.db),
            "report_html": str(result.html),
            "report_md": str(result.markdown),
            "tickets": result.tickets,
            "initiative": result.initiative.id,
            "step": result.initiative.step,
            "verdict": c.verdict.value,
            "difference": c.difference,
            "ci": [c.low, c.high],
            "status": e.status.value,
            "attainment": e.attainment,
            "timings": result.timings,
        },
        result.summary,
    )


# -- init ----------------------------------------------------------------------------


@cli.command()
@pass_ctx
def init(obj: _Ctx) -> None:
    """Create (or open and migrate) the register file.

    \b
    Example:
      itil-ci --db improvements.sqlite init
    """
    with _user_errors():
        reg = obj.register()
        reg.close()
    obj.emit({"db": obj.db}, lambda: [f"register ready: {obj.db}"])


# -- import --------------------------------------------------------------------------


@cli.group("import")
def import_() -> None:
    """Import data into the register."""


@import_.command("tickets")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "servicenow", "jira"]),
    required=True,
    help="The export's format.",
)
@click.option(
    "--map",
    "mapping",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="CSV column to ticket field (repeatable).",
)
@click.option(
    "--on-error",
    type=click.Choice(["raise", "skip"]),
    default="raise",
    show_default=True,
    help="Stop at the first bad row, or skip bad rows and count them.",
)
@pass_ctx
def import_tickets(
    obj: _Ctx, file: str, fmt: str, mapping: tuple[str, ...], on_error: Literal["raise", "skip"]
) -> None:
    """Import a ticket export and record daily KPI series per service.

    Records MTTR, SLA attainment, first contact resolution and reopen rate per
    service and day under keys like mttr.email, and defines those KPIs.

    \b
    Example:
      itil-ci import tickets incidents.csv --format csv --map Number=id --map Opened=opened
    """
    from itil_ci._ticket_kpis import daily_series, kpi_definitions
    from itil_ci.io import importers

    with _user_errors():
        if fmt == "csv":
            result = importers.read_csv(file, _pairs(mapping, "--map"), on_error=on_error)
        elif mapping:
            raise click.UsageError("--map applies to --format csv only")
        elif fmt == "servicenow":
            result = importers.read_servicenow(file, on_error=on_error)
        else:
            result = importers.read_jira(file, on_error=on_error)
        series = daily_series(result.tickets) if len(result.tickets) else {}
        reg = obj.register()
        try:
            with reg.transaction():
                known = {k.key for k in reg.kpis()}
                for kpi in kpi_definitions(sorted(series)):
                    if kpi.key not in known:
                        reg.define_kpi(kpi)
                for key, s in series.items():
                    reg.record(key, s.times, s.values, source=fmt)
        finally:
            reg.close()
    obj.emit(
        {
            "rows": result.rows,
            "tickets": len(result.tickets),
            "skipped": result.skipped,
            "problems": [str(p) for p in result.problems],
            "series": sorted(series),
        },
        lambda: [
            f"imported {len(result.tickets):,} tickets from {file} ({result.skipped} skipped)",
            *(f"  skipped: {p}" for p in result.problems),
            f"recorded {len(series)} daily KPI series",
        ],
    )


# -- KPIs and baselines ----------------------------------------------------------------


@cli.group()
def kpi() -> None:
    """Define, list and measure KPIs."""


@kpi.command("list")
@pass_ctx
def kpi_list(obj: _Ctx) -> None:
    """List the KPIs defined in the register.

    \b
    Example:
      itil-ci kpi list
    """
    with _user_errors():
        reg = obj.register()
        try:
            kpis = reg.kpis()
        finally:
            reg.close()
    obj.emit(
        [_doc(k) for k in kpis],
        lambda: (
            [
                f"{k.key:<24} {k.label:<36} {k.unit:<8} "
                f"{k.direction.value if k.direction else '-':<16} "
                f"target {k.target.value if k.target else '-'}"
                for k in kpis
            ]
            or ["no KPIs defined"]
        ),
    )


@kpi.command("define")
@click.argument("key")
@click.option("--name", default="")
@click.option("--unit", default="")
@click.option("--direction", type=click.Choice(["higher", "lower"]))
@click.option(
    "--aggregation",
    default="mean",
    show_default=True,
    help="mean, median, pNN, proportion, rate, sum or count.",
)
@click.option("--target", type=float, help="The target value.")
@click.option("--due", help="The target's due date (YYYY-MM-DD).")
@click.option("--tolerance", type=float, help="The amber band around the target.")
@click.option("--relative", is_flag=True, help="The tolerance is a fraction of the target.")
@pass_ctx
def kpi_define(
    obj: _Ctx,
    key: str,
    name: str,
    unit: str,
    direction: str | None,
    aggregation: str,
    target: float | None,
    due: str | None,
    tolerance: float | None,
    relative: bool,
) -> None:
    """Define (or redefine) a KPI.

    \b
    Example:
      itil-ci kpi define mttr.email --unit hours --direction lower \\
          --target 4 --due 2027-03-31 --tolerance 0.5
    """
    from itil_ci.domain import KPI, Target

    with _user_errors():
        t = None
        if target is not None:
            t = Target(
                target,
                due=due,
                tolerance=tolerance,
                tolerance_kind="relative" if relative else "absolute",
            )
        elif due is not None or tolerance is not None:
            raise click.UsageError("--due and --tolerance need --target")
        k = KPI(key, name=name, unit=unit, direction=direction, aggregation=aggregation, target=t)
        reg = obj.register()
        try:
            reg.define_kpi(k)
        finally:
            reg.close()
    obj.emit(_doc(k), lambda: [f"defined KPI {k.key} (complete KPI: {k.is_complete})"])


def _window(start: str | None, end: str | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    def one(text: str | None) -> dt.datetime | None:
        if text is None:
            return None
        d = dt.date.fromisoformat(text)
        return dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC)

    return one(start), one(end)


@kpi.command("measure")
@click.argument("key")
@click.option("--start", help="First day (YYYY-MM-DD).")
@click.option("--end", help="Day after the last (YYYY-MM-DD).")
@pass_ctx
def kpi_measure(obj: _Ctx, key: str, start: str | None, end: str | None) -> None:
    """Measure a KPI over a window and evaluate it against its baseline and target.

    \b
    Example:
      itil-ci kpi measure mttr.email --start 2025-10-01
    """
    from itil_ci import measurement
    from itil_ci.errors import NotFound

    with _user_errors():
        lo, hi = _window(start, end)
        reg = obj.register()
        try:
            k = reg.kpi(key)
            s = reg.series(key, lo, hi)
            try:
                base = reg.baseline(key)
            except NotFound:
                base = None
        finally:
            reg.close()
        agg = measurement.aggregate(s.values, k.aggregation, missing="drop")
        ev = None
        if base is not None and k.direction is not None and k.target is not None:
            ev = measurement.evaluate(k, base, agg.value)
    data = {
        "kpi": key,
        "value": agg.value,
        "n": len(s),
        "evaluation": _doc(ev) if ev is not None else None,
    }

    def lines() -> list[str]:
        out = [f"{k.label}: {agg.value:.4g} {k.unit} ({k.aggregation}, n={len(s)})"]
        if ev is not None:
            out.append(
                f"  baseline {base.value:.4g}, target {ev.target:g}: attainment "
                f"{ev.attainment:.0%}, status {ev.status.value}"
            )
        return out

    obj.emit(data, lines)


@cli.group()
def baseline() -> None:
    """Capture baselines."""


@baseline.command("capture")
@click.argument("key")
@click.option("--start", help="First day (YYYY-MM-DD).")
@click.option("--end", help="Day after the last (YYYY-MM-DD).")
@click.option("--note", default="")
@pass_ctx
def baseline_capture(obj: _Ctx, key: str, start: str | None, end: str | None, note: str) -> None:
    """Capture a baseline of a KPI from its recorded series.

    \b
    Example:
      itil-ci baseline capture mttr.email --start 2025-01-01 --end 2025-07-01
    """
    import attrs

    from itil_ci import measurement

    with _user_errors():
        lo, hi = _window(start, end)
        reg = obj.register()
        try:
            k = reg.kpi(key)
            b = measurement.baseline(k, reg.series(key), start=lo, end=hi)
            if note:
                b = attrs.evolve(b, note=note)
            reg.add_baseline(b)
        finally:
            reg.close()
    obj.emit(_doc(b), lambda: [f"baseline of {key}: {b.value:.4g} {k.unit} (n={b.n})"])


# -- opportunities and prioritisation ---------------------------------------------------------


@cli.group()
def opportunity() -> None:
    """Log and list improvement opportunities (the register's entries)."""


@opportunity.command("log")
@click.argument("title")
@click.option("--description", default="")
@click.option(
    "--source",
    default="idea",
    show_default=True,
    help="incident-trend, problem, customer-feedback, audit, survey, idea, ...",
)
@click.option("--service", default="")
@click.option("--kpi", "kpis", multiple=True, help="A KPI it affects (repeatable).")
@click.option("--effort", type=float)
@click.option("--benefit", type=float, help="Expected benefit.")
@click.option(
    "--score",
    "scores",
    multiple=True,
    metavar="NAME=NUMBER",
    help="A criterion score (repeatable).",
)
@click.option("--raised-by", default="")
@pass_ctx
def opportunity_log(
    obj: _Ctx,
    title: str,
    description: str,
    source: str,
    service: str,
    kpis: tuple[str, ...],
    effort: float | None,
    benefit: float | None,
    scores: tuple[str, ...],
    raised_by: str,
) -> None:
    """Log an improvement opportunity.

    \b
    Example:
      itil-ci opportunity log "Self-service password reset" --effort 5 --benefit 8 --score reach=9
    """
    from itil_ci.domain import Opportunity

    with _user_errors():
        parsed = {}
        for name, text in _pairs(scores, "--score").items():
            try:
                parsed[name] = float(text)
            except ValueError:
                raise click.BadParameter(
                    f"{name}: expected a number, got {text!r}", param_hint="--score"
                ) from None
        o = Opportunity(
            title,
            description=description,
            source=source,
            service=service,
            kpis=list(kpis),
            effort=effort,
            expected_benefit=benefit,
            scores=parsed,
            raised_by=raised_by,
        )
        reg = obj.register()
        try:
            reg.log(o)
        finally:
            reg.close()
    obj.emit(_doc(o), lambda: [f"logged {o.id}: {o.title}"])


@opportunity.command("list")
@click.option("--status", multiple=True)
@click.option("--service", multiple=True)
@click.option("--source", multiple=True)
@pass_ctx
def opportunity_list(
    obj: _Ctx, status: tuple[str, ...], service: tuple[str, ...], source: tuple[str, ...]
) -> None:
    """List opportunities, optionally filtered.

    \b
    Example:
      itil-ci opportunity list --status logged --status assessed
    """
    with _user_errors():
        reg = obj.register()
        try:
            opps = reg.opportunities(
                status=list(status) or None,
                service=list(service) or None,
                source=list(source) or None,
            )
        finally:
            reg.close()
    obj.emit(
        [_doc(o) for o in opps],
        lambda: [f"{o.id}  {o.status.value:<12} {o.title}" for o in opps] or ["no opportunities"],
    )


def _criteria(items: Sequence[str]) -> list[Any]:
    from itil_ci.prioritisation import Criterion

    out = []
    for item in items:
        parts = item.split(":")
        if len(parts) not in (2, 3):
            raise click.BadParameter(
                f"expected NAME:WEIGHT[:cost], got {item!r}", param_hint="--criterion"
            )
        try:
            weight = float(parts[1])
        except ValueError:
            raise click.BadParameter(
                f"{parts[0]}: weight {parts[1]!r} is not a number", param_hint="--criterion"
            ) from None
        out.append(Criterion(parts[0], weight, parts[2] if len(parts) == 3 else "benefit"))
    return out


@cli.command()
@click.option(
    "--model",
    type=click.Choice(
        ["weighted-sum", "topsis", "wsjf", "rice", "ice", "value-effort", "itil-priority"]
    ),
    default="weighted-sum",
    show_default=True,
)
@click.option(
    "--criterion",
    "criteria",
    multiple=True,
    metavar="NAME:WEIGHT[:cost]",
    help="A criterion for weighted-sum/topsis (repeatable).",
)
@click.option(
    "--key",
    "keys",
    multiple=True,
    metavar="INPUT=SCORE_KEY",
    help="Where a model input is read from on each opportunity (repeatable).",
)
@pass_ctx
def prioritise(obj: _Ctx, model: str, criteria: tuple[str, ...], keys: tuple[str, ...]) -> None:
    """Rank the open opportunities with a prioritisation model.

    Inputs are read from each opportunity's expected_benefit, effort and scores.

    \b
    Example:
      itil-ci prioritise --model weighted-sum --criterion benefit:2 --criterion effort:1:cost \\
          --key benefit=expected_benefit
    """
    from itil_ci import prioritisation
    from itil_ci.domain import OpportunityStatus

    with _user_errors():
        reg = obj.register()
        try:
            key_map = _pairs(keys, "--key") or None
            if model == "value-effort":
                opps = reg.opportunities(status=[s for s in OpportunityStatus if s.is_open])
                ve = prioritisation.value_effort(opps, keys=key_map) if opps else None
                rows = (
                    []
                    if ve is None
                    else [
                        {
                            "id": o.id,
                            "title": o.title,
                            "ratio": float(ve.ratio[i]),
                            "quadrant": ve.quadrant[i].value
                            if hasattr(ve.quadrant[i], "value")
                            else str(ve.quadrant[i]),
                        }
                        for i, o in enumerate(opps)
                    ]
                )
                rows.sort(key=lambda r: -r["ratio"])
                obj.emit(
                    rows,
                    lambda: (
                        [f"{r['ratio']:8.3g}  {r['quadrant']:<16} {r['title']}" for r in rows]
                        or ["nothing to prioritise"]
                    ),
                )
                return
            crit = _criteria(criteria) if criteria else None
            ranking = reg.prioritised(model, crit, keys=key_map)
            titles = {o.id: o.title for o in reg.opportunities()}
        finally:
            reg.close()
    order = list(ranking.order)
    obj.emit(
        {
            "model": ranking.model,
            "ranking": [
                {
                    "id": i,
                    "title": titles.get(i, ""),
                    "rank": ranking.rank_of(i),
                    "score": ranking.score_of(i),
                }
                for i in order
            ],
        },
        lambda: (
            [
                f"{ranking.rank_of(i):>3}. {ranking.score_of(i):8.4g}  {titles.get(i, i)}"
                for i in order
            ]
            or ["nothing to prioritise"]
        ),
    )


# -- initiatives -----------------------------------------------------------------------------


def _artefacts(reg: Any, items: Sequence[str]) -> dict[str, Any]:
    """Parse --set NAME=JSON artefacts, turning the well-known ones into domain objects."""
    from itil_ci.domain import Action, Prediction, Target
    from itil_ci.io import from_dict

    out: dict[str, Any] = {}
    for name, text in _pairs(items, "--set").items():
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = text  # a bare string
        if name == "kpis":
            value = [reg.kpi(k) for k in value]
        elif name in ("series", "before", "after", "data"):
            value = {
                k: reg.series(k, *_window(w.get("start"), w.get("end")))
                for k, w in ({k: {} for k in value} if isinstance(value, list) else value).items()
            }
        elif name == "targets":
            value = {k: from_dict({"schema_version": 1, **t}, Target) for k, t in value.items()}
        elif name == "actions":
            value = [from_dict({"schema_version": 1, **a}, Action) for a in value]
        elif name == "criteria":
            value = _criteria(value)
        elif name == "prediction":
            value = from_dict({"schema_version": 1, **value}, Prediction)
        out[name] = value
    return out


_ACTOR_OPTIONS = [
    click.option("--actor", required=True, help="Who makes the move."),
    click.option(
        "--role",
        "roles",
        multiple=True,
        help="A role the actor holds (repeatable), e.g. continual-improvement-manager.",
    ),
]


def _with_actor(f: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(_ACTOR_OPTIONS):
        f = option(f)
    return f


@cli.group()
def initiative() -> None:
    """Drive improvement initiatives through their model (itil4, seven-step, pdca)."""


def _show(ini: Any, engine: Any) -> list[str]:
    lines = [
        f"{ini.id}  {ini.title}",
        f"  model {ini.model.value}, step {ini.step!r}, cycle {ini.cycle}, version {ini.version}",
    ]
    if not engine.closed:
        lines.append("  next: " + ", ".join(engine.next_steps()))
        missing = engine.missing()
        lines += [f"  missing: {m}" for m in missing] or ["  ready to advance"]
    return lines


@initiative.command("start")
@click.argument("title")
@click.option(
    "--model",
    type=click.Choice(["itil4", "seven-step", "pdca"]),
    default="itil4",
    show_default=True,
)
@click.option("--opportunity", "opportunities", multiple=True, help="An opportunity id.")
@click.option("--owner", default="")
@_with_actor
@pass_ctx
def initiative_start(
    obj: _Ctx,
    title: str,
    model: str,
    opportunities: tuple[str, ...],
    owner: str,
    actor: str,
    roles: tuple[str, ...],
) -> None:
    """Start an initiative at the first step of its model.

    \b
    Example:
      itil-ci initiative start "Faster e-mail restores" \\
          --actor mia --role continual-improvement-manager
    """
    from itil_ci.domain import Initiative
    from itil_ci.engines import start

    with _user_errors():
        reg = obj.register()
        try:
            for oid in opportunities:
                reg.opportunity(oid)
            ini = Initiative(
                title, model=model, opportunities=list(opportunities), owner=owner or actor
            )
            engine = start(ini, model, actor=_actor(actor, roles))
            reg.log(ini)
        finally:
            reg.close()
    obj.emit(_doc(ini), lambda: _show(ini, engine))


def _move(obj: _Ctx, id: str, verb: Callable[[Any, Any], Any]) -> None:
    from itil_ci.engines import resume

    with _user_errors():
        reg = obj.register()
        try:
            ini = reg.initiative(id)
            engine = resume(ini)
            verb(engine, reg)
            reg.update(ini)
        finally:
            reg.close()
    obj.emit(_doc(ini), lambda: _show(ini, engine))


@initiative.command("advance")
@click.argument("id")
@click.option("--note", default="")
@click.option(
    "--set",
    "artefacts",
    multiple=True,
    metavar="NAME=JSON",
    help="An artefact for this step (repeatable); see 'initiative status'.",
)
@_with_actor
@pass_ctx
def initiative_advance(
    obj: _Ctx, id: str, note: str, artefacts: tuple[str, ...], actor: str, roles: tuple[str, ...]
) -> None:
    """Advance an initiative to its next step, attaching the step's artefacts.

    KPI keys, series and baselines are read from the register.

    \b
    Example:
      itil-ci initiative advance ID --actor mia --role improvement-team \\
          --set 'objectives=["Restore e-mail within 4 hours"]'
      itil-ci initiative advance ID --actor tom --role improvement-team \\
          --set 'kpis=["mttr.email"]' --set 'series=["mttr.email"]'
    """
    _move(
        obj,
        id,
        lambda e, reg: e.advance(
            actor=_actor(actor, roles), note=note, **_artefacts(reg, artefacts)
        ),
    )


@initiative.command("return")
@click.argument("id")
@click.argument("step")
@click.option("--reason", required=True)
@_with_actor
@pass_ctx
def initiative_return(
    obj: _Ctx, id: str, step: str, reason: str, actor: str, roles: tuple[str, ...]
) -> None:
    """Return an initiative to an earlier step (the reason is recorded).

    \b
    Example:
      itil-ci initiative return ID current_state --reason "baseline too short" --actor mia
    """
    _move(obj, id, lambda e, reg: e.return_to(step, actor=_actor(actor, roles), reason=reason))


@initiative.command("close")
@click.argument("id")
@click.option(
    "--outcome",
    type=click.Choice(["successful", "partially-successful", "unsuccessful", "withdrawn"]),
    required=True,
)
@click.option("--set", "artefacts", multiple=True, metavar="NAME=JSON")
@_with_actor
@pass_ctx
def initiative_close(
    obj: _Ctx, id: str, outcome: str, artefacts: tuple[str, ...], actor: str, roles: tuple[str, ...]
) -> None:
    """Close an initiative with its outcome.

    \b
    Example:
      itil-ci initiative close ID --outcome successful --actor mia \\
          --role continual-improvement-manager --set 'lessons=["Runbooks first"]' \\
          --set remeasure_on=2026-03-31
    """
    _move(
        obj,
        id,
        lambda e, reg: e.close(
            actor=_actor(actor, roles), outcome=outcome, **_artefacts(reg, artefacts)
        ),
    )


@initiative.command("status")
@click.argument("id", required=False)
@pass_ctx
def initiative_status(obj: _Ctx, id: str | None) -> None:
    """Show an initiative's step and what it still needs, or every initiative by step.

    \b
    Example:
      itil-ci initiative status
    """
    from itil_ci.engines import resume

    with _user_errors():
        reg = obj.register()
        try:
            if id is None:
                inis = reg.initiatives()
                counts = reg.step_counts()
            else:
                ini = reg.initiative(id)
                engine = resume(ini)
        finally:
            reg.close()
    if id is None:
        obj.emit(
            {
                "counts": {str(k): n for k, n in counts.items()},
                "initiatives": [
                    {"id": i.id, "title": i.title, "model": i.model.value, "step": i.step}
                    for i in inis
                ],
            },
            lambda: (
                [f"{i.id}  {i.model.value:<10} {i.step or '-':<14} {i.title}" for i in inis]
                or ["no initiatives"]
            ),
        )
    else:
        obj.emit(
            {**_doc(ini), "missing": engine.missing() if not engine.closed else []},
            lambda: _show(ini, engine),
        )


# -- report ------------------------------------------------------------------------------------


@cli.command()
@click.option(
    "--format", "fmt", type=click.Choice(["html", "md", "json"]), default="html", show_default=True
)
@click.option("--out", "out", help="Output file (default report.<format>).")
@click.option(
    "--criterion",
    "criteria",
    multiple=True,
    metavar="NAME:WEIGHT[:cost]",
    help="Criteria for the backlog's weighted sum (repeatable).",
)
@click.option("--key", "keys", multiple=True, metavar="INPUT=SCORE_KEY")
@pass_ctx
def report(
    obj: _Ctx, fmt: str, out: str | None, criteria: tuple[str, ...], keys: tuple[str, ...]
) -> None:
    """Write a report of the register (self-contained HTML, Markdown, or the JSON export).

    \b
    Example:
      itil-ci report --format md --out improvements.md
    """
    path = Path(out or f"report.{fmt}")
    with _user_errors():
        reg = obj.register()
        try:
            if fmt == "json":
                path.write_text(reg.export_json(indent=2), encoding="utf-8")
            else:
                from itil_ci.report import report_from_register, write_report

                data = report_from_register(
                    reg,
                    criteria=_criteria(criteria) if criteria else None,
                    keys=_pairs(keys, "--key") or None,
                )
                write_report(data, path, format=fmt)
        finally:
            reg.close()
    obj.emit({"report": str(path)}, lambda: [f"wrote {path}"])


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 user error, 2 bad usage).

    Examples:
        >>> main(["--help"])  # doctest: +ELLIPSIS
        Usage: itil-ci [OPTIONS] COMMAND [ARGS]...
        ...
        0
    """
    try:
        cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="itil-ci",
            standalone_mode=False,
        )
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
