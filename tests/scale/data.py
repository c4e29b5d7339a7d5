"""Random tickets for the Dask forms' tests, their Parquet layouts, and result comparison.

Tickets are made with numpy from a seed: opened times over a few months
(a fifth exactly at a month start, a period boundary), lognormal durations
rounded to the minute (ties), some zero durations, a share still open.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

GROUPS = np.array(["db", "network", "service desk", "web"])
BASE = np.datetime64("2025-01-01T00:00", "ns")


def random_tickets(
    seed: int, n: int, *, days: int = 120, open_share: float = 0.1, groups: int = 3
) -> pd.DataFrame:
    """``n`` random tickets over ``days`` days from 2025-01-01, as a pandas frame (UTC times)."""
    rng = np.random.default_rng(seed)
    seconds = rng.integers(0, days * 86_400, n)
    opened = BASE + seconds.astype("timedelta64[s]")
    # a fifth of the tickets opened exactly at a month start (period boundaries)
    months = np.arange("2025-01", np.datetime64("2025-01") + max(days // 30, 1), dtype="M8[M]")
    at_start = rng.random(n) < 0.2
    opened[at_start] = rng.choice(months, int(at_start.sum())).astype("datetime64[ns]")
    minutes = np.round(rng.lognormal(np.log(300), 1.3, n)).astype(np.int64)
    minutes[rng.random(n) < 0.05] = 0
    resolved = opened + minutes.astype("timedelta64[m]")
    resolved[rng.random(n) < open_share] = np.datetime64("NaT")
    acknowledged = opened + rng.integers(0, 120, n).astype("timedelta64[m]")
    acknowledged[rng.random(n) < open_share / 2] = np.datetime64("NaT")
    utc = {
        name: pd.Series(values).dt.tz_localize("UTC")
        for name, values in (
            ("opened", opened),
            ("resolved", resolved),
            ("acknowledged", acknowledged),
        )
    }
    return pd.DataFrame(
        {
            "id": [f"INC{i:07d}" for i in range(n)],
            **utc,
            "priority": rng.integers(1, 5, n),
            "assignment_group": rng.choice(GROUPS[:groups], n),
            "reopen_count": rng.poisson(0.2, n),
            "first_contact": rng.random(n) < 0.6,
        }
    )


def write_months(df: pd.DataFrame, root: Path) -> Path:
    """The tickets as hive-style month directories (``month=2025-01/part-0.parquet``)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    month = df["opened"].dt.strftime("%Y-%m")
    for value in sorted(set(month)):
        folder = root / f"month={value}"
        folder.mkdir(parents=True)
        part = df[month == value].reset_index(drop=True)
        pq.write_table(pa.Table.from_pandas(part, preserve_index=False), folder / "part-0.parquet")
    return root


def frame(df: pd.DataFrame, pieces: list[slice] | None = None) -> Any:
    """A dask DataFrame whose partitions are ``df[piece]`` for each piece (empty ones allowed)."""
    import dask.dataframe as dd

    parts = [df] if pieces is None else [df.iloc[p].reset_index(drop=True) for p in pieces]
    return dd.from_map(_same_frame, parts, meta=df.iloc[:0], enforce_metadata=False)


def _same_frame(part: pd.DataFrame) -> pd.DataFrame:
    return part


def columns(df: pd.DataFrame, *names: str) -> list[np.ndarray]:
    """Columns as the in-memory functions take them: numpy, times as datetime64[ns] UTC."""
    out = []
    for name in names:
        s = df[name]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out.append(s.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]"))
        elif s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            out.append(s.to_numpy().astype(str))
        else:
            out.append(s.to_numpy())
    return out


def keyed(df: pd.DataFrame, by: list[str] | None) -> dict[str, np.ndarray] | None:
    """``by=`` for the in-memory functions: the key columns by name."""
    if not by:
        return None
    return dict(zip(by, columns(df, *by), strict=True))


def assert_same(
    got: Any,
    want: Any,
    *,
    rtol: float = 1e-12,
    atol: dict[str, float] | None = None,
    any_number: tuple[str, ...] = (),
) -> None:
    """Two GroupedKPI are the same: names, keys, columns, method, parameters; numbers to rtol.

    ``atol`` gives an absolute tolerance for named columns (0 for all others);
    the columns in ``any_number`` may differ in numeric dtype (float vs int).
    """
    assert got.kpi == want.kpi
    assert got.names == want.names
    assert len(got) == len(want)
    for a, b in zip(got.groups, want.groups, strict=True):
        assert a.dtype.kind == b.dtype.kind, (a.dtype, b.dtype)
        assert a.tolist() == b.tolist()
    ours, theirs = got.columns(), want.columns()
    assert list(ours) == list(theirs)
    for name in ours:
        a, b = ours[name], theirs[name]
        # text keys: the same values; numpy's string width follows the input, not the values
        same_type = a.dtype.kind == b.dtype.kind == "U" or a.dtype == b.dtype
        assert same_type or name in any_number, (name, a.dtype, b.dtype)
        if name in any_number:
            a, b = a.astype(np.float64), b.astype(np.float64)
        if a.dtype.kind == "f":
            tol = (atol or {}).get(name, 0.0)
            np.testing.assert_allclose(a, b, rtol=rtol, atol=tol, equal_nan=True, err_msg=name)
        else:
            np.testing.assert_array_equal(a, b, err_msg=name)
    assert got.unit == want.unit
    assert got.method == want.method
    assert dict(got.parameters) == dict(want.parameters)


def random_outages(seed: int, n: int, services: int = 3) -> pd.DataFrame:
    """``n`` outages of a few services that never overlap, some still going on, rows shuffled."""
    rng = np.random.default_rng(seed)
    names = np.array(["db", "vpn", "web"])[:services]
    service = rng.choice(names, n)
    frames = []
    for name in names:
        k = int((service == name).sum())
        gaps = rng.integers(3600, 20 * 86_400, k).cumsum()
        start = np.datetime64("2025-01-01", "ns") + gaps.astype("timedelta64[s]")
        # each outage ends before the next one starts (some last zero seconds, some whole days)
        lasting = np.minimum(rng.integers(0, 4 * 86_400, k), np.r_[np.diff(gaps), 10**9])
        end = start + lasting.astype("timedelta64[s]")
        if k and rng.random() < 0.5:
            end[-1] = np.datetime64("NaT")
        frames.append(pd.DataFrame({"start": start, "end": end, "service": name}))
    df = pd.concat(frames, ignore_index=True).sample(frac=1.0, random_state=seed)
    for name in ("start", "end"):
        df[name] = df[name].dt.tz_localize("UTC")
    return df.reset_index(drop=True)


def pieces(n: int, seed: int, parts: int = 4) -> list[slice]:
    """Cut ``n`` rows into contiguous pieces at random places, one of them empty."""
    rng = np.random.default_rng(seed)
    cuts = np.sort(rng.integers(0, n + 1, parts - 1))
    bounds = [0, *cuts.tolist(), n]
    out = [slice(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]
    out.insert(int(rng.integers(0, len(out) + 1)), slice(0, 0))
    return out


PAUSE_STATES = frozenset({"On Hold", "Awaiting User"})
_WORK_STATES = np.array(["In Progress", "On Hold", "Awaiting User", "In Progress", "Assigned"])


def calendar() -> Any:
    """Business hours in New York (DST from 9 March 2025) with holidays, a short Saturday."""
    from itil_ci import BusinessCalendar

    return BusinessCalendar(
        "mon-fri 08:00-18:00; sat 09:00-12:00",
        timezone="America/New_York",
        holidays=["2025-01-01", "2025-01-20", "2025-02-17", "2025-04-18", "2025-05-26"],
    )


def random_history(df: pd.DataFrame, seed: int, *, strangers: int = 3) -> pd.DataFrame:
    """A state history of the tickets in ``df`` as an event log, in history order.

    Each ticket: ``New`` at its opening, a few work and pause states (pauses
    often running over a month's end), ``Resolved`` at its resolution when
    resolved (an open ticket may still be on hold).  Rows are ordered by
    time across tickets, as an export's event log; then a few events get an
    earlier time without moving (history order is not time order).  A few
    tickets not in ``df`` have events too (their pauses tie to nothing).
    """
    rng = np.random.default_rng(seed)
    ids = list(df["id"]) + [f"OTHER{i}" for i in range(strangers)]
    opened = np.concatenate(
        [columns(df, "opened")[0], BASE + rng.integers(0, 90 * 86_400, strangers).astype("m8[s]")]
    )
    resolved = np.concatenate(
        [columns(df, "resolved")[0], np.full(strangers, np.datetime64("NaT"))]
    )
    rows: list[tuple[str, np.datetime64, str, str]] = []
    for i, ticket in enumerate(ids):  # test data: a loop over a few hundred tickets
        group = str(rng.choice(GROUPS))
        rows.append((ticket, opened[i], "New", group))
        end = resolved[i] if not np.isnat(resolved[i]) else opened[i] + np.timedelta64(12, "D")
        k = int(rng.integers(0, 5))
        span = max(int((end - opened[i]) / np.timedelta64(1, "s")), 1)
        at = np.sort(rng.integers(0, span, k)).astype("m8[s]") + opened[i]
        for t in at:
            group = str(rng.choice(GROUPS)) if rng.random() < 0.3 else group
            rows.append((ticket, t, str(rng.choice(_WORK_STATES)), group))
        if not np.isnat(resolved[i]):
            rows.append((ticket, resolved[i], "Resolved", group))
    hist = pd.DataFrame(rows, columns=["id", "time", "state", "assignment_group"])
    hist["time"] = hist["time"].astype("datetime64[ns]")
    hist = hist.sort_values("time", kind="stable").reset_index(drop=True)
    late = rng.random(len(hist)) < 0.03  # logged later than it happened
    hist.loc[late, "time"] = hist.loc[late, "time"] - pd.Timedelta(hours=5)
    hist["time"] = hist["time"].dt.tz_localize("UTC")
    return hist


def history_of(hist: pd.DataFrame) -> Any:
    """The in-memory History of an event log (history order: the log's row order)."""
    from itil_ci.io import History

    return History(
        id=hist["id"].to_numpy().astype(str),
        time=columns(hist, "time")[0],
        state=hist["state"].to_numpy().astype(str),
        assignment_group=hist["assignment_group"].to_numpy().astype(str),
    )


def tickets_of(df: pd.DataFrame) -> Any:
    """The tickets of ``df`` as an in-memory Tickets table."""
    from itil_ci.io import Tickets

    opened, ack, resolved = columns(df, "opened", "acknowledged", "resolved")
    return Tickets(
        id=df["id"].to_numpy().astype(str),
        opened=opened,
        acknowledged=ack,
        resolved=resolved,
        priority=df["priority"].to_numpy(),
        assignment_group=df["assignment_group"].to_numpy().astype(str),
        reopen_count=df["reopen_count"].to_numpy(),
        first_contact=df["first_contact"].to_numpy(),
    )


def pauses_frame(p: Any) -> pd.DataFrame:
    """A Pauses table as a pandas frame (``id``, ``start``, ``end`` in UTC)."""
    return pd.DataFrame(
        {
            "id": p.id.astype(object),
            "start": pd.Series(p.start).dt.tz_localize("UTC"),
            "end": pd.Series(p.end).dt.tz_localize("UTC"),
        }
    )
