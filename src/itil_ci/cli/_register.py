"""``itil-ci init`` and ``itil-ci register``: the register as a whole."""

from __future__ import annotations

import attrs
import click

from itil_ci.cli._context import Ctx, UserError, pass_ctx, user_errors


@click.command()
@pass_ctx
def init(obj: Ctx) -> None:
    """Create (or open and migrate) the register file.

    \b
    Example:
      itil-ci --db improvements.sqlite init
    """
    with user_errors(), obj.register():
        pass
    obj.emit({"db": obj.db}, lambda: [f"register ready: {obj.db}"])


@click.group("register")
def register() -> None:
    """The register as a whole: copy it between stores (SQLite, PostgreSQL).

    \b
    Example:
      itil-ci register copy improvements.sqlite postgresql://ci@db.example.org/ci
    """


@register.command("copy")
@click.argument("source")
@click.argument("destination")
@click.option(
    "--replace",
    is_flag=True,
    help="Replace what the destination holds (without it, it must be empty).",
)
@pass_ctx
def register_copy(obj: Ctx, source: str, destination: str, replace: bool) -> None:
    """Copy a whole register from SOURCE to DESTINATION and verify the copy.

    SOURCE and DESTINATION are each a SQLite file or a postgresql:// URL.
    Everything is copied (opportunities, initiatives, KPIs, baselines,
    series, SLA definitions, derivations, tickets and their history) in one
    transaction of the destination, which is read back and compared with the
    source (counts and CRC-32) before it commits.  Stop the source's writers
    first.

    \b
    Examples:
      itil-ci register copy improvements.sqlite postgresql://ci@db.example.org/ci
      itil-ci register copy "postgresql:///ci?host=/run/postgresql" backup.sqlite --replace
    """
    from itil_ci.errors import InvalidInputError
    from itil_ci.register import copy

    with user_errors():
        try:
            summary = copy(source, destination, replace=replace)
        except InvalidInputError as exc:
            if "expected an empty register" not in str(exc):
                raise
            raise UserError(
                str(exc).replace(" (or replace=True to replace what it holds)", ""),
                "add --replace to replace what the destination holds",
            ) from None
    data = attrs.asdict(summary)

    def lines() -> list[str]:
        what = ", ".join(
            f"{data[k]} {k.replace('_', ' ')}"
            for k in ("opportunities", "initiatives", "kpis", "baselines", "series")
        )
        return [
            f"copied {source} -> {destination}" + (" (replaced its content)" if replace else ""),
            f"  {what}; {data['observations']} observations, {data['documents']} documents, "
            f"{data['tables']} tables ({data['table_bytes']} bytes)",
            f"  verified: counts equal, CRC-32 {data['checksum']} on both sides",
        ]

    obj.emit(data, lines)
