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
(:func:`itil_ci.scale.compute`) read the data once.  A job may have a
*companion*: a second dask DataFrame whose partitions are paired with the
frame's (``pairing[i]`` is the companion partition of partition ``i``, -1
for none), or one object (a ``Delayed``) handed to every partition; the
function then gets it as ``companion=``.  A step may also yield several jobs
at once (a tuple) and receives their results in the same order.  The computation runs on
whatever scheduler is current: the ``distributed.Client`` the user made (it
registers itself as the default), or Dask's local threads.  Only the needed
columns are read (the projection reaches the Parquet reader).

:func:`regroup` keeps the rows that ``select(partition, *args)`` marks with a
non-negative ``_cell`` number and shuffles them on that number, so that each
cell's rows end up in one partition; :func:`derive` makes a new frame of a
job's per-partition results (companion included), ready for such a shuffle.
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

__all__ = ["CELL", "Job", "Steps", "compute", "derive", "finish", "regroup", "run"]

CELL = "_cell"


@attrs.frozen(eq=False)
class Job:
    """Run ``fn(partition, index, *args)`` on every partition of ``frame`` (only ``columns``).

    With a ``companion`` the call is ``fn(partition, index, *args, companion=c)``:
    ``c`` is partition ``pairing[index]`` of the companion frame (only
    ``companion_columns``), ``None`` where the pairing is -1, or the companion
    itself when it is not a frame (one object for every partition).
    """

    frame: Any
    columns: tuple[str, ...] | None
    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()
    companion: Any = None
    pairing: tuple[int, ...] | None = None
    companion_columns: tuple[str, ...] | None = None

    def companions(self, n_parts: int) -> list[Any]:
        """The companion of each of the frame's ``n_parts`` partitions (delayed objects)."""
        if self.companion is None:
            return [None] * n_parts
        if not isinstance(self.companion, dask().DataFrame):
            return [self.companion] * n_parts  # one object for every partition
        comp = self.companion
        if self.companion_columns is not None:
            comp = comp[list(self.companion_columns)]
        parts = comp.to_delayed()
        pairing = self.pairing if self.pairing is not None else tuple(range(n_parts))
        if len(pairing) != n_parts:  # pragma: no cover - the callers pair every partition
            raise ValueError("a pairing per partition")
        return [parts[j] if j >= 0 else None for j in pairing]


Round = Job | tuple[Job, ...]
Steps = Generator[Round, Any, GroupedKPI]
_Call = tuple[Callable[..., Any], tuple[Any, ...], bool, Any]


def _apply(part: Any, index: int, calls: Sequence[_Call]) -> Any:
    out = []
    for fn, args, paired, companion in calls:
        if paired:
            out.append(fn(part, index, *args, companion=companion))
        else:
            out.append(fn(part, index, *args))
    return out


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
        comps = [jobs[i].companions(len(parts)) for i in members]
        for k, p in enumerate(parts):
            calls = [
                (jobs[i].fn, jobs[i].args, jobs[i].companion is not None, comps[j][k])
                for j, i in enumerate(members)
            ]
            tasks.append(apply(p, k, calls))
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
    waiting: dict[int, Round] = {}
    for i, gen in enumerate(steps):
        try:
            waiting[i] = next(gen)
        except StopIteration as stop:
            results[i] = stop.value
    while waiting:
        order = list(waiting)
        flat: list[Job] = []
        spans: list[tuple[int, int, bool]] = []  # (first job, jobs, yielded a tuple)
        for i in order:
            got = waiting[i]
            many = isinstance(got, tuple)
            batch = list(got) if isinstance(got, tuple) else [got]
            spans.append((len(flat), len(batch), many))
            flat += batch
        answers = _compute(flat)
        waiting = {}
        for i, (first, count, many) in zip(order, spans, strict=True):
            answer: Any = answers[first : first + count] if many else answers[first]
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


def derive(job: Job, meta: Any) -> Any:
    """A dask DataFrame whose partition ``k`` is the job's result on partition ``k``.

    ``job.fn`` must return a pandas DataFrame like ``meta``; its companion is
    paired as in a computed job.  Nothing runs until the frame is computed.
    """
    dd = dask()
    from dask.delayed import delayed

    cols = list(job.frame.columns if job.columns is None else job.columns)
    parts = job.frame[cols].to_delayed()
    comps = job.companions(len(parts))
    paired = job.companion is not None
    apply = delayed(_one, pure=True)
    pieces = [apply(p, k, (job.fn, job.args, paired, comps[k])) for k, p in enumerate(parts)]
    return dd.from_delayed(pieces, meta=meta, verify_meta=False)


def whole_cells(
    source: Job, meta: Any, cells: int, kernel: Callable[..., Any], *args: Any
) -> Generator[Job, list[Any], list[Any]]:
    """Bring each cell's rows together and run ``kernel`` on every cell whole.

    ``source`` gives, per partition, the rows of the cells to finish with
    their number in column ``CELL`` (a pandas frame like ``meta``); the rows
    are shuffled on it and ``kernel(part, index, *args)`` runs on each
    shuffled partition.  Yields that job; returns its non-None answers.
    """
    n_out = max(1, min(int(source.frame.npartitions), cells))
    moved = derive(source, meta).shuffle(on=CELL, npartitions=n_out)
    answer = yield Job(moved, None, kernel, args)
    return [q for q in answer if q is not None]


def _one(part: Any, index: int, call: _Call) -> Any:
    return _apply(part, index, [call])[0]


def regroup(frame: Any, select: Callable[..., Any], *args: Any, cells: int) -> Any:
    """The rows ``select`` numbers (``>= 0``), shuffled so that rows of one number meet.

    ``select(part, *args)`` returns one int64 per row: the row's cell among
    the cells to bring together, or -1 to drop the row.
    """
    meta = frame._meta.assign(**{CELL: np.zeros(0, dtype=np.int64)})
    kept = frame.map_partitions(_keep, select, *args, meta=meta)
    n_out = max(1, min(int(frame.npartitions), cells))
    return kept.shuffle(on=CELL, npartitions=n_out)
