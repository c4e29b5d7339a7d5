"""Running ``itil-ci`` in-process for the command-line tests."""

from __future__ import annotations

import json
from typing import Any

import pytest

from itil_ci.cli import main

MANAGER = ["--actor", "mia", "--role", "continual-improvement-manager"]
TEAM = ["--actor", "tom", "--role", "improvement-team"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``itil-ci ARGS``."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    """The JSON output of a command that must succeed."""
    code, out, err = run(capsys, "--json", *args)
    assert code == 0, err
    return json.loads(out)


def clean(err: str) -> None:
    """An error message, not a crash."""
    assert "Traceback" not in err
    assert "internal error" not in err
