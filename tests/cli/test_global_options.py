"""Global options before or after the command; JSON errors with the same exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli._run import clean, ok, run


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "reg.sqlite")


@pytest.mark.parametrize(
    "layout",
    [
        ["--db", "{db}", "--json", "kpi", "list"],
        ["kpi", "list", "--db", "{db}", "--json"],
        ["--json", "kpi", "list", "--db", "{db}"],
        ["--db", "{db}", "kpi", "--json", "list"],
        ["kpi", "--db", "{db}", "list", "--json"],
        ["--db", "elsewhere.sqlite", "kpi", "list", "--db", "{db}", "--json"],
    ],
)
def test_db_and_json_anywhere(
    layout: list[str], db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(capsys, "--db", db, "kpi", "define", "mttr", "--unit", "hours")[0] == 0
    code, out, err = run(capsys, *[a.format(db=db) for a in layout])
    assert code == 0, err
    # the KPI defined in {db} is listed: the --db after the command was used
    assert [k["key"] for k in json.loads(out)] == ["mttr"]
    assert not (tmp_path / "elsewhere.sqlite").exists()


def test_environment_variable_names_the_register(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ITIL_CI_DB", db)
    assert run(capsys, "kpi", "define", "mttr")[0] == 0
    assert [k["key"] for k in ok(capsys, "kpi", "list", "--db", db)] == ["mttr"]


def test_errors_are_json_under_json_with_the_same_exit_codes(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # a failure: exit 1
    code, out, err = run(capsys, "kpi", "measure", "nope", "--db", db, "--json")
    assert (code, out) == (1, "")
    e = json.loads(err)
    assert set(e) == {"error", "hint"}
    assert "nope" in e["error"]
    assert "kpi define" in e["hint"]
    # the same failure in text: "error:" and "hint:" lines
    code, out, err = run(capsys, "kpi", "measure", "nope", "--db", db)
    assert (code, out) == (1, "")
    assert err.splitlines()[0] == "error: KPI 'nope' is not defined in the register"
    assert err.splitlines()[1].startswith("hint: ")
    # bad usage: exit 2, JSON before or after the command
    for args in (["--json", "kpi", "define"], ["kpi", "define", "--json"]):
        code, out, err = run(capsys, "--db", db, *args)
        assert (code, out) == (2, "")
        e = json.loads(err)
        assert e["error"] == "Missing argument 'KEY'."
        assert e["hint"] == "'itil-ci kpi define --help' shows the usage"
    code, _, err = run(capsys, "--db", db, "--json", "no-such-command")
    assert code == 2
    assert "no-such-command" in json.loads(err)["error"]
    code, _, err = run(capsys, "--db", db, "kpi", "define", "x", "--target", "abc", "--json")
    assert code == 2
    assert "abc" in json.loads(err)["error"]


def test_a_value_after_double_dash_is_not_an_option(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # "--json" after "--" is the title of the opportunity, not the flag
    code, out, err = run(capsys, "--db", db, "opportunity", "log", "--", "--json")
    assert code == 0, err
    assert out.startswith("logged ")
    assert ok(capsys, "--db", db, "opportunity", "list")[0]["title"] == "--json"


def test_an_unusable_register_is_a_clean_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a register\n" * 100, encoding="utf-8")
    for args in (["kpi", "list"], ["--json", "kpi", "list"]):
        code, _, err = run(capsys, "--db", str(notes), *args)
        assert code == 1
        clean(err)
    assert "--db" in json.loads(err)["hint"]
    assert notes.read_text(encoding="utf-8") == "not a register\n" * 100


def test_every_command_takes_the_global_options(capsys: pytest.CaptureFixture[str]) -> None:
    from itil_ci.cli._main import cli

    def walk(group: object, path: list[str]) -> list[list[str]]:
        import click

        out = []
        assert isinstance(group, click.Group)
        for name, cmd in group.commands.items():
            out.append([*path, name])
            if isinstance(cmd, click.Group):
                out += walk(cmd, [*path, name])
        return out

    for command in walk(cli, []):
        code, out, _ = run(capsys, *command, "--help")
        assert code == 0
        assert "--db PATH" in out, command
        assert "--json" in out, command
