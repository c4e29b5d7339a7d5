"""Bad input to ``itil_ci.register``: one table of probes, each a precise ItilCiError.

Issue 11, points 7, 8 and 10 for the register.  Each row calls one public
function with one bad argument and names the error class it must raise
(InvalidInputError for bad input, StorageError for storage trouble) and the
start of its message (the argument's name).  A sweep then feeds every public
function a battery of wrong values; whatever it does, nothing but an
ItilCiError may escape (the suite runs with warnings as errors).
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import itil_ci as ic
from itil_ci.errors import (
    DecodeError,
    ImportRowError,
    InvalidInputError,
    ItilCiError,
    StorageError,
    UnreadableEntries,
)
from itil_ci.register import MemoryStore, Register, RegisterExport, SQLiteStore
from tests._refusal import WRONG

T2 = np.array(["2026-01-01", "2026-01-02"], dtype="datetime64[ns]")


def _reg(tmp: Path) -> Register:
    reg = Register.open(tmp / "r.db")
    reg.log(ic.Opportunity("fine", id="o1", expected_benefit=3, effort=1))
    reg.log(ic.Initiative("fine", id="i1", model="pdca"))
    reg.define_kpi(ic.KPI("mttr", direction="lower"))
    reg.record("mttr", T2, [4.0, 5.0])
    return reg


def _changed_opportunity() -> ic.Opportunity:
    o = ic.Opportunity("changed", id="o9")
    o.kpis.append(5)  # type: ignore[arg-type]
    return o


def _changed_initiative() -> ic.Initiative:
    ini = ic.Initiative("changed", id="i1", step="vision")
    ini.model = "seven-step"  # type: ignore[assignment]
    return ini


def _huge_version() -> ic.Opportunity:
    o = ic.Opportunity("huge", id="o9")
    o.version = 2**70
    return o


def _changed_baseline() -> ic.Baseline:
    b = ic.Baseline("mttr", 6.0)
    b.filters["team"] = 5  # type: ignore[assignment]
    return b


def _csv_dir(tmp: Path, edit: Callable[[Path], None]) -> Path:
    d = tmp / "csv"
    _reg(tmp).export_csv(d)
    edit(d)
    return d


def _unclosed_quote(d: Path) -> None:
    (d / "kpis.csv").write_text('key,document\nmttr,"{""schema_version"": 1\n', encoding="utf-8")


def _not_utf8(d: Path) -> None:
    (d / "opportunities.csv").write_bytes(b"id,version\n\xff\xfe\n")


def _far_future(d: Path) -> None:
    obs = d / "observations.csv"
    obs.write_text(
        obs.read_text(encoding="utf-8").replace("2026-01-02T", "3000-01-02T"), encoding="utf-8"
    )


def _fifo(tmp: Path) -> Path:
    path = tmp / "fifo.db"
    os.mkfifo(path)
    return path


def _stored_deep_document(tmp: Path) -> Register:
    reg = _reg(tmp)
    row = {"status": "logged", "service": "", "source": "idea", "updated_at": "2026-01-01"}
    reg.store.insert("opportunity", "deep", 0, row, "[" * 100_000)
    return reg


def _stored_non_utf8(tmp: Path) -> Register:
    reg = _reg(tmp)
    reg.close()
    con = sqlite3.connect(tmp / "r.db")
    con.execute("UPDATE opportunities SET document = CAST(x'7bff' AS TEXT) WHERE id = 'o1'")
    con.commit()
    con.close()
    return Register.open(tmp / "r.db")


# (id, call(tmp), error class, message start)
Row = tuple[str, Callable[[Path], Any], type[ItilCiError], str]
ROWS: list[Row] = [
    ("open path int", lambda t: Register.open(5), InvalidInputError, "path: "),  # type: ignore[arg-type]
    ("open path NUL", lambda t: Register.open(t / "a\x00b"), InvalidInputError, "path: "),
    ("open path surrogate", lambda t: Register.open("\ud800"), InvalidInputError, "path: "),
    ("open path array", lambda t: Register.open(np.array([1])), InvalidInputError, "path: "),  # type: ignore[arg-type]
    ("open FIFO", lambda t: Register.open(_fifo(t)), StorageError, ".*not a regular file"),
    ("open directory", lambda t: Register.open(t), StorageError, ".*is a directory"),
    (
        "open timeout",
        lambda t: Register.open(":memory:", timeout=-1),
        InvalidInputError,
        "timeout: ",
    ),
    ("Register(store)", lambda t: Register(5), InvalidInputError, "store: "),  # type: ignore[arg-type]
    (
        "SQLiteStore timeout",
        lambda t: SQLiteStore(":memory:", timeout="x"),
        InvalidInputError,
        "timeout: ",
    ),  # type: ignore[arg-type]
    (
        "store kind",
        lambda t: MemoryStore().insert("x", "i", 0, {}, "{}"),
        StorageError,
        "unknown entity kind",
    ),
    ("log int", lambda t: _reg(t).log(5), InvalidInputError, "entry: "),  # type: ignore[type-var]
    (
        "log kpis.append(5)",
        lambda t: _reg(t).log(_changed_opportunity()),
        InvalidInputError,
        "entry: opportunity 'o9'",
    ),
    (
        "log version 2**70",
        lambda t: _reg(t).log(_huge_version()),
        InvalidInputError,
        "entry: opportunity 'o9' has version",
    ),
    (
        "update model changed",
        lambda t: _reg(t).update(_changed_initiative()),
        InvalidInputError,
        "entry: initiative 'i1'",
    ),
    ("opportunity id", lambda t: _reg(t).opportunity(5), InvalidInputError, "id: "),  # type: ignore[arg-type]
    (
        "opportunities status",
        lambda t: _reg(t).opportunities(status="nope"),
        InvalidInputError,
        "status: ",
    ),
    (
        "opportunities service",
        lambda t: _reg(t).opportunities(service=[5]),
        InvalidInputError,
        "service: ",
    ),  # type: ignore[list-item]
    (
        "initiatives overdue",
        lambda t: _reg(t).initiatives(overdue="yes"),
        InvalidInputError,
        "overdue: ",
    ),  # type: ignore[arg-type]
    (
        "initiatives today",
        lambda t: _reg(t).initiatives(overdue=True, today="31/01/2026"),
        InvalidInputError,
        "today: ",
    ),
    (
        "step_counts model",
        lambda t: _reg(t).step_counts(model="kanban"),
        InvalidInputError,
        "model: ",
    ),
    ("define_kpi str", lambda t: _reg(t).define_kpi("mttr"), InvalidInputError, "kpi: "),  # type: ignore[arg-type]
    ("kpi key", lambda t: _reg(t).kpi(["mttr"]), InvalidInputError, "key: "),  # type: ignore[arg-type]
    (
        "add_baseline filters",
        lambda t: _reg(t).add_baseline(_changed_baseline()),
        InvalidInputError,
        "baseline: ",
    ),
    ("baselines key", lambda t: _reg(t).baselines(5), InvalidInputError, "kpi_key: "),  # type: ignore[arg-type]
    (
        "record key",
        lambda t: _reg(t).record("bad key", T2, [1.0, 2.0]),
        InvalidInputError,
        "kpi_key: ",
    ),
    (
        "record times str",
        lambda t: _reg(t).record("k", "2026-01-01", [1.0]),
        InvalidInputError,
        "times: ",
    ),
    (
        "record values text",
        lambda t: _reg(t).record("k", T2, ["a", "b"]),
        InvalidInputError,
        "values",
    ),
    ("record lengths", lambda t: _reg(t).record("k", T2, [1.0]), InvalidInputError, "values: "),
    (
        "record source surrogate",
        lambda t: _reg(t).record("k", T2, [1.0, 2.0], source="\ud800"),
        InvalidInputError,
        "source: ",
    ),
    (
        "record dims surrogate",
        lambda t: _reg(t).record("k", T2, [1.0, 2.0], dims={"team": "\udc00"}),
        InvalidInputError,
        r"dims\['team'\]: ",
    ),
    (
        "record dims source",
        lambda t: _reg(t).record("k", T2, [1.0, 2.0], dims={"source": "x"}),
        InvalidInputError,
        "dims: ",
    ),
    (
        "series filters str",
        lambda t: _reg(t).series("mttr", filters="service"),
        InvalidInputError,
        "filters: ",
    ),  # type: ignore[arg-type]
    (
        "series filters surrogate",
        lambda t: _reg(t).series("mttr", filters={"source": "\ud800"}),
        InvalidInputError,
        r"filters\['source'\]: ",
    ),
    (
        "series start",
        lambda t: _reg(t).series("mttr", start="yesterday"),
        InvalidInputError,
        "start",
    ),
    (
        "prioritised model list",
        lambda t: _reg(t).prioritised(["wsjf"]),
        InvalidInputError,
        "model: ",
    ),  # type: ignore[arg-type]
    (
        "drifting limit",
        lambda t: _reg(t).drifting(limit_points=1.5),
        InvalidInputError,
        "limit_points: ",
    ),  # type: ignore[arg-type]
    (
        "export_json indent",
        lambda t: _reg(t).export_json(indent=2**70),
        InvalidInputError,
        "indent: ",
    ),
    # the codec refuses these for every document (io/codec.py), naming the document
    (
        "import_json deep",
        lambda t: _reg(t).import_json("[" * 100_000),
        DecodeError,
        "document: nested more than 100 levels deep",
    ),
    (
        "import_json not UTF-8",
        lambda t: _reg(t).import_json(b"\xff\xfe"),
        DecodeError,
        "document: not UTF-8",
    ),
    ("import_json int", lambda t: _reg(t).import_json(5), DecodeError, "text: "),  # type: ignore[arg-type]
    ("load int", lambda t: _reg(t).load(5), InvalidInputError, "document: "),  # type: ignore[arg-type]
    (
        "load changed",
        lambda t: _reg(t).load(RegisterExport(opportunities=(_changed_opportunity(),))),
        InvalidInputError,
        "entry: ",
    ),
    ("export_csv /proc", lambda t: _reg(t).export_csv("/proc"), StorageError, "'/proc/"),
    ("export_csv file", lambda t: _reg(t).export_csv(t / "r.db"), InvalidInputError, "directory: "),
    ("export_csv NUL", lambda t: _reg(t).export_csv("a\x00b"), InvalidInputError, "directory: "),
    ("export_csv int", lambda t: _reg(t).export_csv(5), InvalidInputError, "directory: "),  # type: ignore[arg-type]
    (
        "import_csv missing",
        lambda t: _reg(t).import_csv(t / "nope"),
        InvalidInputError,
        "directory: ",
    ),
    (
        "import_csv unclosed quote",
        lambda t: Register.in_memory().import_csv(_csv_dir(t, _unclosed_quote)),
        ImportRowError,
        ".*kpis.csv: the file is not valid CSV",
    ),
    (
        "import_csv not UTF-8",
        lambda t: Register.in_memory().import_csv(_csv_dir(t, _not_utf8)),
        ImportRowError,
        ".*not UTF-8",
    ),
    (
        "import_csv year 3000",
        lambda t: Register.in_memory().import_csv(_csv_dir(t, _far_future)),
        ImportRowError,
        ".*field 'time': expected a time between",
    ),
    (
        "stored deep JSON, one",
        lambda t: _stored_deep_document(t).opportunity("deep"),
        StorageError,
        "stored opportunity 'deep'",
    ),
    (
        "stored deep JSON, listing",
        lambda t: _stored_deep_document(t).opportunities(),
        UnreadableEntries,
        ".*opportunity 'deep'",
    ),
    (
        "stored non-UTF-8, one",
        lambda t: _stored_non_utf8(t).opportunity("o1"),
        StorageError,
        ".*opportunity 'o1' is damaged",
    ),
    (
        "stored non-UTF-8, listing",
        lambda t: _stored_non_utf8(t).opportunities(),
        UnreadableEntries,
        ".*opportunity 'o1'",
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_bad_input_raises_a_precise_library_error(row: Row, tmp_path: Path) -> None:
    _, call, expected, start = row
    with pytest.raises(ItilCiError) as caught:
        call(tmp_path)
    assert isinstance(caught.value, expected), repr(caught.value)
    assert re.match(start, str(caught.value)), str(caught.value)


def test_the_table_has_enough_rows() -> None:
    assert len(ROWS) >= 30


# --- sweep: a battery of wrong values into every public function ---------------------


def _sweep_targets(reg: Register, tmp: Path) -> dict[str, Callable[[Any], object]]:
    return {
        "Register": Register,
        "open.path": Register.open,
        "open.timeout": lambda b: Register.open(":memory:", timeout=b),
        "log": reg.log,
        "update": reg.update,
        "opportunity": reg.opportunity,
        "initiative": reg.initiative,
        "opportunities.status": lambda b: reg.opportunities(status=b),
        "opportunities.service": lambda b: reg.opportunities(service=b),
        "opportunities.source": lambda b: reg.opportunities(source=b),
        "initiatives.step": lambda b: reg.initiatives(step=b),
        "initiatives.model": lambda b: reg.initiatives(model=b),
        "initiatives.overdue": lambda b: reg.initiatives(overdue=b),
        "initiatives.today": lambda b: reg.initiatives(overdue=True, today=b),
        "step_counts": lambda b: reg.step_counts(model=b),
        "remeasurements_due": lambda b: reg.remeasurements_due(today=b),
        "define_kpi": reg.define_kpi,
        "kpi": reg.kpi,
        "add_baseline": reg.add_baseline,
        "baselines": reg.baselines,
        "baseline": reg.baseline,
        "record.kpi_key": lambda b: reg.record(b, T2, [1.0, 2.0]),
        "record.times": lambda b: reg.record("k", b, [1.0, 2.0]),
        "record.values": lambda b: reg.record("k", T2, b),
        "record.source": lambda b: reg.record("k", T2, [1.0, 2.0], source=b),
        "record.dims": lambda b: reg.record("k", T2, [1.0, 2.0], dims=b),
        "record.dims value": lambda b: reg.record("k", T2, [1.0, 2.0], dims={"team": b}),
        "series.kpi_key": reg.series,
        "series.start": lambda b: reg.series("mttr", start=b),
        "series.end": lambda b: reg.series("mttr", end=b),
        "series.filters": lambda b: reg.series("mttr", filters=b),
        "series.filters value": lambda b: reg.series("mttr", filters={"team": b}),
        "prioritised.model": reg.prioritised,
        "prioritised.criteria": lambda b: reg.prioritised(criteria=b),
        "prioritised.keys": lambda b: reg.prioritised("wsjf", keys=b),
        "outcomes.initiative": lambda b: reg.outcomes(initiative=b),
        "outcomes.today": lambda b: reg.outcomes(today=b),
        "drifting.initiative": lambda b: reg.drifting(initiative=b),
        "drifting.limit_points": lambda b: reg.drifting(limit_points=b),
        "drifting.rules": lambda b: reg.drifting(rules=b),
        "export_json.indent": lambda b: reg.export_json(indent=b),
        "import_json": reg.import_json,
        "import_json.replace_kpis": lambda b: reg.import_json("{}", replace_kpis=b),
        "load": reg.load,
        "export_csv": reg.export_csv,
        "import_csv": reg.import_csv,
        "SQLiteStore.path": SQLiteStore,
        "SQLiteStore.timeout": lambda b: SQLiteStore(":memory:", timeout=b),
        "MemoryStore.insert.kind": lambda b: MemoryStore().insert(b, "x", 0, {}, "{}"),
        "MemoryStore.get.kind": lambda b: MemoryStore().get(b, "x"),
    }


def test_no_wrong_value_lets_anything_but_an_itil_ci_error_escape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # export_csv("") and friends stay inside the test's directory
    reg = _reg(tmp_path)
    targets = _sweep_targets(reg, tmp_path)
    escaped = []
    probes = 0
    for name, call in targets.items():
        for value in WRONG:
            probes += 1
            try:
                call(value)
            except ItilCiError:
                pass
            except Exception as exc:
                escaped.append(f"{name}({value!r:.30}): {type(exc).__name__}: {exc}")
    assert escaped == []
    assert probes == len(targets) * len(WRONG) >= 800
