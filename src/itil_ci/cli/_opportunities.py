"""``itil-ci opportunity`` and ``itil-ci prioritise``: the register's entries and their order."""

from __future__ import annotations

from typing import Any

import click

from itil_ci.cli._context import BadValue, Ctx, pass_ctx, user_errors
from itil_ci.cli._kpis import doc
from itil_ci.cli._parsing import CRITERION_EXAMPLE, criteria, pairs, short


@click.group()
def opportunity() -> None:
    """Log and list improvement opportunities (the register's entries)."""


#: The option of each field of an Opportunity that has another name on the command line.
_OPTIONS = {"title": "TITLE", "expected_benefit": "--benefit", "kpis": "--kpi", "scores": "--score"}


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
    obj: Ctx,
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
    from itil_ci.errors import InvalidInputError

    parsed = {}
    for name, text in pairs(scores, "--score", "--score reach=9").items():
        try:
            parsed[name] = float(text)
        except ValueError:
            raise BadValue(f"{name}: expected a number, got {text!r}", "--score") from None
    try:
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
    except InvalidInputError as exc:
        field = str(exc).partition(":")[0].removeprefix("Opportunity.").split("[")[0]
        option = _OPTIONS.get(field, f"--{field.replace('_', '-')}")
        raise BadValue(str(exc), option) from None
    with user_errors(), obj.register() as reg:
        reg.log(o)
    obj.emit(doc(o), lambda: [f"logged {short(o.id)}: {o.title}", f"  id {o.id}"])


@opportunity.command("list")
@click.option("--status", multiple=True, help="Only these statuses (repeatable).")
@click.option("--service", multiple=True, help="Only these services (repeatable).")
@click.option("--source", multiple=True, help="Only these sources (repeatable).")
@pass_ctx
def opportunity_list(
    obj: Ctx, status: tuple[str, ...], service: tuple[str, ...], source: tuple[str, ...]
) -> None:
    """List opportunities in the order they were logged, optionally filtered.

    Ids are shown by their first 8 characters; any unique start of an id is
    accepted wherever an id is asked for.  'itil-ci prioritise' lists them
    by priority.

    \b
    Example:
      itil-ci opportunity list --status logged --status assessed
    """
    with user_errors(), obj.register() as reg:
        opps = reg.opportunities(
            status=list(status) or None,
            service=list(service) or None,
            source=list(source) or None,
        )
    opps.sort(key=lambda o: (o.created_at, o.title, o.id))
    obj.emit(
        [doc(o) for o in opps],
        lambda: (
            [f"{short(o.id)}  {o.status.value:<12} {o.title}" for o in opps] or ["no opportunities"]
        ),
    )


_MODELS = ["weighted-sum", "topsis", "wsjf", "rice", "ice", "value-effort", "itil-priority"]


@click.command()
@click.option("--model", type=click.Choice(_MODELS), default="weighted-sum", show_default=True)
@click.option(
    "--criterion",
    "criteria_",
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
def prioritise(obj: Ctx, model: str, criteria_: tuple[str, ...], keys: tuple[str, ...]) -> None:
    """Rank the open opportunities with a prioritisation model, highest priority first.

    Inputs are read from each opportunity's expected_benefit, effort and scores.

    \b
    Example:
      itil-ci prioritise --model weighted-sum --criterion benefit:2 --criterion effort:1:cost \\
          --key benefit=expected_benefit
    """
    from itil_ci import prioritisation
    from itil_ci.domain import OpportunityStatus

    key_map = pairs(keys, "--key", "--key benefit=expected_benefit") or None
    crit = criteria(criteria_) if criteria_ else None
    if model in ("weighted-sum", "topsis") and crit is None:
        raise BadValue(f"the {model} model needs criteria", "--criterion", CRITERION_EXAMPLE)
    with user_errors(), obj.register() as reg:
        if model == "value-effort":
            opps = reg.opportunities(status=[s for s in OpportunityStatus if s.is_open])
            ve = prioritisation.value_effort(opps, keys=key_map) if opps else None
            rows: list[dict[str, Any]] = (
                []
                if ve is None
                else [
                    {
                        "id": o.id,
                        "title": o.title,
                        "ratio": float(ve.ratio[i]),
                        "quadrant": getattr(ve.quadrant[i], "value", str(ve.quadrant[i])),
                    }
                    for i, o in enumerate(opps)
                ]
            )
            rows.sort(key=lambda r: -r["ratio"])
            obj.emit(
                rows,
                lambda: (
                    [
                        f"{short(r['id'])}  {r['ratio']:8.3g}  {r['quadrant']:<16} {r['title']}"
                        for r in rows
                    ]
                    or ["nothing to prioritise"]
                ),
            )
            return
        ranking = reg.prioritised(model, crit, keys=key_map)
        titles = {o.id: o.title for o in reg.opportunities()}
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
                f"{ranking.rank_of(i):>3}. {short(i)}  {ranking.score_of(i):8.4g}  "
                f"{titles.get(i, i)}"
                for i in order
            ]
            or ["nothing to prioritise"]
        ),
    )
