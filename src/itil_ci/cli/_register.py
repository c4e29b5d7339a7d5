"""``itil-ci init``: the register file."""

from __future__ import annotations

import click

from itil_ci.cli._context import Ctx, pass_ctx, user_errors


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
