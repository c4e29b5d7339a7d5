"""``itil-ci sla``: SLA definitions kept in the register."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import click

from itil_ci.cli._context import BadValue, Ctx, pass_ctx, user_errors

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(h|hours?|m|min|minutes?|d|days?)?\s*$", re.I)
_COUNTRY = re.compile(r"^([A-Z]{2})(?:-([A-Z0-9]{1,4}))?$")
_PER_HOUR = {"h": 1.0, "m": 1 / 60, "d": 24.0}
EXAMPLE = (
    "e.g. itil-ci sla define standard --priority 1=4h --priority 3=24h --calendar "
    '"mon-fri 08:00-18:00" --timezone Europe/London --holidays GB-ENG --pause "On Hold"'
)


def hours_of(text: str, option: str) -> float:
    """``4h``, ``30m``, ``2d`` or ``8`` (hours) as hours."""
    m = _DURATION.match(text)
    if m is None:
        raise BadValue(f"expected a duration such as 4h, 30m or 2d, got {text!r}", option, EXAMPLE)
    value = float(m.group(1)) * _PER_HOUR[(m.group(2) or "h")[0].lower()]
    if not value > 0:
        raise BadValue(f"expected a duration above zero, got {text!r}", option)
    return value


def _targets(items: tuple[str, ...]) -> dict[int, float]:
    out: dict[int, float] = {}
    for item in items:
        p, sep, d = item.partition("=")
        p = p.strip().upper().removeprefix("P")
        if not sep or not p.isdigit() or len(p) > 4:
            raise BadValue(
                f"expected PRIORITY=DURATION such as 1=4h, got {item!r}", "--priority", EXAMPLE
            )
        out[int(p)] = hours_of(d, "--priority")
    return out


def _holidays(items: tuple[str, ...]) -> tuple[str | None, str | None, list[dt.date]]:
    """``GB-ENG`` (a country and its subdivision's public holidays) and/or dates."""
    country = subdiv = None
    dates: list[dt.date] = []
    for item in items:
        for part in (p.strip() for p in item.split(",") if p.strip()):
            m = _COUNTRY.match(part)
            if m:
                if country is not None:
                    raise BadValue("one country's holidays only", "--holidays")
                country, subdiv = m.group(1), m.group(2)
                continue
            try:
                dates.append(dt.date.fromisoformat(part))
            except ValueError:
                raise BadValue(
                    f"expected a country such as GB or GB-ENG, or dates YYYY-MM-DD, got {part!r}",
                    "--holidays",
                ) from None
    return country, subdiv, dates


#: The option behind each argument the library names in its errors.
_OPTIONS = {
    "hours": "--calendar",
    "timezone": "--timezone",
    "holidays": "--holidays",
    "country": "--holidays",
    "subdiv": "--holidays",
    "SLADefinition.name": "NAME",
    "SLADefinition.targets": "--priority",
    "SLADefinition.pause_states": "--pause",
    "SLADefinition.description": "--description",
}


def _option_of(message: str) -> str:
    name = message.partition(":")[0]
    for prefix, option in _OPTIONS.items():
        if name.startswith(prefix):
            return option
    return "option"


@click.group()
def sla() -> None:
    """Define and list SLA definitions (targets by priority, business hours, pauses)."""


@sla.command("define")
@click.argument("name")
@click.option(
    "--priority",
    "priorities",
    multiple=True,
    metavar="P=DURATION",
    help="A resolution target: priority=duration (4h, 30m, 2d; repeatable).",
)
@click.option("--calendar", help='Business hours, e.g. "mon-fri 08:00-18:00" (default: 24x7).')
@click.option("--timezone", help="IANA time zone of the business hours (default: UTC).")
@click.option(
    "--holidays",
    "holidays",
    multiple=True,
    metavar="CC[-SUB]|DATES",
    help="Public holidays of a country (GB, GB-ENG) and/or dates YYYY-MM-DD (repeatable).",
)
@click.option(
    "--pause", "pauses", multiple=True, metavar="STATE", help="A state that stops the clock."
)
@click.option("--no-pauses", is_flag=True, help="Remove the pause states.")
@click.option("--description", help="What it is for.")
@pass_ctx
def sla_define(
    obj: Ctx,
    name: str,
    priorities: tuple[str, ...],
    calendar: str | None,
    timezone: str | None,
    holidays: tuple[str, ...],
    pauses: tuple[str, ...],
    no_pauses: bool,
    description: str | None,
) -> None:
    """Define an SLA, or change the options given of one already defined.

    Every KPI whose SLA attainment is judged against it is computed again
    from the stored tickets: changing a target, the business hours or the
    pause states changes their whole history.

    \b
    Example:
      itil-ci sla define standard --priority 1=4h --priority 2=8h --priority 3=24h \\
          --priority 4=72h --calendar "mon-fri 08:00-18:00" --timezone Europe/London \\
          --holidays GB-ENG --pause "On Hold" --pause "Awaiting User Info"
      itil-ci sla define standard --priority 3=16h      # only the P3 target changes
    """
    import attrs

    from itil_ci.errors import InvalidInputError, NotFound
    from itil_ci.measurement import BusinessCalendar, SLADefinition

    if no_pauses and pauses:
        raise click.UsageError("--no-pauses cannot go with --pause")
    targets = _targets(priorities)
    country, subdiv, dates = _holidays(holidays)
    with user_errors(), obj.register() as reg:
        try:
            old: SLADefinition | None = reg.sla(name)
        except NotFound:
            old = None
        if old is None and not targets:
            raise BadValue(f"SLA {name!r} is new: give its targets", "--priority", EXAMPLE)
        try:
            cal = old.calendar if old is not None else BusinessCalendar.always()
            if calendar or timezone or holidays:
                cal = BusinessCalendar(
                    calendar or (cal.hours if old is not None else "mon-sun 00:00-24:00"),
                    timezone=timezone or cal.timezone,
                    holidays=dates if holidays else cal.holidays,
                    country=country if holidays else cal.country,
                    subdiv=subdiv if holidays else cal.subdiv,
                )
            changes: dict[str, Any] = {"calendar": cal}
            if targets:
                changes["targets"] = {**(old.targets if old is not None else {}), **targets}
            if pauses or no_pauses:
                changes["pause_states"] = list(pauses)
            if description is not None:
                changes["description"] = description
            if old is None:
                new = SLADefinition(name, changes.pop("targets"), **changes)
            else:
                new = attrs.evolve(old, **changes)
        except InvalidInputError as exc:
            raise BadValue(str(exc), _option_of(str(exc)), EXAMPLE) from None
        reg.define_sla(new)
        users = [d.key for d in reg.derivations() if d.sla == new.name]
    data = {**new.to_dict(), "kpis": users}
    data.pop("schema_version", None)
    obj.emit(
        data,
        lambda: [
            f"{'defined' if old is None else 'updated'} SLA {new.name}: {new.describe()}",
            *(
                [f"  {len(users)} KPIs judged against it computed again from the tickets"]
                if users
                else []
            ),
        ],
    )


@sla.command("list")
@pass_ctx
def sla_list(obj: Ctx) -> None:
    """List the SLA definitions, by name.

    \b
    Example:
      itil-ci sla list
    """
    with user_errors(), obj.register() as reg:
        slas = reg.slas()
        users = {s.name: [d.key for d in reg.derivations() if d.sla == s.name] for s in slas}

    def row(s: Any) -> dict[str, Any]:
        data = {**s.to_dict(), "kpis": users[s.name]}
        data.pop("schema_version", None)
        return data

    obj.emit(
        [row(s) for s in slas],
        lambda: (
            [f"{s.name}: {s.describe()}" for s in slas]
            or [f"no SLA definitions; define one, {EXAMPLE}"]
        ),
    )
