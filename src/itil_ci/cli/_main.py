"""The ``itil-ci`` group, its commands and :func:`main`, the one place errors are shown."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence

import click

from itil_ci.cli._context import DEFAULT_DB, BadValue, Ctx, UserError, add_global_options
from itil_ci.cli._demo import demo
from itil_ci.cli._imports import import_
from itil_ci.cli._initiatives import initiative
from itil_ci.cli._kpis import baseline, kpi
from itil_ci.cli._opportunities import opportunity, prioritise
from itil_ci.cli._register import init, register
from itil_ci.cli._report import report
from itil_ci.cli._sla import sla


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    default=DEFAULT_DB,
    envvar="ITIL_CI_DB",
    show_default=True,
    metavar="PATH",
    help="The register: a SQLite file or a postgresql:// URL (also accepted after the command).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print JSON instead of text (also after the command)."
)
@click.version_option(package_name="itil-ci", prog_name="itil-ci")
@click.pass_context
def cli(ctx: click.Context, db: str, as_json: bool) -> None:
    """ITIL continual improvement from the command line.

    Every command works on a register file (--db, default improvements.sqlite,
    or $ITIL_CI_DB).  Exit codes: 0 success, 1 failure (a message and a hint
    on stderr), 2 bad usage.  With --json, output and errors are JSON.

    \b
    Example:
      itil-ci demo                       # a whole improvement cycle on synthetic data
      itil-ci --db ci.sqlite init
      itil-ci --db ci.sqlite import tickets incidents.json --format servicenow
      itil-ci --db ci.sqlite report --out report.html
    """
    source = ctx.get_parameter_source("db")
    explicit = source not in (click.core.ParameterSource.DEFAULT, None)
    ctx.obj = Ctx(db, db_explicit=explicit, as_json=as_json)


_COMMANDS = (
    demo,
    init,
    sla,
    import_,
    kpi,
    baseline,
    opportunity,
    prioritise,
    initiative,
    report,
    register,
)
for _command in _COMMANDS:
    cli.add_command(_command)
    add_global_options(_command)


def _wants_json(args: Sequence[str]) -> bool:
    """Whether ``--json`` is among the options (not after ``--``)."""
    head = args[: list(args).index("--")] if "--" in args else args
    return "--json" in head


def _hint(exc: click.ClickException) -> str:
    if isinstance(exc, UserError | BadValue):
        return exc.hint
    if isinstance(exc, click.UsageError) and exc.ctx is not None:
        return f"'{exc.ctx.command_path} --help' shows the usage"
    return ""


def _show(exc: click.ClickException, as_json: bool) -> None:
    if as_json:
        data = {"error": exc.format_message(), "hint": _hint(exc)}
        click.echo(json.dumps(data, ensure_ascii=False), err=True)
    else:
        exc.show()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 failure, 2 bad usage).

    Errors go to stderr as ``error: ...`` and ``hint: ...`` lines, or under
    ``--json`` as one JSON object ``{"error": ..., "hint": ...}``; no input
    makes it print a traceback (set ``ITIL_CI_TRACEBACK=1`` to see one for an
    internal error).

    Examples:
        >>> main(["--help"])  # doctest: +ELLIPSIS
        Usage: itil-ci [OPTIONS] COMMAND [ARGS]...
        ...
        0
    """
    args = list(sys.argv[1:] if argv is None else argv)
    as_json = _wants_json(args)
    try:
        cli.main(args=args, prog_name="itil-ci", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        _show(exc, as_json)
        return exc.exit_code
    except click.exceptions.Abort:
        _show(UserError("aborted"), as_json)
        return 1
    except Exception as exc:
        if os.environ.get("ITIL_CI_TRACEBACK"):
            raise
        _show(
            UserError(
                f"internal error: {type(exc).__name__}: {exc}",
                "this is a bug in itil-ci; ITIL_CI_TRACEBACK=1 shows where it happened",
            ),
            as_json,
        )
        return 1
    return 0
