"""``itil-ci kpi`` and ``itil-ci baseline``: KPI definitions, measurements and baselines."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from itil_ci.cli._context import BadValue, Ctx, pass_ctx, user_errors
from itil_ci.cli._parsing import window


def doc(obj: Any) -> dict[str, Any]:
    """The codec's JSON data of a domain object, without its schema version."""
    from itil_ci.io import to_dict

    data = to_dict(obj)
    data.pop("schema_version", None)
    return data


@click.group()
def kpi() -> None:
    """Define, list and measure KPIs."""


@kpi.command("list")
@pass_ctx
def kpi_list(obj: Ctx) -> None:
    """List the KPIs defined in the register, by key.

    \b
    Example:
      itil-ci kpi list
    """
    with user_errors(), obj.register() as reg:
        kpis = reg.kpis()
        derived = {d.key: d for d in reg.derivations()}

    def target(k: Any) -> str:
        return "-" if k.target is None else f"{k.target.value:g}"

    def source(key: str) -> str:
        d = derived.get(key)
        if d is None:
            return "recorded"
        return "tickets" + (f", SLA {d.sla}" if d.sla else "")

    obj.emit(
        [{**doc(k), "derivation": doc(derived[k.key]) if k.key in derived else None} for k in kpis],
        lambda: (
            _table(
                [
                    [
                        k.key,
                        k.label,
                        k.unit or "-",
                        k.direction.value if k.direction else "-",
                        f"target {target(k)}",
                        f"from {source(k.key)}",
                    ]
                    for k in kpis
                ]
            )
            or ["no KPIs defined"]
        ),
    )


def _table(rows: list[list[str]]) -> list[str]:
    """Rows of cells as lines, each column as wide as its widest cell."""
    if not rows:
        return []
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


_CHANGED = ("name", "unit", "direction", "aggregation", "metric_type", "target")


@kpi.command("define")
@click.argument("key")
@click.option("--name", help="What people call it.")
@click.option("--unit", help="Its unit (hours, share, ...).")
@click.option("--direction", type=click.Choice(["higher", "lower"]), help="Which way is better.")
@click.option("--aggregation", help="mean, median, pNN, proportion, rate, sum or count.")
@click.option(
    "--metric-type",
    type=click.Choice(["service", "process", "technology"]),
    help="ITIL's kind of metric.",
)
@click.option("--target", type=float, help="The target value.")
@click.option("--due", help="The target's due date (YYYY-MM-DD).")
@click.option("--tolerance", type=float, help="The amber band around the target.")
@click.option(
    "--relative/--absolute",
    default=None,
    help="The tolerance is a fraction of the target (or in the KPI's unit).",
)
@click.option("--no-target", is_flag=True, help="Remove the target.")
@click.option(
    "--sla",
    "sla_name",
    help="For SLA attainment derived from tickets: the SLA definition to judge it by.",
)
@pass_ctx
def kpi_define(
    obj: Ctx,
    key: str,
    name: str | None,
    unit: str | None,
    direction: str | None,
    aggregation: str | None,
    metric_type: str | None,
    target: float | None,
    due: str | None,
    tolerance: float | None,
    relative: bool | None,
    no_target: bool,
    sla_name: str | None,
) -> None:
    """Define a KPI, or change the options given of one already defined.

    Options left out keep their stored value: redefining with only --target
    changes the target's value and keeps the name, unit, direction, due date
    and tolerance.

    \b
    Example:
      itil-ci kpi define mttr.email --name "MTTR, e-mail" --unit hours \\
          --direction lower --target 4 --due 2027-03-31 --tolerance 0.5
      itil-ci kpi define mttr.email --target 3.5      # only the target changes
      itil-ci kpi define sla.service-desk --sla standard   # judge it by that SLA
    """
    import attrs

    from itil_ci.domain import KPI, Target
    from itil_ci.errors import InvalidInputError, NotFound

    if no_target and any(x is not None for x in (target, due, tolerance, relative)):
        raise click.UsageError("--no-target cannot go with --target, --due or --tolerance")
    given: dict[str, Any] = {
        k: val
        for k, val in (
            ("name", name),
            ("unit", unit),
            ("direction", direction),
            ("aggregation", aggregation),
            ("metric_type", metric_type),
        )
        if val is not None
    }
    with user_errors(), obj.register() as reg:
        try:
            old: KPI | None = reg.kpi(key)
        except NotFound:
            old = None
        t = old.target if old is not None else None
        if no_target:
            given["target"] = None
        elif any(x is not None for x in (target, due, tolerance, relative)):
            if t is None and target is None:
                raise click.UsageError(
                    f"KPI {key!r} has no target yet: --due and --tolerance need --target"
                )
            changes: dict[str, Any] = {}
            if due is not None:
                changes["due"] = due
            if tolerance is not None:
                changes["tolerance"] = tolerance
            if relative is not None:
                changes["tolerance_kind"] = "relative" if relative else "absolute"
            try:
                if t is None:
                    assert target is not None
                    given["target"] = Target(target, **changes)
                else:
                    if target is not None:
                        changes["value"] = target
                    given["target"] = attrs.evolve(t, **changes)
            except InvalidInputError as exc:
                raise BadValue(str(exc), "--target/--due/--tolerance") from None
        try:
            k = KPI(key, **given) if old is None else attrs.evolve(old, **given)
        except InvalidInputError as exc:
            raise BadValue(str(exc), "KEY" if old is None and not given else "option") from None
        d = reg.derivation(key) if sla_name is not None else None
        if d is not None and d.metric != "sla":
            raise BadValue(f"KPI {key!r} is {d.metric}, not SLA attainment", "--sla")
        with reg.transaction():
            reg.define_kpi(k)
            if d is not None:
                reg.derive(attrs.evolve(d, sla=sla_name, provenance=None))
    changed = [f for f in _CHANGED if old is None or getattr(old, f) != getattr(k, f)]
    if sla_name is not None:
        changed.append("sla")
    obj.emit(
        doc(k),
        lambda: [
            f"defined KPI {k.key}"
            if old is None
            else f"updated KPI {k.key}: " + (", ".join(changed) or "nothing changed"),
            "  complete KPI (direction, target and tolerance)"
            if k.is_complete
            else "  not yet a complete KPI: it needs a direction, a target and a tolerance",
        ],
    )


def fmt(value: float | None, unit: str) -> str:
    """A KPI value for people: shares as percentages, hours to 3 significant figures."""
    if value is None:
        return "-"
    if unit == "share":
        return f"{value:.1%}"
    return f"{value:,.4g} {unit}".rstrip()


def _day(d: dt.datetime | None) -> str:
    return "-" if d is None else d.date().isoformat()


@kpi.command("measure")
@click.argument("key")
@click.option("--start", help="First day (YYYY-MM-DD).")
@click.option("--end", help="Day after the last (YYYY-MM-DD).")
@pass_ctx
def kpi_measure(obj: Ctx, key: str, start: str | None, end: str | None) -> None:
    """Measure a KPI over a window and evaluate it against its baseline and target.

    A KPI derived from the register's tickets is measured over every ticket
    of its group opened in the window at once (MTTR: the mean resolution
    time of all of them, not a mean of daily means); its daily series is
    summarised beside it, labelled as such.  Any other KPI is aggregated
    from its recorded observations.

    \b
    Example:
      itil-ci kpi measure mttr.service-desk
      itil-ci kpi measure mttr.email --start 2025-10-01 --end 2026-01-01
    """
    from itil_ci import measurement
    from itil_ci.errors import NotFound

    lo, hi = window(start, end)
    with user_errors(), obj.register() as reg:
        k = reg.kpi(key)
        try:
            base = reg.baseline(key)
        except NotFound:
            base = None
        try:
            reg.derivation(key)
        except NotFound:
            m = None
            s = reg.series(key, lo, hi)
            agg = measurement.aggregate(s.values, k.aggregation, missing="drop")
            value: float | None = agg.value
            n = len(s)
        else:
            m = reg.measure_tickets(key, lo, hi)
            value, n = m.value, m.tickets
        ev = None
        if (
            value is not None
            and base is not None
            and k.direction is not None
            and k.target is not None
        ):
            ev = measurement.evaluate(k, base, value)
    data: dict[str, Any] = {
        "kpi": key,
        "value": value,
        "n": n,
        "evaluation": doc(ev) if ev is not None else None,
        "basis": "observations" if m is None else "tickets",
    }
    if m is not None:
        assert m.derivation is not None
        data.update(
            {
                "unit": k.unit,
                "start": m.start,
                "end": m.end,
                "extra": m.extra,
                "daily": {
                    "days": m.days,
                    "mean": m.daily_mean,
                    "min": m.daily_min,
                    "max": m.daily_max,
                    "latest": m.latest,
                    "latest_day": m.latest_day,
                },
                "derivation": doc(m.derivation),
            }
        )

    def lines() -> list[str]:
        if m is None:
            out = [
                f"{k.label}: {fmt(value, k.unit)} ({k.aggregation} of {n} recorded observations)"
            ]
        else:
            d, p = m.derivation, m.derivation.provenance  # type: ignore[union-attr]
            span = (
                "all tickets"
                if m.start is None and m.end is None
                else f"tickets opened {_day(m.start)} to {_day(m.end)}"
            )
            opened = m.extra.get("open", 0)
            bare = "share" if k.unit == "share" else ""
            out = [
                f"{k.label} ({key}), {span}:",
                f"  over all tickets: {fmt(value, k.unit)} from {n:,} tickets"
                + (f" ({opened:,} open not counted)" if opened else ""),
                f"  daily series ({m.days} days): mean of the daily values "
                f"{fmt(m.daily_mean, k.unit)}, min {fmt(m.daily_min, bare)}, "
                f"max {fmt(m.daily_max, bare)}, latest {fmt(m.latest, bare)}"
                + (f" on {m.latest_day}" if m.latest_day else ""),
            ]
            if p is not None:
                group = ", ".join(f"{c} = {x}" for c, x in d.where.items()) or "all tickets"  # type: ignore[union-attr]
                out.append(
                    f"  derived from the register's tickets ({group}; {p.stored:,} stored, "
                    f"checksum {p.short_checksum})"
                )
                if p.basis:
                    out.append(f"  basis: {p.basis}")
        if ev is not None and base is not None:
            out.append(
                f"  baseline {fmt(base.value, k.unit)}, target {fmt(ev.target, k.unit)}: "
                f"attainment {ev.attainment:.0%}, status {ev.status.value}"
            )
        return out

    obj.emit(data, lines)


@click.group()
def baseline() -> None:
    """Capture baselines."""


@baseline.command("capture")
@click.argument("key")
@click.option("--start", help="First day (YYYY-MM-DD).")
@click.option("--end", help="Day after the last (YYYY-MM-DD).")
@click.option("--note", default="", help="Why this window.")
@pass_ctx
def baseline_capture(obj: Ctx, key: str, start: str | None, end: str | None, note: str) -> None:
    """Capture a baseline of a KPI: over its tickets if it is derived, else its series.

    A KPI derived from the register's tickets gets the value 'kpi measure'
    shows (over every ticket opened in the window at once), so later
    measurements compare like with like.

    \b
    Example:
      itil-ci baseline capture mttr.email --start 2025-01-01 --end 2025-07-01
    """
    import attrs

    from itil_ci import measurement
    from itil_ci.errors import NotFound

    lo, hi = window(start, end)
    with user_errors(), obj.register() as reg:
        k = reg.kpi(key)
        try:
            reg.derivation(key)
        except NotFound:
            b, what = measurement.baseline(k, reg.series(key), start=lo, end=hi), "observations"
        else:
            b, what = reg.ticket_baseline(key, lo, hi), "tickets"
        if note:
            b = attrs.evolve(b, note=note)
        reg.add_baseline(b)
    obj.emit(doc(b), lambda: [f"baseline of {key}: {fmt(b.value, k.unit)} ({b.n:,} {what})"])
