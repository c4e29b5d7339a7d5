"""``itil-ci initiative``: drive improvement initiatives through their model."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import click

from itil_ci.cli import _artefacts
from itil_ci.cli._context import BadValue, Ctx, pass_ctx, user_errors
from itil_ci.cli._kpis import doc
from itil_ci.cli._parsing import find, short


def _actor(name: str, roles: Sequence[str]) -> Any:
    from itil_ci.domain import Actor
    from itil_ci.errors import InvalidInputError

    try:
        return Actor(name, roles=list(roles))
    except InvalidInputError as exc:
        raise BadValue(str(exc), "--actor/--role") from None


def _with_actor(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option(
        "--role",
        "roles",
        multiple=True,
        help="A role the actor holds (repeatable), e.g. continual-improvement-manager.",
    )(f)
    return click.option("--actor", required=True, help="Who makes the move.")(f)


def _show(ini: Any, engine: Any) -> list[str]:
    lines = [
        f"{short(ini.id)}  {ini.title}",
        f"  id {ini.id}",
        f"  model {ini.model.value}, step {ini.step!r}, cycle {ini.cycle}, version {ini.version}",
    ]
    if engine.closed:
        if ini.outcome is not None:
            lines.append(f"  closed: {ini.outcome.closure.value}")
        return lines
    lines.append("  next: " + ", ".join(engine.next_steps()))
    missing = engine.missing()
    lines += [f"  missing: {m}" for m in missing] or ["  ready to advance"]
    takes = _artefacts.accepted(engine)
    if takes:
        lines.append("  takes: " + ", ".join(f"--set {n}=..." for n in takes))
    return lines


@click.group()
def initiative() -> None:
    """Drive improvement initiatives through their model (itil4, seven-step, pdca)."""


@initiative.command("start")
@click.argument("title")
@click.option(
    "--model",
    type=click.Choice(["itil4", "seven-step", "pdca"]),
    default="itil4",
    show_default=True,
)
@click.option(
    "--opportunity",
    "opportunities",
    multiple=True,
    help="An opportunity it acts on: its id or a unique start of it (repeatable).",
)
@click.option("--owner", default="", help="Who owns it (default: the actor).")
@_with_actor
@pass_ctx
def initiative_start(
    obj: Ctx,
    title: str,
    model: str,
    opportunities: tuple[str, ...],
    owner: str,
    actor: str,
    roles: tuple[str, ...],
) -> None:
    """Start an initiative at the first step of its model.

    Its opportunities move to "in progress" (and to closed or withdrawn when
    it closes).

    \b
    Example:
      itil-ci initiative start "Faster e-mail restores" --opportunity 3f2a \\
          --actor mia --role continual-improvement-manager
    """
    from itil_ci.domain import Initiative
    from itil_ci.engines import start
    from itil_ci.errors import InvalidInputError

    who = _actor(actor, roles)
    with user_errors(), obj.register() as reg:
        ids = [find(reg, "opportunity", o).id for o in opportunities]
        try:
            ini = Initiative(title, model=model, opportunities=ids, owner=owner or actor)
        except InvalidInputError as exc:
            raise BadValue(str(exc), "TITLE") from None
        engine = start(ini, model, actor=who)
        reg.log(ini)
    obj.emit(doc(ini), lambda: _show(ini, engine))


def _move(obj: Ctx, id: str, verb: Callable[[Any, Any, Any], Any]) -> None:
    from itil_ci.engines import resume

    with user_errors(), obj.register() as reg:
        ini = find(reg, "initiative", id)
        engine = resume(ini)
        verb(engine, reg, ini)
        reg.update(ini)
    obj.emit(doc(ini), lambda: _show(ini, engine))


_SET_HELP = "An artefact of this step (repeatable); see below."


@initiative.command("advance", epilog=_artefacts.help_text())
@click.argument("id")
@click.option("--note", default="", help="A note for the audit trail.")
@click.option("--set", "artefacts", multiple=True, metavar="NAME=VALUE", help=_SET_HELP)
@_with_actor
@pass_ctx
def initiative_advance(
    obj: Ctx, id: str, note: str, artefacts: tuple[str, ...], actor: str, roles: tuple[str, ...]
) -> None:
    """Advance an initiative to its next step, attaching the step's artefacts.

    ID is the initiative's id or a unique start of it.  KPIs, series and
    baselines are read from the register; 'itil-ci initiative status ID'
    says what the step still needs and which artefacts it takes.

    \b
    Example:
      itil-ci initiative advance 3f2a --actor mia --role continual-improvement-manager \\
          --set 'objectives=["Restore e-mail within 4 hours"]'
      itil-ci initiative advance 3f2a --actor tom --role improvement-team \\
          --set 'kpis=["mttr.email"]' --set 'series={"mttr.email": {"end": "2025-07-01"}}'
    """
    who = _actor(actor, roles)
    _move(
        obj,
        id,
        lambda e, reg, ini: e.advance(
            actor=who, note=note, **_artefacts.parse(artefacts, reg, ini, e.accepts())
        ),
    )


@initiative.command("return")
@click.argument("id")
@click.argument("step")
@click.option("--reason", required=True, help="Why (kept in the audit trail).")
@_with_actor
@pass_ctx
def initiative_return(
    obj: Ctx, id: str, step: str, reason: str, actor: str, roles: tuple[str, ...]
) -> None:
    """Return an initiative to an earlier step (the reason is recorded).

    \b
    Example:
      itil-ci initiative return 3f2a current_state --reason "baseline too short" --actor mia
    """
    who = _actor(actor, roles)
    _move(obj, id, lambda e, reg, ini: e.return_to(step, actor=who, reason=reason))


@initiative.command("close", epilog=_artefacts.help_text())
@click.argument("id")
@click.option(
    "--outcome",
    type=click.Choice(["successful", "partially-successful", "unsuccessful", "withdrawn"]),
    required=True,
)
@click.option("--set", "artefacts", multiple=True, metavar="NAME=VALUE", help=_SET_HELP)
@_with_actor
@pass_ctx
def initiative_close(
    obj: Ctx, id: str, outcome: str, artefacts: tuple[str, ...], actor: str, roles: tuple[str, ...]
) -> None:
    """Close an initiative with its outcome; its opportunities close (or are withdrawn) with it.

    \b
    Example:
      itil-ci initiative close 3f2a --outcome successful --actor mia \\
          --role continual-improvement-manager --set 'lessons=["Runbooks first"]' \\
          --set remeasure_on=2026-03-31
    """
    who = _actor(actor, roles)

    def close(e: Any, reg: Any, ini: Any) -> Any:
        accepts = () if outcome == "withdrawn" else e.accepts()
        return e.close(actor=who, outcome=outcome, **_artefacts.parse(artefacts, reg, ini, accepts))

    _move(obj, id, close)


@initiative.command("status")
@click.argument("id", required=False)
@pass_ctx
def initiative_status(obj: Ctx, id: str | None) -> None:
    """Show an initiative's step, what it still needs and what it takes, or list them all.

    The list is in the order the initiatives were started.

    \b
    Example:
      itil-ci initiative status
      itil-ci initiative status 3f2a
    """
    from itil_ci.engines import resume

    with user_errors(), obj.register() as reg:
        if id is None:
            inis = sorted(reg.initiatives(), key=lambda i: (i.created_at, i.title, i.id))
            counts = reg.step_counts()
        else:
            ini = find(reg, "initiative", id)
            engine = resume(ini)
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
                [f"{short(i.id)}  {i.model.value:<10} {i.step or '-':<14} {i.title}" for i in inis]
                or ["no initiatives"]
            ),
        )
    else:
        obj.emit(
            {
                **doc(ini),
                "missing": engine.missing() if not engine.closed else [],
                "takes": _artefacts.accepted(engine) if not engine.closed else [],
            },
            lambda: _show(ini, engine),
        )
