"""``itil-ci report``: the register as a report (HTML, Markdown) or its JSON export."""

from __future__ import annotations

from pathlib import Path

import click

from itil_ci.cli._context import Ctx, pass_ctx, user_errors
from itil_ci.cli._parsing import criteria, pairs


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(["html", "md", "json"]), default="html", show_default=True
)
@click.option("--out", "out", help="Output file (default report.<format>).")
@click.option(
    "--criterion",
    "criteria_",
    multiple=True,
    metavar="NAME:WEIGHT[:cost]",
    help="Criteria for the backlog's weighted sum (repeatable).",
)
@click.option("--key", "keys", multiple=True, metavar="INPUT=SCORE_KEY")
@pass_ctx
def report(
    obj: Ctx, fmt: str, out: str | None, criteria_: tuple[str, ...], keys: tuple[str, ...]
) -> None:
    """Write a report of the register (self-contained HTML, Markdown, or the JSON export).

    \b
    Example:
      itil-ci report --format md --out improvements.md
    """
    path = Path(out or f"report.{fmt}")
    crit = criteria(criteria_) if criteria_ else None
    key_map = pairs(keys, "--key", "--key benefit=expected_benefit") or None
    with user_errors(), obj.register() as reg:
        if fmt == "json":
            path.write_text(reg.export_json(indent=2), encoding="utf-8")
        else:
            from itil_ci.report import report_from_register, write_report

            data = report_from_register(reg, criteria=crit, keys=key_map)
            write_report(data, path, format=fmt)
    obj.emit({"report": str(path)}, lambda: [f"wrote {path}"])
