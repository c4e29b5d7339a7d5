"""``itil-ci import tickets``: a ticket export into the register."""

from __future__ import annotations

from typing import Literal

import click

from itil_ci.cli._context import Ctx, UserError, pass_ctx, user_errors
from itil_ci.cli._parsing import pairs


@click.group("import")
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
    obj: Ctx, file: str, fmt: str, mapping: tuple[str, ...], on_error: Literal["raise", "skip"]
) -> None:
    """Import a ticket export and record daily KPI series per service.

    Records MTTR, SLA attainment, first contact resolution and reopen rate per
    service and day under keys like mttr.email, and defines those KPIs.
    Exits with 1 when the file holds no ticket or every row was skipped.

    \b
    Example:
      itil-ci import tickets incidents.csv --format csv --map Number=id --map Opened=opened
    """
    from itil_ci import io as importers
    from itil_ci._ticket_kpis import daily_series, kpi_definitions

    with user_errors():
        if fmt == "csv":
            columns = pairs(mapping, "--map", "--map Number=id --map Opened=opened")
            result = importers.read_csv(file, columns, on_error=on_error)
        elif mapping:
            raise click.UsageError("--map applies to --format csv only")
        elif fmt == "servicenow":
            result = importers.read_servicenow(file, on_error=on_error)
        else:
            result = importers.read_jira(file, on_error=on_error)
        if len(result.tickets) == 0:
            why = (
                f"every one of its {result.rows:,} rows was skipped"
                if result.rows
                else "it holds no ticket"
            )
            first = f"; the first: {result.problems[0]}" if result.problems else ""
            raise UserError(
                f"nothing imported from {file}: {why}{first}",
                "check --format (and --map for a CSV export) against the file's columns",
            )
        series = daily_series(result.tickets)
        with obj.register() as reg, reg.transaction():
            known = {k.key for k in reg.kpis()}
            for kpi in kpi_definitions(sorted(series)):
                if kpi.key not in known:
                    reg.define_kpi(kpi)
            for key, s in series.items():
                reg.record(key, s.times, s.values, source=fmt)
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
