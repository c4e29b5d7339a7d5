"""Every other option refuses a malformed value as bad usage (exit 2), naming the option."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli._run import clean, run

CASES = [
    (["opportunity", "log", "A", "--score", "reach"], "--score", "NAME=VALUE"),
    (["opportunity", "log", "A", "--score", "reach=lots"], "--score", "expected a number"),
    (["opportunity", "log", "A", "--score", "=3"], "--score", "NAME=VALUE"),
    (["opportunity", "log", "A", "--effort", "-2"], "--effort", ">= 0"),
    (["opportunity", "log", "A", "--benefit", "nan"], "--benefit", "number"),
    (["opportunity", "log", "", "--benefit", "1"], "TITLE", "Opportunity.title"),
    (["opportunity", "log", "A", "--source", "rumour"], "--source", "one of"),
    (["prioritise", "--criterion", "benefit"], "--criterion", "NAME:WEIGHT"),
    (["prioritise", "--criterion", "benefit:heavy"], "--criterion", "not a number"),
    (["prioritise", "--criterion", "benefit:-1"], "--criterion", ">= 0"),
    (["prioritise", "--criterion", "a:1:sideways"], "--criterion", "direction"),
    (["prioritise", "--criterion", "a:1", "--criterion", "a:2"], "--criterion", "once"),
    (["prioritise"], "--criterion", "needs criteria"),
    (["prioritise", "--model", "wsjf", "--key", "benefit"], "--key", "NAME=VALUE"),
    (["report", "--criterion", "x:"], "--criterion", "not a number"),
    (["kpi", "measure", "k", "--start", "2025-13-01"], "--start", "YYYY-MM-DD"),
    (["kpi", "measure", "k", "--start", "2025-02-01", "--end", "2025-01-01"], "--end", "after"),
    (["kpi", "measure", "k", "--end", "2025-01-01T00:00"], "--end", "offset"),
    (["baseline", "capture", "k", "--end", "tomorrow"], "--end", "YYYY-MM-DD"),
    (["import", "tickets", "x.csv", "--format", "csv", "--map", "Number"], "--map", "NAME=VALUE"),
    (["demo", "--tickets", "0"], "--tickets", "0"),
    (["initiative", "start", "X", "--actor", ""], "--actor", "Actor"),
]


@pytest.mark.parametrize(("args", "option", "words"), CASES, ids=lambda x: " ".join(x))
def test_bad_option_values(
    args: list[str],
    option: str,
    words: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    db = str(tmp_path / "reg.sqlite")
    code, out, err = run(capsys, "--db", db, *args)
    assert (code, out) == (2, ""), err
    clean(err)
    assert option in err
    assert words in err
    code, _, err = run(capsys, "--db", db, "--json", *args)
    assert code == 2
    assert option in json.loads(err)["error"]
    assert not (tmp_path / "itil-ci-demo.sqlite").exists()
