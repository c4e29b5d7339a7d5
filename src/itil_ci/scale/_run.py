"""Running the Dask forms: partition jobs, one Dask computation per round (private).

A Dask form is written as a generator of *steps*: it checks its arguments,
then yields a :class:`Job` ("run ``fn(partition, index, *args)`` on every
partition of this frame") and receives the list of per-partition results,
which it combines on the client; it may yield a second job (the exact
percentiles of cells spread over partitions), and finally returns its
:class:`~itil_ci.measurement.GroupedKPI`.

:func:`run` drives several such generators together: each round gathers the
jobs of all of them and computes them in one ``dask.compute`` call, with one
task per partition of each frame, which reads the union of the columns the
jobs need and runs every job's function on it.  So KPIs computed together
(:func:`itil_ci.scale.compute`) read the data once.  The computation runs on
whatever scheduler is current: the ``distributed.Client`` the user made (it
registers itself as the default), or Dask's local threads.  Only the needed
columns are read (the projection reaches the Parquet reader).

:func:`regroup` keeps the rows that ``select(partition, *args)`` marks with a
non-negative ``_cell`` number and shuffles them on that number, so that each
cell's rows end up in one partition.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from contextvars import ContextVar
from typing import Any

import attrs
import numpy as np

from itil_ci._internal.validate import fail
from itil_ci.measurement.itsm import GroupedKPI
from itil_ci.scale._frame import dask

__all__ = ["CELL", "Job", "Steps", "compute", "finish", "regroup", "run"]

CELL = "_cell"


@attrs.frozen(eq=False)
class Job:
    """Run ``fn(partition, index, *args)`` on every partition of ``frame`` (only ``columns``)."""

    frame: Any
    columns: tuple[str, ...] | None
    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()


Steps = Generator[Job, list[Any], GroupedKPI]


def _apply(
    part: Any, index: int, calls: Sequence[tuple[Callable[..., Any], tuple[Any, ...]]]
) -> Any:
    return [fn(part, index, *args) for fn, args in calls]


def _compute(jobs: Sequence[Job]) -> list[list[Any]]:
    """The per-partition results of each job; jobs on one frame share its partitions' reads."""
    dask()
    from dask.base import compute
    from dask.delayed import delayed

    frames: dict[object, list[int]] = {}
    for i, job in enumerate(jobs):
        frames.setdefault(getattr(job.frame, "_name", id(job.frame)), []).append(i)
    tasks: list[Any] = []
    layout: list[tuple[list[int], int]] = []  # (jobs, partitions) per frame, in task order
    apply = delayed(_apply, pure=True)
    for members in frames.values():
        frame = jobs[members[0]].frame
        wanted: list[str] = []
        for i in members:
            cols = jobs[i].columns
            for name in frame.columns if cols is None else cols:
                if name not in wanted:
                    wanted.append(name)
        parts = frame[wanted].to_delayed()
        calls = [(jobs[i].fn, jobs[i].args) for i in members]
        tasks += [apply(p, k, calls) for k, p in enumerate(parts)]
        layout.append((members, len(parts)))
    done = compute(*tasks)  # type: ignore[no-untyped-call]
    out: list[list[Any]] = [[] for _ in jobs]
    at = 0
    for members, n_parts in layout:
        for per_part in done[at : at + n_parts]:
            for j, i in enumerate(members):
                out[i].append(per_part[j])
        at += n_parts
    return out


def run(*steps: Steps) -> list[GroupedKPI]:
    """Drive the generators together, one ``dask.compute`` per round of jobs."""
    results: list[GroupedKPI | None] = [None] * len(steps)
    waiting: dict[int, Job] = {}
    for i, gen in enumerate(steps):
        try:
            waiting[i] = next(gen)
        except StopIteration as stop:
            results[i] = stop.value
    while waiting:
        order = list(waiting)
        answers = _compute([waiting[i] for i in order])
        waiting = {}
        for i, answer in zip(order, answers, strict=True):
            try:
                waiting[i] = steps[i].send(answer)
            except StopIteration as stop:
                results[i] = stop.value
    return [r for r in results if r is not None]


_COLLECTING: ContextVar[bool] = ContextVar("itil_ci_scale_collecting", default=False)


class _Collected(BaseException):
    """Carries a Dask form's steps out of its call when :func:`compute` collects them.

    A ``BaseException`` so that a caller's ``except Exception`` does not stop it.
    """

    def __init__(self, steps: Steps) -> None:
        super().__init__("collected")
        self.steps = steps


def finish(steps: Steps) -> GroupedKPI:
    """Run one Dask form now, or hand its steps to :func:`compute` when it is collecting."""
    if _COLLECTING.get():
        raise _Collected(steps)
    return run(steps)[0]


def compute(*calls: Callable[[], GroupedKPI]) -> list[GroupedKPI]:
    """Several KPIs over the same tickets in one pass over the data, in the order given.

    Each of ``calls`` is a call of one :mod:`itil_ci.scale` KPI function
    waiting to be made: a :func:`functools.partial` or a ``lambda``.  The
    KPIs on the same dask DataFrame read each partition once (the union of
    the columns they need) and run in one Dask computation; each result is
    the one its function would give alone.

    Examples:
        >>> from functools import partial
        >>> import dask.dataframe as dd
        >>> import pandas as pd
        >>> from itil_ci import scale
        >>> df = pd.DataFrame({
        ...     "opened": pd.to_datetime(["2026-03-02T09:00"] * 4, utc=True),
        ...     "resolved": pd.to_datetime(["2026-03-02T12:00", "2026-03-02T14:00",
        ...                                 "2026-03-02T19:00", None], utc=True),
        ...     "priority": [1, 1, 2, 2]})
        >>> tickets = dd.from_pandas(df, npartitions=2)
        >>> m, s = scale.compute(
        ...     partial(scale.mttr, tickets),
        ...     lambda: scale.sla_attainment(tickets, {1: 4, 2: 8}),
        ... )
        >>> m.mean.tolist(), s.value.tolist()
        ([6.0], [0.333...])
    """
    collected: list[Steps] = []
    for i, call in enumerate(calls):
        if not callable(call):
            raise fail(f"calls[{i}]", "a call of an itil_ci.scale KPI function", call)
        token = _COLLECTING.set(True)
        try:
            call()
        except _Collected as got:
            collected.append(got.steps)
        else:
            raise fail(
                f"calls[{i}]",
                "a call of one itil_ci.scale KPI function (a functools.partial or a lambda)",
                call,
            )
        finally:
            _COLLECTING.reset(token)
    return run(*collected)


def _keep(part: Any, select: Callable[..., Any], *args: Any) -> Any:
    cell = select(part, *args)
    out = part.assign(**{CELL: cell})
    return out[cell >= 0]


def regroup(frame: Any, select: Callable[..., Any], *args: Any, cells: int) -> Any:
    """The rows ``select`` numbers (``>= 0``), shuffled so that rows of one number meet.

    ``select(part, *args)`` returns one int64 per row: the row's cell among
    the cells to bring together, or -1 to drop the row.
    """
    meta = frame._meta.assign(**{CELL: np.zeros(0, dtype=np.int64)})
    kept = frame.map_partitions(_keep, select, *args, meta=meta)
    n_out = max(1, min(int(frame.npartitions), cells))
    return kept.shuffle(on=CELL, npartitions=n_out)
