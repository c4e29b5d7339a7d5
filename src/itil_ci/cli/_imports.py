"""``itil-ci import tickets``: a ticket export into the register, and the KPIs it gives."""

from __future__ import annotations

from typing import Any, Literal

import click

from itil_ci.cli._context import BadValue, Ctx, UserError, pass_ctx, user_errors
from itil_ci.cli._parsing import pairs

_FIELDS = (
    "id, opened, acknowledged, resolved, closed, updated, priority, service, "
    "assignment_group, category, state, reopen_count, reassignment_count, update_count, "
    "first_contact, sla_met, sla_target_hours"
)


@click.group("import")
def import_() -> None:
    """Import data into the register."""


def _read(
    fmt: str, file: str, mapping: dict[str, str], on_error: Literal["raise", "skip"], **kw: Any
) -> Any:
    from itil_ci import io

    if fmt == "csv":
        return io.read_csv(file, mapping or None, on_error=on_error, **kw)
    # ServiceNow and Jira name a field's source the other way round: {field: column}
    fields = {field: column for column, field in mapping.items()} or None
    if fmt == "servicenow":
        return io.read_servicenow(file, fields=fields, on_error=on_error, **kw)
    return io.read_jira(file, fields=fields, on_error=on_error, **kw)


@import_.command("tickets")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["servicenow", "csv", "jira"]),
    required=True,
    help="The export's format: a ServiceNow list export (CSV, event log) or REST JSON, "
    "any CSV with --map, or a Jira issue search (JSON).",
)
@click.option(
    "--map",
    "mapping",
    multiple=True,
    metavar="COLUMN=FIELD",
    help=f"The file's COLUMN holds ticket FIELD (repeatable). Fields: {_FIELDS}.",
)
@click.option(
    "--date-format",
    metavar="FORMAT",
    help='How times are written, strptime-style, e.g. "%d-%m-%Y %H:%M" (default: ISO 8601).',
)
@click.option(
    "--na", "na", multiple=True, metavar="TEXT", help='A marker of an empty value, e.g. "?".'
)
@click.option("--tz", default="UTC", show_default=True, help="Time zone of times without one.")
@click.option(
    "--by",
    "by",
    multiple=True,
    type=click.Choice(["service", "assignment_group", "category", "state", "priority"]),
    help="Derive each KPI per value of this column (repeatable: per combination).",
)
@click.option("--sla", help="The SLA definition to judge attainment by (default: the only one).")
@click.option(
    "--replace",
    is_flag=True,
    help="Replace every stored ticket (needed when the columns differ from the stored ones).",
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
    obj: Ctx,
    file: str,
    fmt: str,
    mapping: tuple[str, ...],
    date_format: str | None,
    na: tuple[str, ...],
    tz: str,
    by: tuple[str, ...],
    sla: str | None,
    replace: bool,
    on_error: Literal["raise", "skip"],
) -> None:
    """Keep a ticket export in the register and derive daily KPIs from its tickets.

    Tickets are kept by id: importing the same or an overlapping export again
    replaces a ticket only by a later version of it (update count, then
    update time) and never counts one twice.  Each KPI (MTTR, MTTA, SLA
    attainment, first contact resolution, reopen rate) is derived only when
    the tickets have the columns it needs; the output lists the others with
    the missing column.  SLA attainment is judged against an SLA definition
    ('itil-ci sla define'), else by the outcome recorded in the data
    (made_sla), else against per-ticket targets, else not at all.  Exits
    with 1 when the file holds no ticket or every row was skipped.

    \b
    Example:
      itil-ci import tickets incident_event_log.csv --format servicenow \\
          --date-format "%d-%m-%Y %H:%M" --na "?" --by assignment_group
      itil-ci import tickets incidents.csv --format csv --map Number=id --map Opened=opened
    """
    columns = pairs(mapping, "--map", "--map Number=id --map Opened=opened")
    for column, field in columns.items():
        if field not in _FIELDS.split(", "):
            raise BadValue(f"{column}={field}: {field!r} is not a ticket field", "--map", _FIELDS)
    with user_errors():
        result = _read(
            fmt, file, columns, on_error, date_format=date_format, na_values=list(na) or None, tz=tz
        )
        if len(result.tickets) == 0:
            why = (
                f"every one of its {result.rows:,} rows was skipped"
                if result.rows
                else "it holds no ticket"
            )
            first = f"; the first: {result.problems[0]}" if result.problems else ""
            raise UserError(
                f"nothing imported from {file}: {why}{first}",
                "check --format, --date-format and --map against the file's columns",
            )
        with obj.register() as reg:
            done = reg.import_tickets(
                result.tickets, result.history, by=list(by), sla=sla, replace=replace
            )
            derived = {d.key: d for d in reg.derivations() if d.key in set(done.derived)}
    _report(obj, file, result, done, list(by), derived)


def _report(obj: Ctx, file: str, result: Any, done: Any, by: list[str], derived: Any) -> None:
    from itil_ci.cli._kpis import doc
    from itil_ci.register import _derive

    metrics = [m for m in _derive.METRICS if any(d.metric == m for d in derived.values())]
    groups: dict[str, tuple[str, ...]] = {}
    for d in derived.values():
        suffix = d.key.partition(".")[2]
        groups.setdefault(suffix, tuple(d.where.values()))
    data = {
        "file": file,
        "rows": result.rows,
        "tickets": len(result.tickets),
        "skipped": result.skipped,
        "problems": [str(p) for p in result.problems],
        "notes": list(result.notes),
        "added": done.added,
        "updated": done.updated,
        "unchanged": done.unchanged,
        "stored": done.stored,
        "checksum": done.checksum,
        "by": by,
        "series": sorted(derived),
        "derived": [doc(d) for d in derived.values()],
        "not_derived": done.not_derived,
        "sla_basis": done.sla_basis,
    }

    def lines() -> list[str]:
        out = [
            f"imported {file}: {len(result.tickets):,} tickets from {result.rows:,} rows "
            f"({result.skipped:,} skipped)",
            *(f"  skipped: {p}" for p in result.problems),
            f"  added {done.added:,}, updated {done.updated:,}, unchanged {done.unchanged:,}; "
            f"the register holds {done.stored:,} tickets (checksum {done.checksum[:12]})",
        ]
        if metrics:
            per = f"by {' and '.join(by)} ({len(groups)} groups)" if by else "over all tickets"
            out.append(f"KPIs derived per day, {per}:")
            width = max(len(m) for m in metrics) + (8 if by else 0)
            for m in metrics:
                key = f"{m}.<group>" if by else m
                label = _derive.METRICS[m].label
                if m == "sla" and done.sla_basis:
                    basis = done.sla_basis.partition(":")[0]
                    label += f" (against {basis})" if basis.startswith("SLA") else f" ({basis})"
                out.append(f"  {key:<{width}}  {label}")
            if by:
                out.append("  where <group> is one of:")
                wide = max(len(g) for g in groups)
                out += [
                    f"    {g:<{wide}}  {' / '.join(x or '(none)' for x in values)}"
                    for g, values in sorted(groups.items())
                ]
        if done.not_derived:
            out.append("not derived:")
            out += [f"  {m}: {why}" for m, why in done.not_derived.items()]
        return out

    obj.emit(data, lines)
