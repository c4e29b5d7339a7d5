"""``itil-ci kpi`` and ``itil-ci baseline``: KPI definitions, measurements and baselines."""

from __future__ import annotations

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

    def target(k: Any) -> str:
        return "-" if k.target is None else f"{k.target.value:g}"

    obj.emit(
        [doc(k) for k in kpis],
        lambda: (
            [
                f"{k.key:<28} {k.label:<36} {k.unit or '-':<8} "
                f"{k.direction.value if k.direction else '-':<16} target {target(k)}"
                for k in kpis
            ]
            or ["no KPIs defined"]
        ),
    )


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
        reg.define_kpi(k)
    changed = [f for f in _CHANGED if old is None or getattr(old, f) != getattr(k, f)]
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


@kpi.command("measure")
@click.argument("key")
@click.option("--start", help="First day (YYYY-MM-DD).")
@click.option("--end", help="Day after the last (YYYY-MM-DD).")
@pass_ctx
def kpi_measure(obj: Ctx, key: str, start: str | None, end: str | None) -> None:
    """Measure a KPI over a window and evaluate it against its baseline and target.

    \b
    Example:
      itil-ci kpi measure mttr.email --start 2025-10-01
    """
    from itil_ci import measurement
    from itil_ci.errors import NotFound

    lo, hi = window(start, end)
    with user_errors(), obj.register() as reg:
        k = reg.kpi(key)
        s = reg.series(key, lo, hi)
        try:
            base = reg.baseline(key)
        except NotFound:
            base = None
        agg = measurement.aggregate(s.values, k.aggregation, missing="drop")
        ev = None
        if base is not None and k.direction is not None and k.target is not None:
            ev = measurement.evaluate(k, base, agg.value)
    data = {
        "kpi": key,
        "value": agg.value,
        "n": len(s),
        "evaluation": doc(ev) if ev is not None else None,
    }

    def lines() -> list[str]:
        out = [f"{k.label}: {agg.value:.4g} {k.unit} ({k.aggregation} of {len(s)} observations)"]
        if ev is not None and base is not None:
            out.append(
                f"  baseline {base.value:.4g}, target {ev.target:g}: attainment "
                f"{ev.attainment:.0%}, status {ev.status.value}"
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
    """Capture a baseline of a KPI from its recorded series.

    \b
    Example:
      itil-ci baseline capture mttr.email --start 2025-01-01 --end 2025-07-01
    """
    import attrs

    from itil_ci import measurement

    lo, hi = window(start, end)
    with user_errors(), obj.register() as reg:
        k = reg.kpi(key)
        b = measurement.baseline(k, reg.series(key), start=lo, end=hi)
        if note:
            b = attrs.evolve(b, note=note)
        reg.add_baseline(b)
    obj.emit(doc(b), lambda: [f"baseline of {key}: {b.value:.4g} {k.unit} (n={b.n})"])
