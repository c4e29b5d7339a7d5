"""``kpi define`` on a defined KPI changes only the options given."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli._run import clean, ok, run


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "reg.sqlite")


FULL = [
    "kpi", "define", "mttr.email", "--name", "MTTR, e-mail", "--unit", "hours",
    "--direction", "lower", "--aggregation", "median", "--metric-type", "process",
    "--target", "4", "--due", "2027-03-31", "--tolerance", "0.1", "--relative",
]  # fmt: skip


def test_only_the_target_changes(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    first = ok(capsys, "--db", db, *FULL)
    second = ok(capsys, "--db", db, "kpi", "define", "mttr.email", "--target", "3.5")
    assert second["target"]["value"] == 3.5
    # everything else as the first definition left it
    assert {k: v for k, v in second.items() if k != "target"} == {
        k: v for k, v in first.items() if k != "target"
    }
    assert {k: v for k, v in second["target"].items() if k != "value"} == {
        k: v for k, v in first["target"].items() if k != "value"
    }
    assert (second["name"], second["unit"], second["direction"]) == (
        "MTTR, e-mail",
        "hours",
        "lower-is-better",
    )
    assert second["target"]["tolerance_kind"] == "relative"
    code, out, _ = run(capsys, "--db", db, "kpi", "define", "mttr.email", "--unit", "h")
    assert code == 0
    assert out.splitlines()[0] == "updated KPI mttr.email: unit"
    [stored] = ok(capsys, "--db", db, "kpi", "list")
    assert (stored["unit"], stored["target"]["value"], stored["aggregation"]["method"]) == (
        "h",
        3.5,
        "median",
    )


def test_each_target_part_alone(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    ok(capsys, "--db", db, *FULL)
    k = ok(capsys, "--db", db, "kpi", "define", "mttr.email", "--due", "2028-01-31")
    assert (k["target"]["value"], k["target"]["due"]) == (4.0, "2028-01-31")
    k = ok(capsys, "--db", db, "kpi", "define", "mttr.email", "--absolute", "--tolerance", "0.5")
    assert (k["target"]["tolerance"], k["target"]["tolerance_kind"]) == (0.5, "absolute")
    k = ok(capsys, "--db", db, "kpi", "define", "mttr.email", "--no-target")
    assert k["target"] is None
    assert k["unit"] == "hours"


def test_target_parts_need_a_target(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    ok(capsys, "--db", db, "kpi", "define", "fcr", "--unit", "share")
    code, _, err = run(capsys, "--db", db, "kpi", "define", "fcr", "--due", "2027-01-01")
    assert code == 2
    assert "--due and --tolerance need --target" in err
    code, _, err = run(capsys, "--db", db, "kpi", "define", "fcr", "--no-target", "--target", "1")
    assert code == 2


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["bad key"], "KPI.key"),
        (["k", "--aggregation", "p200"], "percentile"),
        (["k", "--aggregation", "mode"], "aggregation"),
        (["k", "--target", "4", "--due", "31/03/2027"], "due"),
        (["k", "--target", "4", "--tolerance", "-1"], "tolerance"),
        (["k", "--target", "nan"], "Target.value"),
        (["k", "--target", "inf"], "Target.value"),
        (["k", "--direction", "up"], "direction"),
    ],
)
def test_bad_values_are_usage_errors(
    args: list[str], words: str, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--db", db, "kpi", "define", *args)
    assert code == 2, err
    assert words in err
    clean(err)
    assert ok(capsys, "--db", db, "kpi", "list") == []
