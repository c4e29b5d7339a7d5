"""An import that imports nothing exits with 1 and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli._run import clean, ok, run


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "reg.sqlite")


MAP = [
    "--map", "Number=id", "--map", "Opened=opened", "--map", "Resolved=resolved",
    "--map", "Priority=priority",
]  # fmt: skip


def test_every_row_skipped_exits_1(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "Number,Opened,Resolved,Priority\nINC1,yesterday,,3\nINC2,2026-13-45 09:00,,3\n",
        encoding="utf-8",
    )
    args = ["import", "tickets", str(path), "--format", "csv", *MAP, "--on-error", "skip"]
    code, out, err = run(capsys, "--db", db, *args)
    assert (code, out) == (1, "")
    clean(err)
    assert "every one of its 2 rows was skipped" in err
    code, _, err = run(capsys, "--db", db, "--json", *args)
    assert code == 1
    assert "skipped" in json.loads(err)["error"]
    assert ok(capsys, "--db", db, "kpi", "list") == []


def test_an_empty_export_exits_1(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Number,Opened,Resolved,Priority\n", encoding="utf-8")
    code, _, err = run(capsys, "--db", db, "import", "tickets", str(path), "--format", "csv", *MAP)
    assert code == 1
    assert "holds no ticket" in err
    empty = tmp_path / "sn.json"
    empty.write_text('{"result": []}', encoding="utf-8")
    code, _, err = run(
        capsys, "--db", db, "import", "tickets", str(empty), "--format", "servicenow"
    )
    assert code == 1
    clean(err)


def test_a_missing_file_is_a_clean_error(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "--db", db, "import", "tickets", str(tmp_path / "no.csv"), "--format", "csv", *MAP
    )
    assert code == 1
    clean(err)
    assert "no.csv" in err


def test_a_missing_column_hints_at_map(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Number,When\nINC1,2026-01-05 09:00\n", encoding="utf-8")
    code, _, err = run(
        capsys, "--db", db, "import", "tickets", str(path), "--format", "csv", "--map", "Number=id"
    )
    assert code == 1
    assert "hint: --map COLUMN=FIELD" in err
