"""Dimensions of observations: record with ``dims``, slice with ``series(filters=...)``.

Known answers on both stores (every expected number is read off the
recorded input in the test itself), a property against numpy filtering of
the recorded arrays, the SQLite migration of a schema-1 file, and checks
that a filtered read selects chunk groups in the store rather than decoding
and dropping observations.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import itil_ci as ic
from itil_ci.errors import InvalidInputError
from itil_ci.register import SCHEMA_VERSION, Register, _schema, _sql

SERVICES = ("email", "vpn", "erp")


def _t(*days: str) -> np.ndarray:
    return np.array(days, dtype="datetime64[ns]")


def _fill(reg: Register) -> None:
    # day:      01     02     03     04     05
    # service:  email  vpn    email  -      vpn
    # team:     ops    ops    desk   ops    -
    t = _t("2026-01-05", "2026-01-01", "2026-01-03", "2026-01-02", "2026-01-04")
    reg.record(
        "mttr",
        t,
        [5.0, 1.0, 3.0, 2.0, 4.0],
        source="snow",
        dims={
            "service": ["vpn", "email", "email", "vpn", None],
            "team": [None, "ops", "desk", "ops", "ops"],
        },
    )
    reg.record("mttr", _t("2026-01-03"), [30.0], dims={"service": "email"})  # no source
    reg.record("mttr", _t("2026-01-03"), [300.0])  # no source, no dims


def test_known_answers_of_filters(reg: Register) -> None:
    _fill(reg)

    def values(**filters: Any) -> list[float]:
        return reg.series("mttr", filters=filters).values.tolist()

    # no filter: time order; on 01-03 no source first (no dims, then email), then snow
    assert values() == [1.0, 2.0, 300.0, 30.0, 3.0, 4.0, 5.0]
    assert values(service="email") == [1.0, 30.0, 3.0]
    assert values(service="email", source="snow") == [1.0, 3.0]
    assert values(service="email", source=None) == [30.0]
    assert values(service=["vpn", "erp"]) == [2.0, 5.0]
    assert values(team="ops") == [1.0, 2.0, 4.0]
    assert values(team="ops", service="email") == [1.0]
    assert values(service=[]) == []
    assert values(source=[]) == []
    assert values(priority="P1") == []  # nobody has the dimension: nothing matches
    assert values(service="email", team="nobody") == []
    w = reg.series("mttr", start="2026-01-02T00:00:00Z", end="2026-01-04T00:00:00Z")
    assert w.values.tolist() == [2.0, 300.0, 30.0, 3.0]
    w = reg.series(
        "mttr", start="2026-01-02T00:00:00Z", filters={"service": "email", "source": "snow"}
    )
    assert w.values.tolist() == [3.0]
    assert w.times.tolist() == _t("2026-01-03").tolist()


def test_series_keys_and_export_report_dims(reg: Register) -> None:
    _fill(reg)
    assert reg.store.series_keys("mttr") == [
        ("mttr", None, "{}"),
        ("mttr", None, '{"service":"email"}'),
        ("mttr", "snow", '{"service":"email","team":"desk"}'),
        ("mttr", "snow", '{"service":"email","team":"ops"}'),
        # canonical JSON order: ',' sorts before '}', so a longer combination comes first
        ("mttr", "snow", '{"service":"vpn","team":"ops"}'),
        ("mttr", "snow", '{"service":"vpn"}'),
        ("mttr", "snow", '{"team":"ops"}'),
    ]
    assert reg.store.series_keys("fcr") == []
    exported = [(rs.source, rs.dims, rs.series.values.tolist()) for rs in reg.export().series]
    assert exported[1] == (None, {"service": "email"}, [30.0])
    assert exported[-1] == ("snow", {"team": "ops"}, [4.0])


def test_one_value_for_every_observation_and_columns_agree(reg: Register) -> None:
    t = _t("2026-01-01", "2026-01-02")
    reg.record("k", t, [1.0, 2.0], dims={"service": "email", "team": ["a", "a"]})
    reg.record("k", t, [3.0, 4.0], dims={"service": np.array(["email", "email"])})
    assert reg.store.series_keys("k") == [
        ("k", None, '{"service":"email","team":"a"}'),
        ("k", None, '{"service":"email"}'),
    ]
    # equal times: by canonical dims ('{"service":"email","team":"a"}' first)
    assert reg.series("k", filters={"service": "email"}).values.tolist() == [1.0, 3.0, 2.0, 4.0]
    # every observation without the dimension (None throughout): it is not stored
    reg.record("k", t[:1], [5.0], dims={"team": [None]})
    assert reg.store.series_keys("k")[0] == ("k", None, "{}")


def test_pandas_columns_work(reg: Register) -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(
        {
            "t": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03"], utc=True),
            "x": [1.0, 2.0, 3.0],
            "service": pd.Categorical(["email", "vpn", "email"]),
            "team": ["a", None, "b"],
        }
    )
    reg.record("k", df["t"], df["x"], dims={"service": df["service"], "team": df["team"]})
    assert reg.series("k", filters={"service": "email"}).values.tolist() == [1.0, 3.0]
    assert reg.series("k", filters={"team": ["a", "b"]}).values.tolist() == [1.0, 3.0]


def test_bad_dims_write_nothing(reg: Register) -> None:
    t = _t("2026-01-01", "2026-01-02")
    for dims in ({"service": ["a"]}, {"service": ["a", 1]}, {"Service!": "a"}, {"team": ""}):
        with pytest.raises(InvalidInputError, match="dims"):
            reg.record("k", t, [1.0, 2.0], dims=dims)
    assert reg.store.series_keys() == []


def test_many_combinations_are_read_in_batches(tmp_path: Path) -> None:
    reg = Register.open(tmp_path / "many.db")
    n = 1_200  # more combinations than one SQL statement takes as parameters here
    services = np.array([f"s{i:04d}" for i in range(n)])
    t = np.arange(n, dtype=np.int64).view("datetime64[ns]")
    reg.record("k", t, np.arange(n, dtype=float), dims={"service": services})
    wanted = services[::2].tolist()  # 600 of them
    s = reg.series("k", filters={"service": wanted})
    np.testing.assert_array_equal(s.values, np.arange(0, n, 2, dtype=float))
    reg.close()


def test_filtered_read_fetches_only_matching_groups(
    reg: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = 200_000  # four chunks per service in SQLite
    rng = np.random.default_rng(7)
    service = np.array(SERVICES)[rng.integers(0, 3, n)]
    t = np.arange(n, dtype=np.int64).view("datetime64[ns]")
    reg.record("k", t, np.arange(n, dtype=float), dims={"service": service})
    fetched: list[Any] = []
    real = reg.store.fetch

    def spy(*args: Any, **kwargs: Any) -> Any:
        out = real(*args, **kwargs)
        fetched.extend(out)
        return out

    monkeypatch.setattr(reg.store, "fetch", spy)
    s = reg.series("k", filters={"service": "vpn"})
    np.testing.assert_array_equal(s.values, np.flatnonzero(service == "vpn").astype(float))
    assert fetched
    assert {d for _, d, _, _ in fetched} == {'{"service":"vpn"}'}


def test_sqlite_lists_groups_from_the_index(tmp_path: Path) -> None:
    path = tmp_path / "plan.db"
    Register.open(path).close()
    con = sqlite3.connect(path)
    plan = con.execute(
        "EXPLAIN QUERY PLAN SELECT DISTINCT kpi_key, source, dims FROM chunks WHERE kpi_key = ?",
        ("k",),
    ).fetchall()
    con.close()
    assert "COVERING INDEX chunks_groups" in " ".join(str(row[-1]) for row in plan)


# --- migration of a schema-1 file --------------------------------------------------


def _schema1_file(path: Path) -> None:
    """A register file exactly as schema version 1 wrote it, built with bare sqlite3."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    for statement in _sql.SQLITE.statements(_schema.MIGRATIONS[0], 0):  # SQLite's types
        con.execute(statement)
    con.execute(f"PRAGMA application_id={_schema.APPLICATION_ID:d}")
    con.execute("PRAGMA user_version=1")
    opp = ic.Opportunity("old", id="o1")
    con.execute(
        "INSERT INTO opportunities VALUES (?, 0, 'logged', '', 'other', ?, ?)",
        ("o1", opp.updated_at.isoformat(), ic.io.to_json(opp)),
    )
    con.execute("INSERT INTO kpis VALUES ('mttr', ?)", (ic.io.to_json(ic.KPI("mttr")),))
    for source, t, x in ((None, [1, 3], [1.0, 3.0]), ("snow", [2], [2.0])):
        ti, xf = np.array(t, dtype="<i8"), np.array(x, dtype="<f8")
        con.execute(
            "INSERT INTO chunks (kpi_key, source, t_min, t_max, n, times, vals) "
            "VALUES ('mttr', ?, ?, ?, ?, ?, ?)",
            (source, int(ti[0]), int(ti[-1]), ti.size, ti.tobytes(), xf.tobytes()),
        )
    con.close()


def test_schema1_file_migrates_and_keeps_all_its_data(tmp_path: Path) -> None:
    assert SCHEMA_VERSION >= 2  # dims arrived in 2; later versions migrate through it
    path = tmp_path / "v1.db"
    _schema1_file(path)
    with Register.open(path) as reg:
        before = json.loads(reg.export_json())
        assert reg.opportunity("o1").title == "old"
        assert [k.key for k in reg.kpis()] == ["mttr"]
        assert reg.series("mttr").values.tolist() == [1.0, 2.0, 3.0]
        assert reg.series("mttr", filters={"source": "snow"}).values.tolist() == [2.0]
        assert reg.store.series_keys() == [("mttr", None, "{}"), ("mttr", "snow", "{}")]
        assert len(reg.series("mttr", filters={"service": "email"})) == 0
        reg.record("mttr", np.array([4], dtype="datetime64[ns]"), [4.0], dims={"service": "a"})
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT dims FROM chunks ORDER BY seq").fetchall() == [
        ("{}",),
        ("{}",),
        ('{"service":"a"}',),
    ]
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"chunks_key", "chunks_groups"} <= names
    con.close()
    with Register.open(path) as reg:  # opening again migrates nothing and keeps everything
        assert reg.series("mttr", filters={"service": "a"}).values.tolist() == [4.0]
        after = json.loads(reg.export_json())
    assert [s for s in after["series"] if not s["dims"]] == before["series"]
    assert after["opportunities"] == before["opportunities"]


def test_schema1_csv_without_dims_column_still_imports(reg: Register, tmp_path: Path) -> None:
    reg.record("mttr", _t("2026-01-01"), [1.0], source="snow")
    reg.export_csv(tmp_path)
    obs = tmp_path / "observations.csv"
    lines = obs.read_text().splitlines()
    assert lines[0] == "kpi_key,source,time,value,dims"
    obs.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n")
    other = Register.in_memory()
    other.import_csv(tmp_path)
    assert other.export_json() == reg.export_json()


# --- property: filtering in the register equals filtering the arrays in numpy -------

_NAMES = ("service", "team")
_VALUES = st.sampled_from([None, "a", "b", "c"])


@st.composite
def _batches(draw: st.DrawFn) -> list[dict[str, Any]]:
    out = []
    for _ in range(draw(st.integers(1, 3))):
        n = draw(st.integers(0, 12))
        out.append(
            {
                "t": draw(st.lists(st.integers(0, 6), min_size=n, max_size=n)),
                "source": draw(st.sampled_from([None, "snow", "jira"])),
                "dims": {
                    name: (
                        draw(st.sampled_from(["a", "b"]))
                        if draw(st.booleans())
                        else draw(st.lists(_VALUES, min_size=n, max_size=n))
                    )
                    for name in draw(st.sets(st.sampled_from(_NAMES)))
                },
            }
        )
    return out


_FILTER = st.none() | st.sampled_from(["a", "b", "c"]) | st.lists(st.sampled_from("abc"))


@settings(max_examples=60, deadline=None)
@given(
    batches=_batches(),
    store=st.sampled_from(["memory", "sqlite"]),
    service=_FILTER,
    team=_FILTER,
    source=st.just("all") | st.sampled_from([None, "snow", "jira"]),
    lo=st.none() | st.integers(0, 6),
)
def test_series_filters_equal_numpy_filtering(
    batches: list[dict[str, Any]],
    store: str,
    service: Any,
    team: Any,
    source: Any,
    lo: int | None,
) -> None:
    reg = Register.in_memory() if store == "memory" else Register.open(":memory:")
    cols: dict[str, list[Any]] = {"t": [], "x": [], "src": [], "service": [], "team": []}
    for b in batches:
        n = len(b["t"])
        x = np.arange(len(cols["x"]), len(cols["x"]) + n, dtype=float)  # recording order
        reg.record("k", np.array(b["t"], dtype="datetime64[ns]"), x, b["source"], b["dims"])
        cols["t"] += b["t"]
        cols["x"] += x.tolist()
        cols["src"] += [b["source"]] * n
        for name in _NAMES:
            d = b["dims"].get(name)
            cols[name] += [d] * n if d is None or isinstance(d, str) else d
    t = np.array(cols["t"], dtype=np.int64)
    x = np.array(cols["x"])
    src = np.array(cols["src"], dtype=object)
    dims = {name: np.array(cols[name], dtype=object) for name in _NAMES}
    keep = np.ones(t.size, dtype=bool)
    filters: dict[str, Any] = {}
    for name, want in (("service", service), ("team", team)):
        if want is not None:
            filters[name] = want
            keep &= np.isin(dims[name], [want] if isinstance(want, str) else list(want))
    if source != "all":
        filters["source"] = source
        keep &= src == source
    if lo is not None:
        keep &= t >= lo
    # the documented order: time, source (None first), dims (none first, then canonical JSON),
    # recording order
    combo = [
        json.dumps(
            {n: dims[n][i] for n in _NAMES if dims[n][i] is not None},
            sort_keys=True,
            separators=(",", ":"),
        )
        for i in range(t.size)
    ]
    src_rank = [(s is not None, s or "") for s in src]
    order = sorted(
        np.flatnonzero(keep).tolist(),
        key=lambda i: (t[i], src_rank[i], combo[i] != "{}", combo[i], x[i]),
    )
    got = reg.series(
        "k", start=None if lo is None else np.datetime64(lo, "ns"), filters=filters or None
    )
    assert got.times.view(np.int64).tolist() == t[order].tolist()
    assert got.values.tolist() == x[order].tolist()
    reg.close()
