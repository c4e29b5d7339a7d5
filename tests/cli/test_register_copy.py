"""``itil-ci register copy``: a whole register between stores, verified, refusing to overwrite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from itil_ci.register import Register
from tests.cli._run import clean, ok, run


def _filled(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    db = str(tmp_path / "a.sqlite")
    ok(capsys, "--db", db, "opportunity", "log", "Automate password resets", "--service", "email")
    ok(capsys, "--db", db, "kpi", "define", "mttr.email", "--unit", "hours", "--direction", "lower")
    return db


def test_copy_between_two_sqlite_files_is_verified(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _filled(tmp_path, capsys)
    dst = str(tmp_path / "b.sqlite")
    done = ok(capsys, "register", "copy", src, dst)
    assert (done["opportunities"], done["kpis"], done["replaced"]) == (1, 1, False)
    with Register.open(dst) as reg:
        assert [o.title for o in reg.opportunities()] == ["Automate password resets"]
        assert reg.kpi("mttr.email").unit == "hours"
    code, _, err = run(capsys, "register", "copy", src, dst)
    assert code == 1
    clean(err)
    assert "expected an empty register" in err
    assert "hint: add --replace" in err
    assert ok(capsys, "register", "copy", src, dst, "--replace")["replaced"] is True


def test_text_output_and_json_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _filled(tmp_path, capsys)
    code, out, _ = run(capsys, "register", "copy", src, str(tmp_path / "c.sqlite"))
    assert code == 0
    assert "1 opportunities, 0 initiatives, 1 kpis" in out
    assert "verified: counts equal, CRC-32" in out
    code, out, err = run(capsys, "--json", "register", "copy", str(tmp_path / "none"), "x.sqlite")
    assert code == 1
    assert json.loads(err)["error"].startswith("source: expected an existing register file")
    assert not (tmp_path / "none").exists()
