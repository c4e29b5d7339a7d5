"""``itil-ci demo``: one whole improvement cycle on synthetic tickets."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from itil_ci.cli._context import Ctx, UserError, pass_ctx, user_errors

DEMO_DB = "itil-ci-demo.sqlite"


@click.command()
@click.option("--out", "out_dir", default=".", show_default=True, help="Where reports go.")
@click.option(
    "--tickets",
    default=100_000,
    show_default=True,
    type=click.IntRange(1),
    help="How many tickets.",
)
@click.option("--seed", default=7, show_default=True, type=click.IntRange(0), help="Random seed.")
@pass_ctx
def demo(obj: Ctx, out_dir: str, tickets: int, seed: int) -> None:
    """Run one whole improvement cycle on a year of synthetic tickets and write a report.

    Uses itil-ci-demo.sqlite in the current directory (replaced on every run)
    unless --db names another, new, file.

    \b
    Example:
      itil-ci demo --out reports/
    """
    from itil_ci._demo import STEPS, run_demo

    db = Path(obj.db if obj.db_explicit else DEMO_DB)
    if obj.db_explicit and db.exists():
        raise UserError(
            f"--db: {db} exists; the demo writes a new register",
            "pick another path, or leave --db out to use itil-ci-demo.sqlite",
        )
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    with user_errors():
        if obj.as_json:
            result = run_demo(db, out_dir, tickets=tickets, seed=seed)
        else:
            with click.progressbar(
                length=len(STEPS),
                label="itil-ci demo",
                show_eta=False,
                item_show_func=lambda s: s,
                file=sys.stderr,
            ) as bar:

                def progress(step: str) -> None:
                    bar.update(0 if step == STEPS[0] else 1, step)

                result = run_demo(db, out_dir, tickets=tickets, seed=seed, progress=progress)
    c, e = result.comparison, result.evaluation
    obj.emit(
        {
            "db": str(result.db),
            "report_html": str(result.html),
            "report_md": str(result.markdown),
            "tickets": result.tickets,
            "initiative": result.initiative.id,
            "step": result.initiative.step,
            "verdict": c.verdict.value,
            "difference": c.difference,
            "ci": [c.low, c.high],
            "status": e.status.value,
            "attainment": e.attainment,
            "timings": result.timings,
        },
        result.summary,
    )
