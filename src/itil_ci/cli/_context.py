"""What every command shares: the global options, the register, the output, the error path.

Every command of ``itil-ci`` reads its register through :meth:`Ctx.register`,
prints through :meth:`Ctx.emit` (text lines, or one JSON document with
``--json``) and reports a failure by raising :class:`UserError` (exit code 1)
or :class:`BadValue` (a malformed option value, exit code 2); library errors
are turned into :class:`UserError` by :func:`user_errors`, each with a hint
that says what to do next.  ``main`` (``cli/_main.py``) renders them, as
text or as ``{"error": ..., "hint": ...}``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from itil_ci.register import Register

DEFAULT_DB = "improvements.sqlite"


class UserError(click.ClickException):
    """A failure the user can fix (exit code 1): a message and, when we know one, a hint."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)
        if self.hint:
            click.echo(f"hint: {self.hint}", err=True)


class BadValue(click.BadParameter):
    """A malformed option value (exit code 2), with a hint (usually an example)."""

    def __init__(self, message: str, option: str, hint: str = "") -> None:
        super().__init__(message, param_hint=option)
        self.hint = hint

    def show(self, file: IO[Any] | None = None) -> None:
        super().show(file)
        if self.hint:
            click.echo(f"hint: {self.hint}", err=True)


class Ctx:
    """The state one run of the command line shares: the register path and the output mode."""

    def __init__(self, db: str, *, db_explicit: bool, as_json: bool) -> None:
        self.db = db
        self.db_explicit = db_explicit
        self.as_json = as_json

    @contextmanager
    def register(self) -> Iterator[Register]:
        """The register at ``--db``, open for the block and closed after it."""
        from itil_ci.register import Register

        reg = Register.open(self.db)
        try:
            yield reg
        finally:
            reg.close()

    def emit(self, data: Any, lines: Callable[[], Sequence[str]]) -> None:
        """Print ``data`` as JSON under ``--json``, else the text ``lines()``."""
        if self.as_json:
            click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=_plain))
        else:
            for line in lines():
                click.echo(line)


def _plain(value: object) -> object:
    """JSON for what ``json`` does not know: times in ISO 8601, anything else as text."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


pass_ctx = click.make_pass_decorator(Ctx)


def _take_db(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        obj = ctx.find_object(Ctx)
        if obj is not None:
            obj.db, obj.db_explicit = value, True


def _take_json(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    obj = ctx.find_object(Ctx)
    if value and obj is not None:
        obj.as_json = True


def add_global_options(command: click.Command) -> None:
    """Give ``command`` and every command under it ``--db`` and ``--json`` (after the name)."""
    command.params += [
        click.Option(
            ["--db"],
            metavar="PATH",
            expose_value=False,
            callback=_take_db,
            help=(
                "The register: a SQLite file or a postgresql:// URL "
                "(also accepted before the command)."
            ),
        ),
        click.Option(
            ["--json"],
            is_flag=True,
            expose_value=False,
            callback=_take_json,
            help="Print JSON instead of text (also accepted before the command).",
        ),
    ]
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            add_global_options(sub)


def _hint(exc: Exception) -> str:
    """What to do next about a library error, in the command line's terms."""
    from itil_ci import errors

    text = str(exc)
    if isinstance(exc, errors.NotFound):
        if text.startswith("KPI"):
            return "'itil-ci kpi list' shows the defined KPIs; 'itil-ci kpi define KEY' adds one"
        if text.startswith("opportunity"):
            return "'itil-ci opportunity list' shows the opportunities and their ids"
        if text.startswith("initiative"):
            return "'itil-ci initiative status' shows the initiatives and their ids"
        if "baseline" in text:
            return "'itil-ci baseline capture KEY' keeps a baseline of a KPI"
        return ""
    if isinstance(exc, errors.StepBlocked):
        return (
            "'itil-ci initiative status ID' lists what the step needs; attach it with "
            "--set NAME=JSON (see 'itil-ci initiative advance --help')"
        )
    if isinstance(exc, errors.PermissionDenied):
        return "pass --role with a role that may make this move (docs: Engines, roles)"
    if isinstance(exc, errors.ConflictError):
        return "someone changed it since it was read; run the command again"
    if isinstance(exc, errors.ImportRowError):
        if "column" in text and "line 1:" in text:
            return "--map COLUMN=FIELD says which column of the file holds which ticket field"
        return "--on-error skip leaves bad rows out and counts them"
    if isinstance(exc, errors.StorageError):
        return "check --db: it must name a register file this version can read and write"
    return ""


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn library and file errors into :class:`UserError` (exit 1, no traceback)."""
    from itil_ci.errors import ItilCiError

    try:
        yield
    except ItilCiError as exc:
        raise UserError(str(exc), _hint(exc)) from None
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        raise UserError(f"{where}{exc.strerror or exc}") from None
    except ValueError as exc:  # a value the library refused without naming it as ours
        raise UserError(str(exc)) from None
